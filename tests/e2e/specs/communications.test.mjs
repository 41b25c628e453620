// Guide step 5 in the real app: Mark Existing shows the green check, Send
// Request reaches a real SMTP server on this machine and moves the peer to
// Request Sent, Mark Approved, and Reset Status returns to the start.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { ROOT, click, e2eTest, fill, selectOption, waitFor } from "../harness.mjs";
import { PEER, addExchange, addRouterWithPeerGroup, addSession, dismissToasts, waitForToast } from "../flows.mjs";

/** aiosmtpd on 127.0.0.1 (plain SMTP, allowed to this machine only), stopped by its PID. */
async function startSmtp(store) {
  const child = spawn("/usr/bin/python3", [path.join(ROOT, "tests/smtp/server.py"), "--store", store, "--max-seconds", "300"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the SMTP server exited (${code})`)));
  });
  const port = Number(String(line).replace("LISTENING ", ""));
  assert.ok(port > 0, `the SMTP server said ${line}`);
  return { port, stop: () => child.kill("SIGTERM") };
}

async function statusOf(b, asn) {
  const el = await waitFor(b, `peer-status-${asn}`);
  return el.getAttribute("data-status");
}

async function waitForStatus(b, asn, status) {
  await b.waitUntil(async () => (await statusOf(b, asn)) === status, {
    timeout: 10_000,
    interval: 100,
    timeoutMsg: `AS${asn} did not become ${status}`,
  });
}

async function peerAction(b, asn, action) {
  await click(b, `peer-actions-${asn}`);
  await click(b, `action-${action}`);
}

e2eTest("a peer is marked Existing, sent a request by email, approved, and reset", async (ctx) => {
  const store = path.join(ctx.dir, "mail");
  const smtp = await startSmtp(store);
  try {
    await ctx.launch();
    const b = ctx.browser;
    const exchangeId = await addExchange(b);
    await addRouterWithPeerGroup(b, exchangeId);
    await addSession(b, { exchangeId });

    await click(b, "tab-settings");
    await fill(b, "settings-own-asns", "64496");
    await fill(b, "settings-org-name", "Example Networks");
    await dismissToasts(b);
    await click(b, "settings-save");
    await waitForToast(b, "success");
    await fill(b, "smtp-host", "127.0.0.1");
    await fill(b, "smtp-port", String(smtp.port));
    await selectOption(b, "smtp-security", { value: "plain" });
    await fill(b, "smtp-from-name", "Alex Example");
    await fill(b, "smtp-from-address", "peering@example.net");
    await dismissToasts(b);
    await click(b, "smtp-save");
    await waitForToast(b, "success");

    const asn = Number(PEER.asn);
    await click(b, "tab-communications");
    await waitFor(b, `peer-row-${asn}`);
    assert.equal(await statusOf(b, asn), "new", "a peer starts with no status");

    await peerAction(b, asn, "markExisting");
    await waitForStatus(b, asn, "existing");
    const icon = await waitFor(b, `peer-status-${asn}`);
    ctx.note(`Existing shows: ${await icon.getAttribute("title") ?? (await icon.getText())}`);
    await click(b, `peer-actions-${asn}`);
    assert.equal(await b.$('[data-testid="action-sendRequest"]').isExisting(), false, "Existing removes the email request options");
    await b.keys("Escape");

    await peerAction(b, asn, "resetStatus");
    await waitForStatus(b, asn, "new");

    await peerAction(b, asn, "sendRequest");
    await waitFor(b, "email-body");
    const subject = await (await waitFor(b, "email-subject")).getValue();
    assert.equal(subject, "Peering request: AS64496 Example Networks / AS64500 Example Peer", "the subject is prefilled");
    await fill(b, "email-to", "noc@peer.example.com");
    await dismissToasts(b);
    await click(b, "email-send");
    await waitForToast(b, "success");
    await waitForStatus(b, asn, "request_sent");

    const file = path.join(store, "1.json");
    await b.waitUntil(async () => existsSync(file), { timeout: 10_000, timeoutMsg: "no message reached the SMTP server" });
    const got = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(got.headers.To, "noc@peer.example.com");
    assert.equal(got.headers.Subject, subject);
    assert.match(got.headers["Message-ID"], /^<peerdesk\.64500\..+@example\.net>$/);
    assert.match(got.body, /Test IX Frankfurt/, "the body names the exchange we share");
    assert.equal(existsSync(path.join(store, "2.json")), false, "exactly one message");

    await peerAction(b, asn, "markApproved");
    await waitForStatus(b, asn, "approved");
    await peerAction(b, asn, "resetStatus");
    await waitForStatus(b, asn, "new");
  } finally {
    smtp.stop();
  }
});
