// User flows shared by the specs, written against docs/ipc-and-testids.md:
// what a person does with the mouse and keyboard, one function per task.

import assert from "node:assert/strict";
import {
  click,
  exists,
  fill,
  firstNumber,
  isShown,
  sleep,
  testIdsWithPrefix,
  textOf,
  textsWithPrefix,
  waitFor,
  waitGone,
  waitForText,
} from "./harness.mjs";

/** The test exchange of the specs (documentation prefixes only). */
export const EXCHANGE = {
  name: "Test IX Frankfurt",
  city: "Frankfurt",
  country: "DE",
  prefixV4: "192.0.2.0/24",
  prefixV6: "2001:db8:1::/64",
};

export const ROUTER = {
  name: "edge1.test",
  mgmtAddress: "203.0.113.1",
  platform: "frr",
  username: "peerdesk",
  // "agent" keeps secrets out of the flow: no keyring is needed to add it.
  authMethod: "agent",
  localAsn: "64496",
  ipv4: "192.0.2.1",
  peerGroup: "TEST-IX-V4",
};

export const PEER = { asn: "64500", name: "Example Peer", ipv4: "192.0.2.10" };

/** Goes to a Peering sub-view ("exchanges", "routers", "peer-groups"). */
export async function openPeering(b, sub = "exchanges") {
  await click(b, "tab-peering");
  if (!(await isShown(b, `peering-${sub}`))) await click(b, `subtab-${sub}`);
  await waitFor(b, `peering-${sub}`);
}

/** Ids of the exchanges in the Exchanges list, by name. */
export async function exchangeIdsByName(b) {
  await openPeering(b, "exchanges");
  const rows = await textsWithPrefix(b, "exchange-row-");
  const byName = {};
  for (const [testId, text] of Object.entries(rows)) {
    const id = Number(testId.slice("exchange-row-".length));
    if (Number.isInteger(id)) byName[text] = id;
  }
  return byName;
}

export async function exchangeIdNamed(b, name) {
  const rows = await exchangeIdsByName(b);
  const hit = Object.entries(rows).find(([text]) => text.includes(name));
  assert.ok(hit, `no exchange row mentions "${name}"; rows: ${JSON.stringify(Object.keys(rows))}`);
  return hit[1];
}

export async function addExchange(b, ex = EXCHANGE) {
  await openPeering(b, "exchanges");
  const before = new Set(await testIdsWithPrefix(b, "exchange-row-"));
  await click(b, "add-exchange-button");
  await fill(b, "exchange-name", ex.name);
  await fill(b, "exchange-city", ex.city);
  await fill(b, "exchange-country", ex.country);
  await fill(b, "exchange-prefix-v4", ex.prefixV4);
  await fill(b, "exchange-prefix-v6", ex.prefixV6);
  await click(b, "exchange-save");
  await waitGone(b, "exchange-save");
  let added;
  await b.waitUntil(
    async () => {
      added = (await testIdsWithPrefix(b, "exchange-row-")).find((id) => !before.has(id));
      return Boolean(added);
    },
    { timeout: 10_000, timeoutMsg: `no new exchange row after saving "${ex.name}"` },
  );
  await waitForText(b, added, ex.name);
  return Number(added.slice("exchange-row-".length));
}

/** Add Router with its exchange attachment and a new peer group, in one dialog. */
export async function addRouterWithPeerGroup(b, exchangeId, r = ROUTER) {
  await openPeering(b, "routers");
  await click(b, "add-router-button");
  await fill(b, "router-name", r.name);
  await fill(b, "router-mgmt-address", r.mgmtAddress);
  await fill(b, "router-ssh-port", String(r.sshPort ?? 22));
  await fill(b, "router-platform", r.platform);
  await fill(b, "router-username", r.username);
  await fill(b, "router-auth-method", r.authMethod);
  if (r.password !== undefined) await fill(b, "router-password", r.password);
  await fill(b, "router-local-asn", r.localAsn);
  await fill(b, `router-attach-${exchangeId}`, true);
  await fill(b, `router-attach-ipv4-${exchangeId}`, r.ipv4);
  await fill(b, "router-new-peer-group", true);
  await fill(b, "pg-name", r.peerGroup);
  await fill(b, "pg-family", "ipv4");
  await fill(b, "pg-exchange", String(exchangeId));
  await fill(b, "pg-import", r.importPolicy ?? "IMPORT-TEST-IX");
  await fill(b, "pg-export", r.exportPolicy ?? "EXPORT-TEST-IX");
  await fill(b, "pg-max-prefix", "100");
  await fill(b, "pg-session-type", "peer");
  await click(b, "router-save");
  await waitGone(b, "router-save");
  await waitForText(b, "peering-routers", r.name);
}

async function shownOf(b, ids) {
  for (const id of ids) if (await isShown(b, id)) return id;
  return null;
}

/**
 * Makes a wizard field reachable: when it is not on the current step, presses
 * Next (the fields of the earlier steps are filled by then). Stops early and
 * returns the id of an error in `errorIds` if one shows.
 */
async function reach(b, id, errorIds = []) {
  for (let i = 0; i < 6; i++) {
    const error = await shownOf(b, errorIds);
    if (error) return error;
    if (await isShown(b, id)) return null;
    if (await isShown(b, "wizard-next")) {
      await click(b, "wizard-next");
      await b
        .waitUntil(async () => (await isShown(b, id)) || Boolean(await shownOf(b, errorIds)), { timeout: 3_000, interval: 50 })
        .catch(() => {});
    } else {
      await sleep(200);
    }
  }
  const error = await shownOf(b, errorIds);
  if (error) return error;
  await waitFor(b, id, { timeout: 2_000 });
  return null;
}

/**
 * Opens Add Session and fills it step by step; `fields` is [[testid, value], ...]
 * in wizard order. With `errorIds`, stops as soon as one of those errors shows
 * (a step refused to go on) and returns its id; otherwise returns null.
 */
export async function fillSessionWizard(b, fields, { errorIds = [] } = {}) {
  await click(b, "tab-peering");
  await click(b, "add-session-button");
  for (const [id, value] of fields) {
    const error = await reach(b, id, errorIds);
    if (error) return error;
    await fill(b, id, value);
  }
  return null;
}

export function sessionFields({ exchangeId, router = ROUTER.name, asn = PEER.asn, name = PEER.name, ipv4 = PEER.ipv4, peerGroup = ROUTER.peerGroup, notes }) {
  const fields = [
    ["session-type", "peer"],
    ["session-exchange", String(exchangeId)],
    ["session-router", { textContains: router }],
    ["session-asn", asn],
    ["session-peer-name", name],
    ["session-ipv4", ipv4],
    ["session-pg-v4", { textContains: peerGroup }],
  ];
  if (notes !== undefined) fields.push(["session-notes", notes]);
  return fields;
}

/** Presses Save on the wizard (pressing Next first while there are more steps). */
export async function submitWizard(b) {
  await reach(b, "session-save");
  await click(b, "session-save");
}

export async function addSession(b, opts) {
  await fillSessionWizard(b, sessionFields(opts));
  await submitWizard(b);
  await waitGone(b, "session-save", { timeout: 10_000 }).catch(async (e) => {
    const errors = await textsWithPrefix(b, "error-");
    const form = (await exists(b, "form-error")) ? await textOf(b, "form-error") : "";
    throw new Error(`the Add Session wizard stayed open: ${JSON.stringify(errors)} ${form}`, { cause: e });
  });
}

/** Opens the Sessions list of an exchange and waits for it. */
export async function openSessions(b, exchangeId) {
  await openPeering(b, "exchanges");
  await click(b, exchangeId === null ? "exchange-sessions-none" : `exchange-sessions-${exchangeId}`);
  await waitFor(b, "sessions-view");
  await waitFor(b, "sessions-count");
}

/** The number the Sessions list says it holds. */
export async function sessionCount(b) {
  let text = "";
  await b.waitUntil(
    async () => {
      text = await textOf(b, "sessions-count");
      return /\d/.test(text);
    },
    { timeout: 30_000, interval: 50, timeoutMsg: "sessions-count never showed a number" },
  );
  return firstNumber(text);
}

/** Session ids of the rows whose text contains `text`. */
export async function sessionRowsWith(b, text) {
  const rows = await textsWithPrefix(b, "session-row-");
  return Object.entries(rows)
    .filter(([, t]) => t.includes(text))
    .map(([id]) => Number(id.slice("session-row-".length)));
}

export async function rowAction(b, sessionId, action) {
  await click(b, `row-actions-${sessionId}`);
  await click(b, `action-${action}`);
}

/**
 * Closes whatever modal is open without saving: Escape, then a Cancel/Close
 * button inside the dialog. `stillOpenId` is a testid that exists only while
 * the modal is open.
 */
export async function dismissModal(b, stillOpenId) {
  await b.keys("Escape");
  await sleep(300);
  if (!(await exists(b, stillOpenId))) return;
  const clicked = await b.execute(() => {
    const dialogs = [...document.querySelectorAll('dialog[open], [role="dialog"], [aria-modal="true"]')];
    for (const dialog of dialogs.reverse()) {
      const button = [...dialog.querySelectorAll("button")].find((x) =>
        /^(cancel|close|×|✕)$/i.test(x.textContent.trim()) ||
        /cancel|close/i.test(x.getAttribute("aria-label") ?? "") ||
        /-cancel$|-close$/.test(x.getAttribute("data-testid") ?? ""),
      );
      if (button) {
        button.click();
        return true;
      }
    }
    return false;
  });
  if (!clicked) throw new Error(`could not close the dialog holding [data-testid="${stillOpenId}"]`);
  await waitGone(b, stillOpenId, { timeout: 5_000 });
}

/** Admin → Data. */
export async function openAdminData(b) {
  await click(b, "tab-admin");
  if (!(await isShown(b, "admin-export-inventory"))) {
    for (const id of ["subtab-data", "admin-data"]) {
      if (await isShown(b, id)) {
        await click(b, id);
        break;
      }
    }
  }
  await waitFor(b, "admin-export-inventory");
}

/** Presses OK on the confirmation dialog if one is showing (or appears within `ms`). */
export async function confirmIfAsked(b, ms = 1_500) {
  const asked = await b.waitUntil(() => isShown(b, "confirm-ok"), { timeout: ms, interval: 50 }).catch(() => false);
  if (asked) {
    await click(b, "confirm-ok");
    await waitGone(b, "confirm-ok");
  }
}

/** Dismisses every toast on screen, so the next wait sees only the toasts of what comes next. */
export async function dismissToasts(b) {
  await b.execute(() => {
    for (const toast of document.querySelectorAll('[data-testid="toast"]')) {
      (toast.querySelector('button[aria-label="Dismiss"], button') ?? toast).click();
    }
  });
  await b
    .waitUntil(async () => !(await exists(b, "toast")), { timeout: 5_000, interval: 50 })
    .catch(() => {
      throw new Error("the toasts on screen could not be dismissed");
    });
}

/** Waits for a toast of the given kind and returns its text (dismiss the old ones first). */
export async function waitForToast(b, kind, { timeout = 15_000 } = {}) {
  let seen = [];
  const found = await b
    .waitUntil(
      async () => {
        seen = await b.execute(() =>
          [...document.querySelectorAll('[data-testid="toast"]')].map((t) => ({ kind: t.getAttribute("data-kind"), text: t.textContent.trim() })),
        );
        return seen.find((t) => t.kind === kind) ?? false;
      },
      { timeout, interval: 50 },
    )
    .catch(() => null);
  assert.ok(found, `no ${kind} toast within ${timeout} ms; toasts seen: ${JSON.stringify(seen)}`);
  return found.text;
}
