#!/usr/bin/env bash
# Set up, migrate, seed demo data and serve the app on http://$HOST:$PORT
# (default http://127.0.0.1:5000; HOST=0.0.0.0 serves every interface).
# Uses SQLite under instance/ unless DATABASE_URL is set.
# The first run writes .env (git-ignored) with the settings it used, so that
# `flask ...` commands in this folder use the same database and environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-5000}"
case "$PORT" in
    ''|*[!0-9]*) echo "[serve] ERROR: PORT=$PORT is not a port number: set PORT to e.g. 5000" >&2; exit 2 ;;
esac

bash "$ROOT/scripts/setup.sh"

export VIRTUAL_ENV="$ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
export GRANTS_ENV="${GRANTS_ENV:-development}"

if [ ! -e .env ]; then
    {
        echo "# Local settings for the flask command in this folder (written by scripts/serve.sh)."
        echo "GRANTS_ENV=$GRANTS_ENV"
        if [ -n "${DATABASE_URL:-}" ]; then echo "DATABASE_URL=$DATABASE_URL"; fi
    } > .env
    chmod 600 .env
    echo "[serve] wrote .env (GRANTS_ENV=$GRANTS_ENV) for flask commands run in this folder"
fi

if [ -n "${DATABASE_URL:-}" ]; then
    db="$(printf '%s' "$DATABASE_URL" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#')"
else
    db="SQLite under instance/ (default)"
fi
echo "[serve] GRANTS_ENV=$GRANTS_ENV database=$db"
flask --app wsgi db upgrade
flask --app wsgi demo seed

url="http://$HOST:$PORT"
case "$HOST" in
    0.0.0.0|::) url="http://$(hostname -I 2>/dev/null | awk '{print $1}' || true):$PORT"
                [ "$url" = "http://:$PORT" ] && url="http://127.0.0.1:$PORT" ;;
esac
echo "[serve] serving on $url (listening on $HOST:$PORT; Ctrl-C to stop)"
exec flask --app wsgi run --host "$HOST" --port "$PORT"
