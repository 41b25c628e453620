#!/usr/bin/env bash
# Installs peeringdb-py (the benchmark baseline for the PeeringDB mirror) into a
# virtualenv under target/, idempotently, and prints the venv's bin folder.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/peeringdb-py
if [ ! -x "$venv/bin/peeringdb" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'peeringdb==2.5.0' 'django-peeringdb==3.7.0' >&2
fi
echo "$PWD/$venv/bin"
