// A router with a new peer group, then a session through the Add Session
// wizard, edited and deleted through the wrench menu; it and its note survive a
// restart on the same database.

import assert from "node:assert/strict";
import { click, dbCount, e2eTest, fill, valueOf, waitFor, waitForText, waitGone } from "../harness.mjs";
import {
  PEER,
  ROUTER,
  addExchange,
  addRouterWithPeerGroup,
  addSession,
  dismissModal,
  openSessions,
  rowAction,
  sessionCount,
  sessionRowsWith,
} from "../flows.mjs";

e2eTest("a session added through the wizard is listed, edited, kept across a restart and deleted", async (ctx) => {
  await ctx.launch();
  let b = ctx.browser;

  const exchangeId = await addExchange(b);
  await addRouterWithPeerGroup(b, exchangeId);
  await addSession(b, { exchangeId, notes: "" });

  await openSessions(b, exchangeId);
  await waitForText(b, "sessions-view", PEER.name);
  const [sessionId] = await sessionRowsWith(b, PEER.ipv4);
  assert.ok(sessionId, `the exchange's Sessions list shows a row for ${PEER.ipv4}`);
  await waitForText(b, `session-row-${sessionId}`, PEER.name);
  await waitForText(b, `session-row-${sessionId}`, PEER.asn);
  await waitForText(b, `session-row-${sessionId}`, ROUTER.name);
  await waitForText(b, `session-row-${sessionId}`, ROUTER.peerGroup); // the router's IPv4 group, chosen in the wizard
  assert.equal(await sessionCount(b), 1, "one session was added, so the list counts one");

  await rowAction(b, sessionId, "edit");
  await waitFor(b, "edit-session-notes");
  await fill(b, "edit-session-notes", "LOA signed 2026-11-27");
  await click(b, "edit-session-save");
  await waitGone(b, "edit-session-save");
  await waitForText(b, `session-row-${sessionId}`, "LOA signed 2026-11-27");

  await ctx.restart();
  b = ctx.browser;
  await openSessions(b, exchangeId);
  await waitForText(b, `session-row-${sessionId}`, PEER.name);
  await waitForText(b, `session-row-${sessionId}`, PEER.ipv4);
  assert.equal(await sessionCount(b), 1, "the session is still there after a restart");

  await rowAction(b, sessionId, "edit");
  await waitFor(b, "edit-session-notes");
  assert.equal(await valueOf(b, "edit-session-notes"), "LOA signed 2026-11-27", "the edited note was saved to the database");
  await dismissModal(b, "edit-session-save");

  await rowAction(b, sessionId, "delete");
  await click(b, "delete-ok"); // not on a router: a plain confirmation, no "peer" to type
  await waitGone(b, `session-row-${sessionId}`);
  assert.equal(await sessionCount(b), 0, "the deleted session is no longer counted");
  const stored = dbCount(ctx.db, "sessions");
  if (stored !== null) assert.equal(stored, 0, "the session row is gone from the database file");
});
