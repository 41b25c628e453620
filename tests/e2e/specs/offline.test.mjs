// Offline first in the real app against the FRR lab router: with r1's sshd
// stopped, 1 click config cannot reach it and the change is queued (the push
// dialog says "queued", the header says offline); once sshd runs again the
// background sync applies it and the Sessions list shows Established without
// another click. The lab is started here (root only, as router-lab.test.mjs);
// elsewhere the spec is skipped with the reason, unless PEERDESK_REQUIRE_LAB=1.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { test } from "node:test";
import { click, e2eTest, textOf, waitFor, waitForText, waitGone } from "../harness.mjs";
import { isRoot, labDown, labUp, vtysh } from "../lab.mjs";
import { EXCHANGE, addExchange, addRouterWithPeerGroup, addSession, openSessions, rowAction, sessionRowsWith } from "../flows.mjs";

/** True when something accepts a TCP connection on 127.0.0.1:port. */
function listening(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function until(what, check, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Stops the lab router's sshd (the listener whose pid the lab recorded; this spec started the lab). */
async function stopSshd(lab, name, port) {
  const ssh = path.join(lab.dir, name, "ssh");
  const pid = readFileSync(path.join(ssh, "sshd.pid"), "utf8").trim();
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  assert.ok(cmdline.includes(ssh), `pid ${pid} is this lab's sshd: ${cmdline}`);
  process.kill(Number(pid), "SIGTERM");
  await until(`${name}'s sshd stopped listening`, async () => !(await listening(port)));
}

/** Starts it again with the lab's own configuration, as tests/lab/lab.sh start_sshd does. */
async function startSshd(lab, name, port) {
  const ssh = path.join(lab.dir, name, "ssh");
  execFileSync("/usr/sbin/sshd", ["-f", path.join(ssh, "sshd_config"), "-E", path.join(ssh, "sshd.log")], { stdio: "inherit" });
  await until(`${name}'s sshd listens again`, () => listening(port));
}

if (!isRoot && process.env.PEERDESK_REQUIRE_LAB !== "1") {
  test("1 click config with the FRR lab router down is queued", { skip: "the router lab needs root for network namespaces (CI runs as root)" }, () => {});
} else {
  e2eTest(
    "1 click config with the lab router down shows queued, and the Sessions list shows Established once the router is back",
    async (ctx) => {
      const lab = labUp("offline");
      try {
        const r1 = lab.router("r1");
        const far = { asn: "64500", name: "Lab far end", ipv4: "192.0.2.100" };

        await ctx.launch();
        const b = ctx.browser;
        const exchangeId = await addExchange(b, { ...EXCHANGE, name: "Lab IX" });
        await addRouterWithPeerGroup(b, exchangeId, {
          name: "r1",
          mgmtAddress: "127.0.0.1",
          sshPort: r1.ssh_port,
          platform: "frr",
          username: r1.user,
          authMethod: "password",
          password: lab.password,
          localAsn: "64496",
          ipv4: r1.ipv4,
          peerGroup: "IX-V4",
          importPolicy: "PEER-IN",
          exportPolicy: "PEER-OUT",
        });
        await addSession(b, { exchangeId, router: "r1", asn: far.asn, name: far.name, ipv4: far.ipv4, peerGroup: "IX-V4" });
        await openSessions(b, exchangeId);
        const [sessionId] = await sessionRowsWith(b, far.ipv4);
        assert.ok(sessionId, `a row for ${far.ipv4}`);

        // While r1 answers: trust its host key (shown for confirmation), see the preview, and cancel.
        await rowAction(b, sessionId, "one-click-config");
        await waitFor(b, "hostkey-dialog", { timeout: 30_000 });
        await waitForText(b, "hostkey-fingerprint", "SHA256:", { timeout: 30_000 });
        await click(b, "hostkey-trust");
        await waitGone(b, "hostkey-dialog");
        await waitForText(b, "push-proposed", `neighbor ${far.ipv4} remote-as ${far.asn}`, { timeout: 30_000 });
        await click(b, "push-cancel");
        await waitGone(b, "push-dialog");

        // r1 goes away: the preview cannot reach it, and the change is queued instead.
        await stopSshd(lab, "r1", r1.ssh_port);
        await rowAction(b, sessionId, "one-click-config");
        await waitFor(b, "push-error", { timeout: 30_000 });
        const kind = await b.$('[data-testid="push-error"]').getAttribute("data-kind");
        assert.equal(kind, "unreachable", `r1 is unreachable: ${await textOf(b, "push-error")}`);
        await click(b, "push-queue");
        await waitFor(b, "push-result", { timeout: 30_000 });
        const outcome = await b.$('[data-testid="push-result"]').getAttribute("data-outcome");
        assert.equal(outcome, "queued", `the change was queued: ${await textOf(b, "push-result")}`);
        assert.match(await textOf(b, "push-message"), /Queued for r1: it will be applied when r1 is reachable/);
        await click(b, "push-close");
        await waitGone(b, "push-dialog");
        // The background task noticed: no router answers.
        await waitForText(b, "offline-indicator", "no router reachable", { timeout: 30_000 });
        assert.doesNotMatch(vtysh(r1, "show running-config"), new RegExp(`neighbor ${far.ipv4.replaceAll(".", "\\.")} `), "nothing reached the router");

        // r1 is back: the background sync applies the queued change; no further clicks.
        await startSshd(lab, "r1", r1.ssh_port);
        const back = Date.now();
        await waitForText(b, `session-row-${sessionId}`, "Established", { timeout: 150_000 });
        ctx.note?.(`Established in the Sessions list ${Math.round((Date.now() - back) / 1000)} s after sshd was back`);
        await waitGone(b, "offline-indicator", { timeout: 30_000 });
        assert.match(
          vtysh(r1, "show running-config"),
          new RegExp(`neighbor ${far.ipv4.replaceAll(".", "\\.")} peer-group IX-V4`),
          "the router's configuration has the neighbour",
        );
      } finally {
        labDown(lab);
      }
    },
    { timeout: 8 * 60_000 },
  );
}
