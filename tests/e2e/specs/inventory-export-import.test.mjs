// Export the inventory, lose the database, import the file into a fresh one:
// the exchanges, routers and sessions come back as they were.

import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { click, dbCount, e2eTest, textOf, waitFor, waitForText } from "../harness.mjs";
import { confirmIfAsked, dismissToasts, exchangeIdsByName, openAdminData, openPeering, openSessions, sessionCount, waitForToast } from "../flows.mjs";

const DEMO_EXCHANGES = ["Example IX Frankfurt", "Sample IX Amsterdam", "Demo IX London"];

/** What the UI shows of the inventory: exchanges, each one's session count, the routers list. */
async function snapshot(b) {
  const rows = await exchangeIdsByName(b);
  const sessions = {};
  for (const name of DEMO_EXCHANGES) {
    const hit = Object.entries(rows).find(([text]) => text.includes(name));
    if (!hit) continue;
    await openSessions(b, hit[1]);
    sessions[name] = await sessionCount(b);
  }
  await openPeering(b, "routers");
  const routers = await textOf(b, "peering-routers");
  return { exchangeCount: Object.keys(rows).length, sessions, routers };
}

e2eTest("an exported inventory imported into an empty database brings everything back", async (ctx) => {
  await ctx.launch();
  let b = ctx.browser;
  await click(b, "load-demo-data");
  await waitForToast(b, "success").catch(() => {});
  await openPeering(b, "exchanges");
  await waitForText(b, "peering-exchanges", "Example IX Frankfurt");
  const before = await snapshot(b);
  assert.equal(Object.keys(before.sessions).length, 3, "the demo inventory has three exchanges to export");
  assert.ok(Object.values(before.sessions).every((n) => n > 0), "each demo exchange has sessions");
  assert.ok(before.routers.includes("edge1.fra"), "the demo inventory has routers to export");
  const storedBefore = ["exchanges", "routers", "peer_groups", "networks", "sessions"].map((t) => [t, dbCount(ctx.db, t)]);

  const file = path.join(ctx.dialogDir, "inventory.json");
  await openAdminData(b);
  await dismissToasts(b);
  await click(b, "admin-export-inventory");
  const exported = await waitForToast(b, "success");
  await b.waitUntil(() => existsSync(file) && statSync(file).size > 0, { timeout: 10_000 }).catch(() => {});
  assert.ok(existsSync(file) && statSync(file).size > 0, `the export wrote ${file} ("${exported}")`);

  await ctx.stop();
  ctx.wipeDatabase();
  await ctx.launch();
  b = ctx.browser;
  await waitFor(b, "load-demo-data");
  await openPeering(b, "exchanges");
  assert.deepEqual(await exchangeIdsByName(b), {}, "the new database starts with no exchanges");

  await openAdminData(b);
  await dismissToasts(b);
  await click(b, "admin-import-inventory");
  await confirmIfAsked(b);
  await waitForToast(b, "success");

  await openPeering(b, "exchanges");
  await waitForText(b, "peering-exchanges", "Example IX Frankfurt");
  const after = await snapshot(b);
  assert.deepEqual(after.sessions, before.sessions, "each exchange lists as many sessions as before the export");
  assert.equal(after.exchangeCount, before.exchangeCount, "every exchange is back");
  for (const name of ["edge1.fra", "edge2.lon"]) assert.ok(after.routers.includes(name), `router ${name} is back`);
  for (const [table, count] of storedBefore) {
    if (count !== null) assert.equal(dbCount(ctx.db, table), count, `the database holds as many ${table} as before`);
  }
});
