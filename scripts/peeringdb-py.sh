#!/usr/bin/env bash
# Installs the Python benchmark baselines (peeringdb-py for the PeeringDB mirror,
# Jinja2 for config rendering) into a
# virtualenv under target/, idempotently, and prints the venv's bin folder.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/peeringdb-py
if [ ! -x "$venv/bin/peeringdb" ] || ! "$venv/bin/python" -c "import jinja2" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'peeringdb==2.5.0' 'django-peeringdb==3.7.0' 'jinja2==3.1.6' >&2
fi
echo "$PWD/$venv/bin"
