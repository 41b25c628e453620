// One running Peerdesk per database: a second start on the same database hands
// over to the running window and exits, so two processes never run the same
// scheduled pushes. The harness's other specs run side by side on their own
// databases, which the per-database instance name allows.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { APP, appPid, e2eTest, waitFor } from "../harness.mjs";

function run(args) {
  return new Promise((resolve) => {
    const child = spawn(APP, args, { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const timer = setTimeout(() => child.kill("SIGTERM"), 30_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

e2eTest("a second start on the same database hands over to the running app and exits", async (ctx) => {
  await ctx.launch();
  const first = appPid(ctx.db);
  assert.ok(first, "the app runs");

  const t = performance.now();
  const second = await run(["--db", ctx.db]);
  ctx.note(`second instance exited in ${Math.round(performance.now() - t)} ms`);
  assert.equal(second.signal, null, `the second instance exited by itself, not by the 30 s timeout:\n${second.output}`);
  assert.equal(second.code, 0, `and cleanly:\n${second.output}`);
  assert.equal(appPid(ctx.db), first, "the first app is still the one running on this database");
  await waitFor(ctx.browser, "tab-peering");
});
