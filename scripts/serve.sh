#!/usr/bin/env bash
# Set up, migrate, seed demo data and serve the app on http://127.0.0.1:5000.
# Uses SQLite under instance/ unless DATABASE_URL is set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash "$ROOT/scripts/setup.sh"

export VIRTUAL_ENV="$ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
export GRANTS_ENV="${GRANTS_ENV:-development}"

if [ -n "${DATABASE_URL:-}" ]; then
    db="$(printf '%s' "$DATABASE_URL" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#')"
else
    db="SQLite under instance/ (default)"
fi
echo "[serve] GRANTS_ENV=$GRANTS_ENV database=$db"
flask --app wsgi db upgrade
flask --app wsgi demo seed

echo "[serve] serving on http://127.0.0.1:5000 (Ctrl-C to stop)"
exec flask --app wsgi run --host 127.0.0.1 --port 5000
