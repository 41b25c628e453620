// Desktop end-to-end harness: runs the real Peerdesk binary in WebKitWebDriver
// through tauri-driver and drives it with webdriverio (WebDriver classic).
//
// Each launch starts its own tauri-driver (port 4444; it starts WebKitWebDriver
// on 4445) because the app inherits its environment from the driver, and each
// test needs its own PEERDESK_TEST_DIALOG_DIR. Every app gets `--db <temp file>`,
// so the processes this harness started can be told apart from anything else on
// the machine by that path. Nothing here signals a process it did not start.

import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, createWriteStream, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import net from "node:net";
import { tmpdir, homedir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const APP = process.env.PEERDESK_APP ?? path.join(ROOT, "target/debug/peerdesk");
export const ARTIFACTS = path.join(ROOT, "tests/e2e/artifacts");
const DRIVER_PORT = 4444;
const NATIVE_PORT = 4445;
const DEFAULT_TIMEOUT = 15_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// processes

function findTauriDriver() {
  if (process.env.TAURI_DRIVER) return process.env.TAURI_DRIVER;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "tauri-driver");
    if (dir && existsSync(candidate)) return candidate;
  }
  const cargoHome = process.env.CARGO_HOME ?? path.join(homedir(), ".cargo");
  const candidate = path.join(cargoHome, "bin", "tauri-driver");
  if (existsSync(candidate)) return candidate;
  throw new Error("tauri-driver not found: run `PEERDESK_NEED_DRIVER=1 scripts/deps.sh`");
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

async function waitForFreePorts(ports, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const busy = [];
    for (const p of ports) if (!(await portIsFree(p))) busy.push(p);
    if (busy.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `port(s) ${busy.join(", ")} on 127.0.0.1 are in use by a process this harness did not start; ` +
          "stop it (another tauri-driver or WebKitWebDriver?) and run the tests again",
      );
    }
    await sleep(250);
  }
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child, timeoutMs) {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startDriver(env, logFile) {
  await waitForFreePorts([DRIVER_PORT, NATIVE_PORT]);
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(findTauriDriver(), ["--port", String(DRIVER_PORT), "--native-port", String(NATIVE_PORT)], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const driver = { child, log, logFile, output: "", spawnedAt: performance.now() };
  const collect = (chunk) => {
    driver.output += chunk.toString();
    log.write(chunk);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited(child)) throw new Error(`tauri-driver exited early (${child.exitCode ?? child.signalCode}):\n${driver.output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${DRIVER_PORT}/status`);
      if (res.ok) return driver;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopDriver(driver);
      throw new Error(`tauri-driver did not answer on port ${DRIVER_PORT}:\n${driver.output}`);
    }
    await sleep(200);
  }
}

/** SIGTERM, then wait: tauri-driver stops WebKitWebDriver itself; SIGKILL would orphan WebKit. */
async function stopDriver(driver) {
  const { child } = driver;
  if (!exited(child)) {
    child.kill("SIGTERM");
    if (!(await waitForExit(child, 15_000))) {
      console.error(`# tauri-driver (pid ${child.pid}) ignored SIGTERM for 15 s; sending SIGKILL to it`);
      child.kill("SIGKILL");
      await waitForExit(child, 5_000);
    }
  }
  await new Promise((r) => driver.log.end(r));
}

/** PIDs of processes whose command line contains `needle` (our unique temp db path). */
export function pidsWithArg(needle) {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv.includes(needle) || argv.some((a) => a.includes(needle))) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** The peerdesk process started for this database (argv[0] ends in peerdesk). */
export function appPid(dbPath) {
  for (const pid of pidsWithArg(dbPath)) {
    try {
      const argv0 = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0];
      if (path.basename(argv0) === path.basename(APP)) return pid;
    } catch {
      // gone
    }
  }
  return null;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An app left behind after its driver stopped: it is ours (our temp db path in its argv). */
async function reapApp(dbPath) {
  const pids = pidsWithArg(dbPath);
  if (pids.length === 0) return;
  console.error(`# app process(es) ${pids.join(", ")} still running after the driver stopped; SIGTERM`);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(100);
  for (const pid of pids.filter(alive)) {
    console.error(`# app process ${pid} ignored SIGTERM; SIGKILL`);
    process.kill(pid, "SIGKILL");
  }
}

/** Resident set size in kB from /proc/<pid>/status, and the sum over its descendants (WebKit processes). */
export function rssKb(pid) {
  const read = (p) => {
    try {
      const m = readFileSync(`/proc/${p}/status`, "utf8").match(/^VmRSS:\s+(\d+)\s+kB/m);
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  };
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const m = readFileSync(`/proc/${entry}/status`, "utf8").match(/^PPid:\s+(\d+)/m);
      if (!m) continue;
      const ppid = Number(m[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone
    }
  }
  const self = read(pid);
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    total += read(p);
    stack.push(...(children.get(p) ?? []));
  }
  return { self, withChildren: total };
}

// ---------------------------------------------------------------------------
// launching the app

/**
 * Starts tauri-driver and the app on `db` with `dialogDir` as its
 * PEERDESK_TEST_DIALOG_DIR, and waits until the tab bar is present.
 * Returns timings measured from the moment the session request was sent
 * (WebKitWebDriver spawns the app while answering it).
 */
export async function launchApp({ db, dialogDir, args = [], logFile, readyTimeout = 60_000, env = {} }) {
  if (!existsSync(APP)) {
    throw new Error(`${APP} does not exist: build it with \`cargo build -p peerdesk --features peerdesk/custom-protocol\``);
  }
  const driverEnv = { ...process.env, PEERDESK_DB: db, PEERDESK_TEST_DIALOG_DIR: dialogDir, ...env };
  const driver = await startDriver(driverEnv, logFile);
  const spawnedAt = performance.now();
  let browser;
  try {
    browser = await remote({
      hostname: "127.0.0.1",
      port: DRIVER_PORT,
      logLevel: process.env.WDIO_LOG_LEVEL ?? "error",
      connectionRetryTimeout: 120_000,
      connectionRetryCount: 0,
      capabilities: {
        browserName: "wry",
        "tauri:options": { application: APP, args: ["--db", db, ...args] },
        "wdio:enforceWebDriverClassic": true,
      },
    });
  } catch (e) {
    await stopDriver(driver);
    await reapApp(db);
    throw new Error(`could not start a WebDriver session with the app: ${e.message}\n--- driver log ---\n${driver.output}`);
  }
  const sessionAt = performance.now();
  const app = { browser, driver, db, dialogDir, spawnedAt };
  running.add(app);
  try {
    await byTestId(browser, "tab-peering").waitForExist({ timeout: readyTimeout, interval: 20 });
  } catch (e) {
    await closeApp(app).catch(() => {});
    throw new Error(`the tab bar (tab-peering) did not appear within ${readyTimeout} ms: ${e.message}\n--- driver log ---\n${driver.output}`);
  }
  app.sessionMs = sessionAt - spawnedAt;
  app.interactiveMs = performance.now() - spawnedAt;
  return app;
}

/** The app's own `peerdesk: ready in <ms> ms` figure, if it printed one. */
export async function readyLineMs(app, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = app.driver.output.match(/peerdesk: ready in (\d+(?:\.\d+)?) ms/);
    if (m) return Number(m[1]);
    if (Date.now() > deadline) return null;
    await sleep(100);
  }
}

// Apps running now, so an interrupted run (Ctrl-C, CI timeout) still stops what it started.
const running = new Set();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, async () => {
    console.error(`# ${signal}: stopping the ${running.size} app(s) this run started`);
    await Promise.allSettled([...running].map((app) => closeApp(app)));
    process.exit(130);
  });
}

export async function closeApp(app) {
  if (!app || app.closed) return;
  app.closed = true;
  running.delete(app);
  try {
    let timer;
    await Promise.race([
      app.browser.deleteSession(),
      new Promise((r) => {
        timer = setTimeout(r, 15_000);
      }),
    ]);
    clearTimeout(timer);
  } catch {
    // the app may already be gone
  }
  await stopDriver(app.driver);
  await reapApp(app.db);
}

// ---------------------------------------------------------------------------
// a test: fresh database and dialog folder, artifacts on failure

let counter = 0;

/** A place for one test: a fresh temp folder with the db path and the dialog folder. */
export async function newContext(name) {
  const slug = `${String(++counter).padStart(2, "0")}-${name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase()}`;
  const dir = await mkdtemp(path.join(tmpdir(), "peerdesk-e2e-"));
  const dialogDir = path.join(dir, "dialogs");
  mkdirSync(dialogDir);
  const ctx = {
    name,
    slug,
    dir,
    db: path.join(dir, "peerdesk.db"),
    dialogDir,
    app: null,
    launches: 0,
    get browser() {
      if (!ctx.app) throw new Error("the app is not running");
      return ctx.app.browser;
    },
    async launch(args = [], options = {}) {
      if (ctx.app) throw new Error("the app is already running in this test");
      ctx.launches += 1;
      ctx.app = await launchApp({
        db: ctx.db,
        dialogDir: ctx.dialogDir,
        args,
        logFile: path.join(dir, `driver-${ctx.launches}.log`),
        ...options,
      });
      return ctx.app;
    },
    async stop() {
      const app = ctx.app;
      ctx.app = null;
      await closeApp(app);
    },
    async restart(args = []) {
      await ctx.stop();
      return ctx.launch(args);
    },
    /** Deletes the database file (and its WAL/SHM); the app must be stopped. */
    wipeDatabase() {
      if (ctx.app) throw new Error("stop the app before wiping its database");
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(ctx.db + suffix, { force: true });
    },
    async saveArtifacts(error) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const base = path.join(ARTIFACTS, slug);
      writeFileSync(`${base}.error.txt`, `${error?.stack ?? error}\n`);
      if (ctx.app) {
        try {
          await ctx.app.browser.saveScreenshot(`${base}.png`);
        } catch (e) {
          screenshotOfDisplay(`${base}.png`, e);
        }
        try {
          writeFileSync(`${base}.html`, await ctx.app.browser.getPageSource());
        } catch {
          // no page
        }
      } else {
        screenshotOfDisplay(`${base}.png`);
      }
      for (let i = 1; i <= ctx.launches; i++) {
        const log = path.join(dir, `driver-${i}.log`);
        if (existsSync(log)) writeFileSync(`${base}.driver-${i}.log`, readFileSync(log));
      }
      console.error(`# artifacts of "${name}" in ${path.relative(ROOT, ARTIFACTS)}/${slug}.*`);
    },
    async cleanup(keep) {
      await ctx.stop();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
  return ctx;
}

function screenshotOfDisplay(file, cause) {
  if (!process.env.DISPLAY) return;
  try {
    execFileSync("import", ["-window", "root", file], { stdio: "ignore", timeout: 10_000 });
  } catch {
    if (cause) console.error(`# no screenshot: ${cause.message}`);
  }
}

/** A node:test test with a fresh context; screenshot, page source and driver log on failure. */
export function e2eTest(name, fn, { timeout = 5 * 60_000 } = {}) {
  test(name, { timeout }, async (t) => {
    const ctx = await newContext(name);
    ctx.note = (message) => t.diagnostic(message);
    let failed = false;
    try {
      await fn(ctx);
    } catch (error) {
      failed = true;
      await ctx.saveArtifacts(error);
      throw error;
    } finally {
      await ctx.cleanup(failed && process.env.PEERDESK_E2E_KEEP === "1");
    }
  });
}

// ---------------------------------------------------------------------------
// driving the UI

const sel = (id) => `[data-testid="${id}"]`;

// PEERDESK_E2E_TRACE=1 prints every UI step with the time since the previous one.
const TRACE = process.env.PEERDESK_E2E_TRACE === "1";
let lastTrace = performance.now();
function trace(what) {
  if (!TRACE) return;
  const now = performance.now();
  console.error(`#   +${String(Math.round(now - lastTrace)).padStart(5)} ms  ${what}`);
  lastTrace = now;
}

export function byTestId(b, id) {
  return b.$(sel(id));
}

export async function exists(b, id) {
  return b.execute((s) => document.querySelector(s) !== null, sel(id));
}

/** Present and rendered (not display:none / zero-sized). */
export async function isShown(b, id) {
  return b.execute((s) => {
    const el = document.querySelector(s);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== "hidden" && st.display !== "none";
  }, sel(id));
}

export async function waitFor(b, id, { timeout = DEFAULT_TIMEOUT } = {}) {
  await b.waitUntil(() => isShown(b, id), {
    timeout,
    interval: 50,
    timeoutMsg: `[data-testid="${id}"] did not appear within ${timeout} ms`,
  });
  return byTestId(b, id);
}

export async function waitGone(b, id, { timeout = DEFAULT_TIMEOUT } = {}) {
  await b.waitUntil(async () => !(await exists(b, id)), {
    timeout,
    interval: 50,
    timeoutMsg: `[data-testid="${id}"] was still there after ${timeout} ms`,
  });
}

export async function click(b, id, options) {
  trace(`click ${id}`);
  const el = await waitFor(b, id, options);
  await el.scrollIntoView({ block: "center" }).catch(() => {});
  try {
    await el.click();
  } catch (e) {
    // An overlay (toast, backdrop fade) can intercept a real click for a moment.
    if (!/intercept|not interactable|obscured/i.test(e.message)) throw e;
    await sleep(300);
    await el.click().catch(() => b.execute((s) => document.querySelector(s).click(), sel(id)));
  }
}

async function tagOf(b, id) {
  return b.execute((s) => {
    const el = document.querySelector(s);
    return el ? `${el.tagName.toLowerCase()}:${(el.getAttribute("type") ?? "").toLowerCase()}` : null;
  }, sel(id));
}

/** Types `text` into an input or textarea, replacing what it held, as keystrokes. */
export async function typeInto(b, id, text) {
  const el = await waitFor(b, id);
  await el.clearValue();
  if (text !== "") await el.addValue(String(text));
  const value = await el.getValue();
  if (value !== String(text)) {
    // clearValue does not fire `input` in every driver: set it the way a framework listens.
    await b.execute(
      (s, v) => {
        const input = document.querySelector(s);
        const proto = input instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
        Object.getOwnPropertyDescriptor(proto, "value").set.call(input, v);
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      },
      sel(id),
      String(text),
    );
  }
}

/** Chooses an option of a <select> by `value`, by exact `text`, or by `textContains`. */
export async function selectOption(b, id, how) {
  const el = await waitFor(b, id);
  const options = await b.execute(
    (s) => [...document.querySelector(s).options].map((o) => ({ value: o.value, text: o.textContent.trim() })),
    sel(id),
  );
  const option =
    "value" in how
      ? options.find((o) => o.value === String(how.value))
      : "text" in how
        ? options.find((o) => o.text === how.text)
        : options.find((o) => o.text.toLowerCase().includes(String(how.textContains).toLowerCase()));
  if (!option) {
    throw new Error(`[data-testid="${id}"] has no option ${JSON.stringify(how)}; it has ${JSON.stringify(options)}`);
  }
  await el.selectByAttribute("value", option.value).catch(() => {});
  if ((await el.getValue()) !== option.value) {
    await b.execute(
      (s, v) => {
        const select = document.querySelector(s);
        select.value = v;
        select.dispatchEvent(new Event("input", { bubbles: true }));
        select.dispatchEvent(new Event("change", { bubbles: true }));
      },
      sel(id),
      option.value,
    );
  }
  return option;
}

export async function setChecked(b, id, checked = true) {
  const el = await waitFor(b, id);
  if ((await el.isSelected()) !== checked) await click(b, id);
  await b.waitUntil(async () => (await el.isSelected()) === checked, {
    timeout: 3_000,
    timeoutMsg: `[data-testid="${id}"] did not become ${checked ? "checked" : "unchecked"}`,
  });
}

/**
 * Sets a form field whatever widget it is: text for inputs and textareas, an
 * option for selects (`value` matched against option values, then option text),
 * a boolean for checkboxes.
 */
export async function fill(b, id, value) {
  trace(`fill ${id} = ${JSON.stringify(value)}`);
  await waitFor(b, id);
  const tag = await tagOf(b, id);
  if (tag.startsWith("select")) {
    if (typeof value === "object") return selectOption(b, id, value);
    try {
      return await selectOption(b, id, { value });
    } catch {
      return selectOption(b, id, { textContains: value });
    }
  }
  if (tag === "input:checkbox" || tag === "input:radio") return setChecked(b, id, Boolean(value));
  return typeInto(b, id, value);
}

export async function textOf(b, id) {
  return (await byTestId(b, id).getText()).trim();
}

export async function valueOf(b, id) {
  return byTestId(b, id).getValue();
}

/** Waits until the element's text contains `expected` (string) or matches it (RegExp). */
export async function waitForText(b, id, expected, { timeout = DEFAULT_TIMEOUT } = {}) {
  trace(`wait for ${expected} in ${id}`);
  await waitFor(b, id, { timeout });
  let last = "";
  await b.waitUntil(
    async () => {
      last = await b.execute((s) => document.querySelector(s)?.textContent ?? "", sel(id));
      return expected instanceof RegExp ? expected.test(last) : last.includes(expected);
    },
    { timeout, interval: 50, timeoutMsg: `[data-testid="${id}"] never showed ${expected}; last text: ${JSON.stringify(last)}` },
  ).catch((e) => {
    throw new Error(`[data-testid="${id}"] never showed ${expected}; last text: ${JSON.stringify(last)}`, { cause: e });
  });
  return last;
}

/** data-testid values in the page that start with `prefix`, in document order. */
export async function testIdsWithPrefix(b, prefix) {
  return b.execute(
    (p) => [...document.querySelectorAll(`[data-testid^="${p}"]`)].map((el) => el.getAttribute("data-testid")),
    prefix,
  );
}

/** Text of every element whose data-testid starts with `prefix`, keyed by testid. */
export async function textsWithPrefix(b, prefix) {
  return b.execute(
    (p) =>
      Object.fromEntries(
        [...document.querySelectorAll(`[data-testid^="${p}"]`)].map((el) => [el.getAttribute("data-testid"), el.textContent.trim()]),
      ),
    prefix,
  );
}

/** The performance marks recorded so far, in order. */
export async function marks(b) {
  return b.execute(() => performance.getEntriesByType("mark").map((m) => ({ name: m.name, startTime: m.startTime })));
}

export async function clearMarks(b) {
  await b.execute(() => performance.clearMarks());
}

/** The first integer in a text, with thousands separators (`20,000`, `20 000`) understood. */
export function firstNumber(text) {
  const m = text.replace(/(\d)[,\u00a0\u202f ](?=\d{3}\b)/g, "$1").match(/\d+/);
  return m ? Number(m[0]) : null;
}

/** Count of rows in a table of the app's database, through the sqlite3 CLI (null if it is not installed). */
export function dbCount(db, table) {
  try {
    const out = execFileSync("sqlite3", ["-readonly", db, `SELECT count(*) FROM ${table};`], {
      encoding: "utf8",
      timeout: 10_000,
    });
    return Number(out.trim());
  } catch (e) {
    if (e.code === "ENOENT") return null;
    throw e;
  }
}

export { sleep };
