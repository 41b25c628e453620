// Desktop performance figures with 20,000 sessions (a benchmark, not a test:
// it prints figures and fails only when it cannot measure).
//
//   node tests/e2e/bench/perf.mjs          (under a display, e.g. xvfb-run)
//
// Environment: PEERDESK_BENCH_SESSIONS (default 20000), PEERDESK_BENCH_FILTER
// (the 5 characters typed one by one, default "rk 12": the first keystrokes
// match every row, the last ones a few hundred).

import { cpus } from "node:os";
import path from "node:path";
import {
  APP,
  ROOT,
  appPid,
  clearMarks,
  click,
  marks,
  newContext,
  readyLineMs,
  rssKb,
  sleep,
  waitFor,
  byTestId,
} from "../harness.mjs";
import { exchangeIdNamed, openPeering, sessionCount } from "../flows.mjs";

const SESSIONS = Number(process.env.PEERDESK_BENCH_SESSIONS ?? 20000);
const FILTER = process.env.PEERDESK_BENCH_FILTER ?? "rk 12";

const TARGET_COLD_MS = 1000;
const TARGET_FIRST_ROWS_MS = 300;
const TARGET_KEYSTROKE_MS = 50;

const fmt = (ms) => (ms === null || ms === undefined || Number.isNaN(ms) ? "n/a" : `${Math.round(ms)} ms`);
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;

/** Waits until a mark named `name` exists and returns the duration since the latest `from` mark. */
async function measure(b, from, to, timeout = 30_000) {
  let span = null;
  await b
    .waitUntil(
      async () => {
        const all = await marks(b);
        const end = all.filter((m) => m.name === to).at(-1);
        const start = all.filter((m) => m.name === from).at(-1);
        if (end && start && end.startTime >= start.startTime) span = end.startTime - start.startTime;
        return span !== null;
      },
      { timeout, interval: 10 },
    )
    .catch(() => {});
  return span;
}

async function main() {
  const ctx = await newContext("bench");
  const rows = [];
  const row = (what, value, target, ok) => rows.push({ what, value, target: target ?? "", verdict: ok === undefined ? "" : ok ? "ok" : "OVER" });
  let failed = null;
  try {
    // 1. First start on an empty database: seeds SESSIONS sessions, then starts.
    console.log(`bench: starting the app with --seed-sessions ${SESSIONS} on a fresh database`);
    let app = await ctx.launch(["--seed-sessions", String(SESSIONS)], { readyTimeout: 300_000 });
    const seededReady = await readyLineMs(app);
    row("first start incl. seeding: spawn → tab bar", fmt(app.interactiveMs));
    row("first start incl. seeding: app's `ready in`", fmt(seededReady));
    await ctx.stop();

    // 2. Cold start on the same, now full, database.
    app = await ctx.launch();
    const b = ctx.browser;
    const readyMs = await readyLineMs(app);
    row(`cold start (${SESSIONS} sessions): spawn → tab bar`, fmt(app.interactiveMs), `≤ ${TARGET_COLD_MS} ms`, app.interactiveMs <= TARGET_COLD_MS);
    row(`cold start (${SESSIONS} sessions): app's \`ready in\``, fmt(readyMs), `≤ ${TARGET_COLD_MS} ms`, readyMs === null ? undefined : readyMs <= TARGET_COLD_MS);
    row("  WebDriver new-session answered after", fmt(app.sessionMs));

    await sleep(2_000);
    const pid = appPid(ctx.db);
    const idle = pid ? rssKb(pid) : null;
    if (idle) {
      row("idle RSS after start (peerdesk process)", mb(idle.self));
      row("idle RSS after start (with WebKit processes)", mb(idle.withChildren));
    } else {
      row("idle RSS after start", "n/a (process not found)");
    }

    // 3. Open the Bench IX Sessions list.
    const exchangeId = await exchangeIdNamed(b, "Bench IX");
    await openPeering(b, "exchanges");
    await clearMarks(b);
    await click(b, `exchange-sessions-${exchangeId}`);
    const firstRows = await measure(b, "sessions-open", "sessions-painted");
    row("Sessions list: sessions-open → sessions-painted", fmt(firstRows), `≤ ${TARGET_FIRST_ROWS_MS} ms`, firstRows === null ? undefined : firstRows <= TARGET_FIRST_ROWS_MS);
    const listed = await sessionCount(b);
    row("Sessions list: count shown", String(listed));

    // 4. Type into the filter, one character at a time.
    const input = await waitFor(b, "sessions-filter-text");
    await input.click();
    const perKey = [];
    for (const ch of FILTER) {
      await clearMarks(b);
      await input.addValue(ch);
      const span = await measure(b, "filter-start", "filter-painted", 15_000);
      perKey.push(span);
      const count = await sessionCount(b);
      const typed = await byTestId(b, "sessions-filter-text").getValue();
      row(`filter keystroke "${typed}" (${count ?? "?"} rows): filter-start → filter-painted`, fmt(span), `≤ ${TARGET_KEYSTROKE_MS} ms`, span === null ? undefined : span <= TARGET_KEYSTROKE_MS);
    }
    const measured = perKey.filter((x) => x !== null);
    if (measured.length) row("filter keystroke, worst", fmt(Math.max(...measured)), `≤ ${TARGET_KEYSTROKE_MS} ms`, Math.max(...measured) <= TARGET_KEYSTROKE_MS);

    await sleep(2_000);
    const after = pid ? rssKb(pid) : null;
    if (after) {
      row("idle RSS with the list open (peerdesk process)", mb(after.self));
      row("idle RSS with the list open (with WebKit processes)", mb(after.withChildren));
    }
  } catch (e) {
    failed = e;
    await ctx.saveArtifacts(e).catch(() => {});
  } finally {
    await ctx.cleanup(false);
  }

  const w = Math.max(...rows.map((r) => r.what.length), 10);
  const v = Math.max(...rows.map((r) => r.value.length), 8);
  const t = Math.max(...rows.map((r) => r.target.length), 6);
  console.log("");
  console.log(`Peerdesk desktop benchmark: ${SESSIONS} sessions, ${path.relative(ROOT, APP)}${/\/debug\//.test(APP) ? " (debug build)" : ""}, ${cpus().length} CPUs, ${process.env.DISPLAY ? `DISPLAY ${process.env.DISPLAY}` : "no display"}`);
  console.log(`${"measure".padEnd(w)}  ${"value".padStart(v)}  ${"target".padEnd(t)}  verdict`);
  console.log(`${"-".repeat(w)}  ${"-".repeat(v)}  ${"-".repeat(t)}  -------`);
  for (const r of rows) console.log(`${r.what.padEnd(w)}  ${r.value.padStart(v)}  ${r.target.padEnd(t)}  ${r.verdict}`);
  console.log("");
  if (failed) {
    console.error(`bench: could not finish measuring: ${failed.stack ?? failed}`);
    process.exitCode = 1;
  }
}

await main();
