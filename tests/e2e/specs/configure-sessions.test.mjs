// Guide steps 4–5 in the real app: a peer marked Approved in Communications,
// Configure Sessions from its wrench, "Select all networks" on the exchange,
// a peer group changed, Schedule with the default one hour ahead, the job in
// the Scheduler tab, Run now, and its outcome. As root the router is the FRR
// lab router (tests/lab/lab.sh, started here): the job must end done and the
// session Established with the chosen peer group on the router. Elsewhere the
// router is a loopback port nothing listens on, and the job must end failed,
// unreachable (the router's error in the job's log) — the honest outcome
// without a router. PEERDESK_E2E_NO_LAB=1 forces that variant as root.

import assert from "node:assert/strict";
import net from "node:net";
import { click, e2eTest, fill, testIdsWithPrefix, textOf, valueOf, waitFor, waitForText, waitGone } from "../harness.mjs";
import { isRoot, labDown, labUp, vtysh } from "../lab.mjs";
import { EXCHANGE, ROUTER, addExchange, addRouterWithPeerGroup, addSession, openPeering, openSessions, sessionRowsWith } from "../flows.mjs";

const withLab = isRoot && process.env.PEERDESK_E2E_NO_LAB !== "1";
/** A loopback port nothing listens on: bound, then released. */
function closedPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function peerAction(b, asn, action) {
  await click(b, `peer-actions-${asn}`);
  await click(b, `action-${action}`);
}

async function waitForStatus(b, asn, status) {
  await b.waitUntil(async () => (await (await waitFor(b, `peer-status-${asn}`)).getAttribute("data-status")) === status, {
    timeout: 10_000,
    timeoutMsg: `AS${asn} did not become ${status}`,
  });
}

/** Peer Groups → Add: a second IPv4 group on the router, for the exchange. */
async function addPeerGroup(b, exchangeId, routerName, name) {
  await openPeering(b, "peer-groups");
  await click(b, "add-peer-group-button");
  await fill(b, "pg-router", { textContains: routerName });
  await fill(b, "pg-name", name);
  await fill(b, "pg-family", "ipv4");
  await fill(b, "pg-exchange", String(exchangeId));
  await fill(b, "pg-import", "PEER-IN");
  await fill(b, "pg-export", "PEER-OUT");
  await fill(b, "pg-max-prefix", "100");
  await fill(b, "pg-session-type", "peer");
  await click(b, "pg-save");
  await waitGone(b, "pg-save");
  await waitForText(b, "peering-peer-groups", name);
}

/** Routers → wrench → Host key…: trusts the key the router presents (the lab's, checked against lab.json). */
async function trustHostKey(b, routerName, labKeys) {
  await openPeering(b, "routers");
  const [actions] = await testIdsWithPrefix(b, "router-actions-");
  assert.ok(actions, `a wrench for ${routerName}`);
  await click(b, actions);
  await click(b, "action-host-key");
  await waitFor(b, "hostkey-dialog");
  await waitForText(b, "hostkey-fingerprint", "SHA256:", { timeout: 30_000 });
  const shown = (await textOf(b, "hostkey-fingerprint")).trim();
  assert.ok(
    labKeys.some((fp) => shown.includes(fp)),
    `the fingerprint shown (${shown}) is one of the lab router's keys ${labKeys}`,
  );
  await click(b, "hostkey-trust");
  await waitGone(b, "hostkey-dialog");
}

e2eTest(
  "Configure Sessions for an Approved peer: Select all networks, a changed peer group, Schedule in one hour, Run now in the Scheduler",
  async (ctx) => {
    const lab = withLab ? labUp("configure") : null;
    try {
      const r1 = lab?.router("r1");
      const far = { asn: "64500", name: "Lab far end", ipv4: "192.0.2.100" };
      // The session is made with a group the router lacks; Configure Sessions changes it to the lab's IX-V4.
      const router = lab
        ? {
            ...ROUTER,
            name: "r1",
            mgmtAddress: "127.0.0.1",
            sshPort: r1.ssh_port,
            username: r1.user,
            authMethod: "password",
            password: lab.password,
            ipv4: r1.ipv4,
            peerGroup: "TEST-IX-V4",
            importPolicy: "PEER-IN",
            exportPolicy: "PEER-OUT",
          }
        : { ...ROUTER, name: "r1", mgmtAddress: "127.0.0.1", sshPort: await closedPort(), peerGroup: "TEST-IX-V4" };
      ctx.note(lab ? "router: the FRR lab router r1" : `router: 127.0.0.1:${router.sshPort}, nothing listening (no lab: not root, or PEERDESK_E2E_NO_LAB=1)`);

      await ctx.launch();
      const b = ctx.browser;
      const exchangeId = await addExchange(b, { ...EXCHANGE, name: "Lab IX" });
      await addRouterWithPeerGroup(b, exchangeId, router);
      await addPeerGroup(b, exchangeId, "r1", "IX-V4");
      await addSession(b, { exchangeId, router: "r1", asn: far.asn, name: far.name, ipv4: far.ipv4, peerGroup: "TEST-IX-V4" });
      if (lab) await trustHostKey(b, "r1", Object.values(r1.host_keys).map((k) => k.fingerprint));

      // Communications: Approved (via Request Received), then Configure Sessions.
      const asn = Number(far.asn);
      await click(b, "tab-communications");
      await waitFor(b, `peer-row-${asn}`);
      await peerAction(b, asn, "markRequestReceived");
      await waitForStatus(b, asn, "request_received");
      await peerAction(b, asn, "markApproved");
      await waitForStatus(b, asn, "approved");
      await peerAction(b, asn, "configureSessions");
      await waitFor(b, "configure-dialog");
      await waitFor(b, `configure-exchange-${exchangeId}`);

      const key = `${exchangeId}-${far.ipv4}`;
      assert.equal(await (await waitFor(b, `configure-check-${key}`)).isSelected(), false, "nothing is checked at first");
      await click(b, `configure-select-all-networks-${exchangeId}`);
      assert.equal(await (await waitFor(b, `configure-check-${key}`)).isSelected(), true, "Select all networks checks the exchange's session");
      await fill(b, `configure-pg-${key}`, { text: "IX-V4" });

      const at = await valueOf(b, "configure-schedule-at");
      const minutesAhead = await b.execute((v) => (new Date(v).getTime() - Date.now()) / 60_000, at);
      assert.ok(minutesAhead > 58 && minutesAhead <= 60, `the default time (${at}) is one hour from now (${minutesAhead.toFixed(1)} min)`);
      await click(b, "configure-schedule");
      await waitFor(b, "configure-scheduled", { timeout: 15_000 });
      const said = await textOf(b, "configure-scheduled");
      assert.match(said, /Scheduler/, "it says where to find the job");
      await click(b, "configure-close");
      await waitGone(b, "configure-dialog");

      // The session now has the group chosen in the modal.
      await openSessions(b, exchangeId);
      const [sessionId] = await sessionRowsWith(b, far.ipv4);
      assert.ok(sessionId, `a session row for ${far.ipv4}`);
      await waitForText(b, `session-row-${sessionId}`, "IX-V4");
      assert.doesNotMatch(await textOf(b, `session-row-${sessionId}`), /TEST-IX-V4/, "the peer group was changed");

      // Scheduler: the job, scheduled; Run now; its outcome.
      await click(b, "tab-scheduler");
      await waitFor(b, "scheduler-view");
      // The recurring jobs (PeeringDB sync, state refresh) are listed too: ours is the configuration.
      let configure = [];
      await b.waitUntil(
        async () => {
          configure = [];
          for (const t of await testIdsWithPrefix(b, "job-title-")) {
            if (/configure/i.test(await textOf(b, t))) configure.push(t.slice("job-title-".length));
          }
          return configure.length > 0;
        },
        { timeout: 10_000, timeoutMsg: "no configuration job in the Scheduler tab" },
      );
      assert.equal(configure.length, 1, `one configuration job: ${configure}`);
      const id = configure[0];
      const row = await waitFor(b, `job-row-${id}`);
      assert.equal(await row.getAttribute("data-status"), "scheduled");
      assert.match(await textOf(b, `job-title-${id}`), /1 session/);
      ctx.note(`job ${id}: ${await textOf(b, `job-title-${id}`)} at ${await textOf(b, `job-run-at-${id}`)}`);

      await click(b, `job-run-now-${id}`);
      const want = lab ? "done" : "failed";
      let status = "";
      await b.waitUntil(
        async () => {
          status = (await b.$(`[data-testid="job-row-${id}"]`).getAttribute("data-status")) ?? "";
          return status === "done" || status === "failed";
        },
        { timeout: 150_000, interval: 500, timeoutMsg: `the job did not finish (status ${status})` },
      );
      const result = await textOf(b, `job-result-${id}`);
      ctx.note(`job ${id} ${status}: ${result}`);
      assert.equal(status, want, `the job is ${want}: ${result}`);
      if (lab) {
        await openSessions(b, exchangeId);
        await waitForText(b, `session-row-${sessionId}`, "Established", { timeout: 30_000 });
        const running = vtysh(r1, "show running-config");
        assert.match(running, /neighbor 192\.0\.2\.100 peer-group IX-V4\n/, "the router has the neighbour in the chosen group");
      } else {
        // The router's own error is in the job's log.
        await click(b, `job-log-toggle-${id}`);
        const log = await textOf(b, `job-log-${id}`);
        ctx.note(`job ${id} log: ${log}`);
        assert.match(log, /r1: .*(unreach|refused|connect)/i, `the log says r1 could not be reached: ${log}`);
      }
    } finally {
      if (lab) labDown(lab);
    }
  },
  { timeout: 8 * 60_000 },
);
