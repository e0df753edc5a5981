#!/usr/bin/env bash
# Seed a large calendar into a separate database, serve it with gunicorn and measure it.
# Options: see `bench/run.sh --help` (bench/measure.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "Run 'make install' first (creates .venv)." >&2; exit 1; }
command -v wrk >/dev/null || echo "wrk not found (apt-get install -y wrk): using the slower Python load loop." >&2
exec "$PY" -m bench.measure "$@"
