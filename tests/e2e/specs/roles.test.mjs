// The Admin / Coordinator role in the real app with the real keyring: an Admin
// sets a passphrase, switches to Coordinator, finds Data Import closed to them,
// is refused with a wrong passphrase, gets back in with the right one, and
// Data Import opens again. The passphrase never reaches the database file.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { click, e2eTest, exists, isShown, typeInto, waitFor, waitGone, waitForText } from "../harness.mjs";

const PASSPHRASE = "e2e admin passphrase 7f3a";

async function role(b) {
  const el = await waitFor(b, "role-current");
  return el.getAttribute("data-role");
}

async function openSettings(b) {
  await click(b, "tab-settings");
  await waitFor(b, "settings-role");
}

async function openDataImport(b) {
  await click(b, "tab-admin");
  await click(b, "subtab-import");
  await waitFor(b, "admin-import");
}

function databaseBytes(db) {
  return ["", "-wal"].map((suffix) => {
    try {
      return readFileSync(db + suffix).toString("latin1");
    } catch {
      return "";
    }
  }).join("");
}

e2eTest("a passphrase guards switching back to Admin, and Data Import is closed to a Coordinator", async (ctx) => {
  await ctx.launch();
  const b = ctx.browser;

  await openSettings(b);
  assert.equal(await role(b), "admin", "a new database starts as Admin");
  await click(b, "passphrase-set");
  await typeInto(b, "passphrase-new", PASSPHRASE);
  await typeInto(b, "passphrase-confirm", PASSPHRASE);
  await click(b, "passphrase-save");
  await waitGone(b, "passphrase-dialog");
  await waitForText(b, "passphrase-status", "asks for the Admin passphrase");

  await click(b, "role-switch-coordinator");
  await b.waitUntil(async () => (await role(b)) === "coordinator", { timeout: 10_000 });
  assert.equal(await exists(b, "passphrase-set"), false, "a Coordinator cannot change the passphrase");

  await openDataImport(b);
  await waitForText(b, "import-forbidden", "needs the Admin role");
  assert.equal(await exists(b, "import-scan"), false, "a Coordinator gets no Scan");

  await openSettings(b);
  await click(b, "role-switch-admin");
  await typeInto(b, "role-passphrase", "not the passphrase");
  await click(b, "role-passphrase-ok");
  await waitForText(b, "error-passphrase", "not the Admin passphrase");
  await click(b, "role-passphrase-cancel");
  await waitGone(b, "role-passphrase-dialog");
  assert.equal(await role(b), "coordinator", "a wrong passphrase changes nothing");

  await click(b, "role-switch-admin");
  await typeInto(b, "role-passphrase", PASSPHRASE);
  await click(b, "role-passphrase-ok");
  await waitGone(b, "role-passphrase-dialog");
  await b.waitUntil(async () => (await role(b)) === "admin", { timeout: 10_000 });

  await openDataImport(b);
  await waitFor(b, "import-scan");
  assert.equal(await isShown(b, "import-forbidden"), false);

  assert.ok(!databaseBytes(ctx.db).includes(PASSPHRASE), "the passphrase is not in the database file");

  // Leave the keyring as it was found.
  await openSettings(b);
  await click(b, "passphrase-clear");
  await typeInto(b, "passphrase-current", PASSPHRASE);
  await click(b, "passphrase-save");
  await waitGone(b, "passphrase-dialog");
  await waitForText(b, "passphrase-status", "No Admin passphrase is set");
});
