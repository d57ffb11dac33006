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
exec "$ROOT/.venv/bin/python" -m pytest "$@"
