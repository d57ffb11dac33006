#!/usr/bin/env bash
# Set up, then run the test suite. Extra arguments go to pytest.
# Uses TEST_DATABASE_URL if set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test),
# otherwise a temporary SQLite file.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash "$ROOT/scripts/setup.sh"

if [ -n "${TEST_DATABASE_URL:-}" ]; then
    # never print a password that may be in the URL
    echo "[test] database: $(printf '%s' "$TEST_DATABASE_URL" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#')"
else
    echo "[test] database: temporary SQLite file"
fi
PY="$ROOT/.venv/bin/python"
if [ "$#" -gt 0 ]; then
    exec "$PY" -m pytest "$@"
fi

# The whole suite: everything but the browser journeys, then those in a process of their
# own (SQLite only; they skip themselves on PostgreSQL). A stalled browser must not hang
# the run: the journeys are bounded in time (a stall prints every thread's stack after five
# minutes), and tried once more only when they stalled.
rc=0
"$PY" -m pytest -m "not browser" || rc=$?
if [ -z "${TEST_DATABASE_URL:-}" ]; then
    brc=0
    timeout 600 "$PY" -m pytest -m browser -o faulthandler_timeout=300 || brc=$?
    if [ "$brc" -eq 124 ]; then
        echo "[test] the browser journeys stalled (no answer for 10 minutes); running them once more"
        brc=0
        timeout 600 "$PY" -m pytest -m browser -o faulthandler_timeout=300 || brc=$?
    fi
    [ "$brc" -eq 0 ] || rc=$brc
fi
exit "$rc"
