// 1 click config in the real app against a real FRR router: the router lab
// (tests/lab/lab.sh: FRR in a network namespace behind its own sshd on
// 127.0.0.1, with a far-end BGP speaker) is started here, the router is added
// through Add Router with its SSH password (kept in the keyring), the session
// through the wizard, and the wrench's 1 click config runs until the Sessions
// list shows Established. Needs root for the namespaces (CI runs as root);
// elsewhere it is skipped with the reason, unless PEERDESK_REQUIRE_LAB=1.

import assert from "node:assert/strict";
import { test } from "node:test";
import { click, e2eTest, textOf, waitFor, waitForText, waitGone } from "../harness.mjs";
import { isRoot, labDown, labUp, vtysh } from "../lab.mjs";
import { EXCHANGE, addExchange, addRouterWithPeerGroup, addSession, openPeering, openSessions, rowAction, sessionRowsWith } from "../flows.mjs";

if (!isRoot && process.env.PEERDESK_REQUIRE_LAB !== "1") {
  test("1 click config against the FRR lab router", { skip: "the router lab needs root for network namespaces (CI runs as root)" }, () => {});
} else {
  e2eTest("1 click config from the wrench menu configures the FRR lab router until the Sessions list shows Established", async (ctx) => {
    const lab = labUp("one-click");
    try {
      const r1 = lab.router("r1");
      const password = lab.password;
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
        password,
        localAsn: "64496",
        ipv4: r1.ipv4,
        // The peer group the lab's FRR router defines, with its route-maps.
        peerGroup: "IX-V4",
        importPolicy: "PEER-IN",
        exportPolicy: "PEER-OUT",
      });
      await addSession(b, { exchangeId, router: "r1", asn: far.asn, name: far.name, ipv4: far.ipv4, peerGroup: "IX-V4" });
      await openSessions(b, exchangeId);
      const [sessionId] = await sessionRowsWith(b, far.ipv4);
      assert.ok(sessionId, `a row for ${far.ipv4}`);

      await rowAction(b, sessionId, "one-click-config");
      // First contact: the router's host key is shown for confirmation.
      await waitFor(b, "hostkey-dialog", { timeout: 30_000 });
      await waitForText(b, "hostkey-fingerprint", "SHA256:", { timeout: 30_000 });
      const shown = (await textOf(b, "hostkey-fingerprint")).trim();
      const labKeys = Object.values(r1.host_keys).map((k) => k.fingerprint);
      assert.ok(labKeys.some((fp) => shown.includes(fp)), `the fingerprint shown (${shown}) is one of r1's keys ${labKeys}`);
      await click(b, "hostkey-trust");
      await waitGone(b, "hostkey-dialog");

      await waitForText(b, "push-proposed", `neighbor ${far.ipv4} remote-as ${far.asn}`, { timeout: 30_000 });
      await waitForText(b, "push-diff", `neighbor ${far.ipv4}`);
      await click(b, "push-send");
      await waitFor(b, "push-result", { timeout: 90_000 });
      const outcome = await b.$('[data-testid="push-result"]').getAttribute("data-outcome");
      assert.equal(outcome, "done", `the push succeeded: ${await textOf(b, "push-result")}`);
      await waitForText(b, "push-bgp-state", "Established");
      await click(b, "push-close");

      await waitForText(b, `session-row-${sessionId}`, "Established", { timeout: 30_000 });
      const running = vtysh(r1, "show running-config");
      assert.match(running, new RegExp(`neighbor ${far.ipv4.replaceAll(".", "\\.")} peer-group IX-V4`), "the router's configuration has the neighbour");

      // The change sent is recorded in the outbox: applied, with the diff reviewed in the dialog.
      await openPeering(b, "outbox");
      await waitFor(b, "outbox-history");
      const rows = await b.$$('[data-testid^="outbox-history-item-"]');
      assert.equal(rows.length, 1, "one change recorded");
      assert.equal(await rows[0].getAttribute("data-status"), "applied");
      assert.match(await rows[0].getText(), new RegExp(far.ipv4.replaceAll(".", "\\.")));
    } finally {
      labDown(lab);
    }
  });
}
