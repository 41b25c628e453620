// The router lab (tests/lab/lab.sh) for end-to-end specs against real
// routers: FRR and BIRD in network namespaces, each behind its own sshd on
// 127.0.0.1. Needs root for the namespaces (CI runs as root). Each spec's lab
// has its own folder under target/ (so its own namespaces and ports).

import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./harness.mjs";

export const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

const labSh = path.join(ROOT, "tests/lab/lab.sh");

/** Starts a lab in target/e2e-lab-<tag>-<pid>; returns {dir, json (lab.json), password, router(name)}. */
export function labUp(tag) {
  const dir = path.join(ROOT, "target", `e2e-lab-${tag}-${process.pid}`);
  // CI may clone under /tmp, whose permissions sshd StrictModes refuses.
  execFileSync("bash", [labSh, "up", dir], { stdio: "inherit", env: { ...process.env, LAB_STRICT_MODES: "no" } });
  const json = JSON.parse(readFileSync(path.join(dir, "lab.json"), "utf8"));
  return {
    dir,
    json,
    password: readFileSync(json.ssh.password_file, "utf8").trim(),
    router: (name) => json.routers.find((r) => r.name === name),
  };
}

/** Runs one vtysh command on a lab FRR router directly (not through Peerdesk). */
export function vtysh(router, command) {
  return execFileSync(router.vtysh[0], [...router.vtysh.slice(1), "-c", command], { encoding: "utf8" });
}

/** Takes the lab down; on failure says how to stop it by hand. */
export function labDown(lab) {
  try {
    execFileSync("bash", [labSh, "down", lab.dir], { stdio: "inherit" });
    rmSync(lab.dir, { recursive: true, force: true });
  } catch (e) {
    console.error(`# lab down failed: stop it with tests/lab/lab.sh down ${lab.dir} (${e.message})`);
  }
}
