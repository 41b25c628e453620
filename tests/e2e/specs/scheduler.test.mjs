// The Scheduler tab in the real app, driven by core's scheduler task: on first
// start the recurring jobs are there (PeeringDB sync daily, Update Session
// States every 15 minutes); Run now on the state refresh runs it through the
// task (no routers yet: nothing to read), it moves to the history as done and
// its next run is scheduled; a new interval is saved, the pending run is
// replaced by one that follows it, and the setting is still there after a restart.

import assert from "node:assert/strict";
import { click, e2eTest, fill, valueOf, waitFor, waitForText } from "../harness.mjs";

/** The id of the first job listed in `section` whose title starts with `start`, or null. */
async function jobId(b, section, start) {
  const titles = await b.execute(
    (s) =>
      [...document.querySelectorAll(`[data-testid="${s}"] [data-testid^="job-title-"]`)].map((el) => [
        el.getAttribute("data-testid").slice("job-title-".length),
        el.textContent.trim(),
      ]),
    section,
  );
  const hit = titles.find(([, t]) => t.startsWith(start));
  return hit ? Number(hit[0]) : null;
}

async function openScheduler(b) {
  await click(b, "tab-scheduler");
  await waitFor(b, "scheduler-view");
  await waitFor(b, "jobs-active");
}

e2eTest("recurring jobs run through the scheduler task, move to the history and follow their settings", async (ctx) => {
  await ctx.launch();
  const b = ctx.browser;
  await openScheduler(b);

  await b.waitUntil(async () => (await jobId(b, "jobs-active", "Update Session States")) !== null, {
    timeout: 10_000,
    timeoutMsg: "the state refresh was not scheduled at start",
  });
  assert.notEqual(await jobId(b, "jobs-active", "PeeringDB sync (daily)"), null, "the daily PeeringDB sync is scheduled");
  const refresh = await jobId(b, "jobs-active", "Update Session States on every router (every 15 min)");
  assert.notEqual(refresh, null, "every 15 minutes by default");

  await click(b, `job-run-now-${refresh}`);
  await b.waitUntil(async () => (await jobId(b, "jobs-history", "Update Session States")) === refresh, {
    timeout: 20_000,
    timeoutMsg: "the refresh did not finish into the history",
  });
  await waitForText(b, `job-status-${refresh}`, "Done");
  await waitForText(b, `job-result-${refresh}`, "0 of 0 routers read");
  const next = await jobId(b, "jobs-active", "Update Session States");
  assert.ok(next !== null && next !== refresh, "the next run is scheduled as a new job");

  await fill(b, "jobs-refresh-every", "30");
  await click(b, "jobs-settings-save");
  await b.waitUntil(
    async () => (await jobId(b, "jobs-active", "Update Session States on every router (every 30 min)")) !== null,
    { timeout: 10_000, timeoutMsg: "the pending refresh did not follow the new interval" },
  );
  await waitForText(b, `job-status-${next}`, "Cancelled");
  await waitForText(b, `job-result-${next}`, "replaced by new settings");

  await ctx.restart();
  await openScheduler(ctx.browser);
  await ctx.browser.waitUntil(async () => (await valueOf(ctx.browser, "jobs-refresh-every")) === "30", {
    timeout: 10_000,
    timeoutMsg: "the interval did not survive a restart",
  });
});
