// Bad input in the Add Session wizard is refused next to the field that holds
// it, and nothing reaches the database.

import assert from "node:assert/strict";
import { click, dbCount, e2eTest, exists, isShown, sleep, textOf, textsWithPrefix, waitFor } from "../harness.mjs";
import {
  PEER,
  addExchange,
  addRouterWithPeerGroup,
  addSession,
  dismissModal,
  fillSessionWizard,
  openSessions,
  sessionCount,
  sessionFields,
} from "../flows.mjs";

/**
 * Fills the wizard and tries to go on (Next, then Save on the last step) until
 * one of `errorIds` shows; returns the id that showed.
 */
async function refusedWith(b, fields, errorIds) {
  const shownOf = async () => {
    for (const id of errorIds) if (await isShown(b, id)) return id;
    return null;
  };
  const early = await fillSessionWizard(b, fields, { errorIds });
  if (early) return early;
  for (let i = 0; i < 6; i++) {
    await sleep(200); // a field may be checked as it is typed
    const shown = await shownOf();
    if (shown) return shown;
    if (await isShown(b, "wizard-next")) await click(b, "wizard-next");
    else if (await isShown(b, "session-save")) await click(b, "session-save");
    await b.waitUntil(async () => Boolean(await shownOf()), { timeout: 3_000, interval: 50 }).catch(() => {});
  }
  const errors = await textsWithPrefix(b, "error-");
  throw new Error(`none of ${errorIds.join(", ")} showed; errors on screen: ${JSON.stringify(errors)}`);
}

async function closeWizard(b) {
  for (const id of ["session-save", "wizard-next", "session-asn"]) {
    if (await exists(b, id)) return dismissModal(b, id);
  }
}

async function assertStoredSessions(ctx, exchangeId, expected, why) {
  const b = ctx.browser;
  await openSessions(b, exchangeId);
  assert.equal(await sessionCount(b), expected, why);
  const stored = dbCount(ctx.db, "sessions");
  if (stored !== null) assert.equal(stored, expected, `${why} (database file)`);
}

e2eTest("the wizard refuses ASN 0, an address outside the exchange and a duplicate address, and writes nothing", async (ctx) => {
  await ctx.launch();
  const b = ctx.browser;
  const exchangeId = await addExchange(b);
  await addRouterWithPeerGroup(b, exchangeId);

  assert.equal(
    await refusedWith(b, sessionFields({ exchangeId, asn: "0" }), ["error-asn"]),
    "error-asn",
    "ASN 0 is reserved and is refused at the ASN field",
  );
  ctx.note(`ASN 0: ${await textOf(b, "error-asn")}`);
  await closeWizard(b);
  await assertStoredSessions(ctx, exchangeId, 0, "a refused ASN adds no session");

  assert.equal(
    await refusedWith(b, sessionFields({ exchangeId, ipv4: "198.51.100.7" }), ["error-peerIpv4"]),
    "error-peerIpv4",
    "198.51.100.7 is outside the exchange's 192.0.2.0/24 and is refused at the IPv4 field",
  );
  ctx.note(`198.51.100.7: ${await textOf(b, "error-peerIpv4")}`);
  await closeWizard(b);
  await assertStoredSessions(ctx, exchangeId, 0, "an address outside the exchange adds no session");

  await addSession(b, { exchangeId });
  await assertStoredSessions(ctx, exchangeId, 1, "the valid session is added");

  const shown = await refusedWith(b, sessionFields({ exchangeId, asn: "64501", name: "Second Peer", ipv4: PEER.ipv4 }), [
    "error-peerIpv4",
    "error-peerIp",
    "form-error",
  ]);
  await waitFor(b, shown);
  ctx.note(`duplicate address refused at ${shown}: ${await textOf(b, shown)}`);
  await closeWizard(b);
  await assertStoredSessions(ctx, exchangeId, 1, "the duplicate address adds no session");
});
