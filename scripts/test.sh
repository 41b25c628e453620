#!/usr/bin/env bash
# The whole Peerdesk test suite, in order, stopping at the first failing step:
# dependencies, formatting, UI build/check/tests, one cargo build, clippy, the
# Rust tests against a real Secret Service, the desktop end-to-end tests in a
# real WebKit webview under Xvfb, then the benchmarks (figures only).
#
#   scripts/test.sh                 everything (what CI runs through .ci/run)
#   scripts/test.sh e2e bench-e2e   only the named steps (see `--list`)
#
# Environment: PEERDESK_KEEP_GOING=1 runs every step even after a failure;
# PEERDESK_SKIP_BENCH=1 leaves the benchmarks out.
# Ends with "N passed, M failed" (steps) and exits non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# One feature set for build, clippy and tests: flipping features recompiles tauri.
CARGO_FLAGS=(--workspace --features peerdesk/custom-protocol)
XVFB=(xvfb-run -a -s "-screen 0 1280x800x24")
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

STEPS=(deps fmt ui-build ui-check ui-test build clippy test e2e bench-core bench-e2e)

step_deps()       { PEERDESK_NEED_DRIVER=1 scripts/deps.sh; }
step_fmt()        { cargo fmt --all --check; }
step_ui-build()   { npm --prefix ui run build; }
step_ui-check()   { npm --prefix ui run check; }
# CI=true and no stdin: vitest runs once instead of watching.
step_ui-test()    { CI=true npm --prefix ui test </dev/null; }
step_build()      { cargo build "${CARGO_FLAGS[@]}" --all-targets; }
step_clippy()     { cargo clippy "${CARGO_FLAGS[@]}" --all-targets -- -D warnings; }
# --no-fail-fast: every test binary runs and reports, the step still fails.
# PEERDESK_REQUIRE_KEYRING: the keyring tests fail instead of skipping when no Secret Service answers.
step_test()       { PEERDESK_REQUIRE_KEYRING=1 scripts/with-keyring.sh cargo test "${CARGO_FLAGS[@]}" --no-fail-fast; }
# PEERDESK_E2E_SPECS="specs/a.test.mjs ..." runs only those specs (paths relative to tests/e2e).
step_e2e() {
  rm -rf tests/e2e/artifacts
  if [ -n "${PEERDESK_E2E_SPECS:-}" ]; then
    # shellcheck disable=SC2086 # a list of paths
    (cd tests/e2e && ../../scripts/with-keyring.sh "${XVFB[@]}" node --test --test-concurrency=1 --test-reporter=spec $PEERDESK_E2E_SPECS)
  else
    scripts/with-keyring.sh "${XVFB[@]}" npm --prefix tests/e2e test
  fi
}
# The PeeringDB benchmark measures peeringdb-py (installed into target/ by
# scripts/peeringdb-py.sh) in the same run as its baseline; PEERDESK_SKIP_BASELINE=1 leaves it out.
step_bench-core() {
  local py=""
  if [ "${PEERDESK_SKIP_BASELINE:-0}" != 1 ]; then py=$(scripts/peeringdb-py.sh) || py=""; fi
  PEERDESK_PEERINGDB_PY="$py" cargo bench -p peerdesk-core --benches --no-fail-fast
}
step_bench-e2e()  { scripts/with-keyring.sh "${XVFB[@]}" node tests/e2e/bench/perf.mjs; }

describe() {
  case $1 in
    deps) echo "install dependencies (scripts/deps.sh, with tauri-driver)" ;;
    fmt) echo "cargo fmt --all --check" ;;
    ui-build) echo "npm --prefix ui run build" ;;
    ui-check) echo "npm --prefix ui run check" ;;
    ui-test) echo "npm --prefix ui test" ;;
    build) echo "cargo build ${CARGO_FLAGS[*]} --all-targets" ;;
    clippy) echo "cargo clippy ${CARGO_FLAGS[*]} --all-targets -- -D warnings" ;;
    test) echo "cargo test ${CARGO_FLAGS[*]} --no-fail-fast (D-Bus session + unlocked gnome-keyring)" ;;
    e2e) echo "desktop end-to-end tests (tauri-driver + WebKitWebDriver under Xvfb)" ;;
    bench-core) echo "cargo bench -p peerdesk-core --benches --no-fail-fast (figures only)" ;;
    bench-e2e) echo "desktop benchmark, 20,000 sessions (figures only)" ;;
  esac
}

if [ "${1:-}" = "--list" ]; then
  for s in "${STEPS[@]}"; do printf '%-11s %s\n' "$s" "$(describe "$s")"; done
  exit 0
fi
selected=("$@")
if [ ${#selected[@]} -eq 0 ]; then
  selected=("${STEPS[@]}")
  if [ "${PEERDESK_SKIP_BENCH:-0}" = 1 ]; then selected=("${selected[@]/bench-*/}"); fi
fi
for s in "${selected[@]}"; do
  [ -z "$s" ] && continue
  declare -F "step_$s" >/dev/null || { echo "test.sh: no step '$s' (steps: ${STEPS[*]})" >&2; exit 2; }
done

passed=0
failed=0
summary=()
suite_start=$SECONDS

fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

finish() {
  echo
  echo "==================================================================="
  for line in "${summary[@]}"; do echo "  $line"; done
  echo "  total $(fmt_time $((SECONDS - suite_start)))"
  echo "==================================================================="
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

for s in "${selected[@]}"; do
  [ -z "$s" ] && continue
  echo
  echo "==================================================================="
  echo "== $s: $(describe "$s")"
  echo "==================================================================="
  start=$SECONDS
  "step_$s"
  rc=$?
  took=$(fmt_time $((SECONDS - start)))
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1))
    summary+=("$(printf 'PASS  %-11s %s' "$s" "$took")")
    echo "== $s: passed in $took"
  else
    failed=$((failed + 1))
    summary+=("$(printf 'FAIL  %-11s %s (exit %d)' "$s" "$took" "$rc")")
    echo "== $s: FAILED (exit $rc) after $took"
    if [ "${PEERDESK_KEEP_GOING:-0}" != 1 ]; then finish; fi
  fi
done
finish
