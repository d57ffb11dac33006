#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine with Python 3.11+.
#  1. Debian packages WeasyPrint 66+ needs (Pango, HarfBuzz subset, fontconfig)
#     and a CJK font for the Chinese PDFs; Debian's Chromium for the browser
#     tests (tests/browser: installed when run as root, optional otherwise).
#  2. .venv with Python 3.11+, every package from the lock file
#     requirements/test.txt (exact versions and hashes), then the project
#     itself in editable mode (skipped when the lock is unchanged).
# Safe to run from any directory and as often as you like.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
STAMP="$VENV/.grants-setup-stamp"
APT_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk)
# The browser tests drive this Chromium (never a downloaded browser); without it they are skipped.
BROWSER_PACKAGES=(chromium)

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# --- choose a Python interpreter (3.11 <= version < 3.14, per pyproject.toml) ---
py_ok() {
    "$1" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)' >/dev/null 2>&1
}

PYTHON=""
for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && py_ok "$cand"; then
        PYTHON="$(command -v "$cand")"
        break
    fi
done

venv_ok() { [ -x "$VENV/bin/python" ] && py_ok "$VENV/bin/python"; }

# --- Debian packages ---
pkg_installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    pkg_installed "$pkg" || missing+=("$pkg")
done
optional=()
for pkg in "${BROWSER_PACKAGES[@]}"; do
    pkg_installed "$pkg" || optional+=("$pkg")
done
if [ "${#optional[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        missing+=("${optional[@]}")
    else
        log "optional, for the browser tests: sudo apt-get install -y --no-install-recommends ${optional[*]}"
    fi
fi
# Debian's own python3 needs python3-venv to create a venv (ensurepip).
if ! venv_ok && [ -n "$PYTHON" ] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    case "$PYTHON" in
        /usr/bin/*) pkg_installed python3-venv || missing+=(python3-venv) ;;
    esac
fi

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        log "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update
        apt-get install -y --no-install-recommends "${missing[@]}"
    else
        {
            echo "[setup] Missing Debian packages: ${missing[*]}"
            echo "[setup] Install them (needs root), then re-run this script:"
            echo
            echo "    sudo apt-get install -y --no-install-recommends ${missing[*]}"
            echo
        } >&2
        exit 1
    fi
else
    log "Debian packages present: ${APT_PACKAGES[*]}"
fi

# --- virtualenv ---
if ! venv_ok; then
    [ -n "$PYTHON" ] || die "Python 3.11+ not found (tried python3.11, python3). On Debian 12: apt-get install python3 python3-venv"
    log "creating .venv with $PYTHON ($("$PYTHON" --version 2>&1))"
    "$PYTHON" -m venv --clear "$VENV"
fi

# --- Python dependencies, exactly as locked ---
# requirements/test.txt pins every package (direct and transitive) with its
# hashes; scripts/lock.sh regenerates it from pyproject.toml. When the lock
# changes, the venv is rebuilt so nothing from an older lock lingers.
LOCK="$ROOT/requirements/test.txt"
[ -f "$LOCK" ] || die "$LOCK not found"
want="$(cat "$LOCK" pyproject.toml | sha256sum | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"

if [ "$want" = "$have" ]; then
    log "Python dependencies up to date (requirements/test.txt unchanged)"
else
    export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
    if [ -n "$(ls -A "$VENV/lib" 2>/dev/null)" ] && [ -n "$have" ]; then
        [ -n "$PYTHON" ] || die "Python 3.11+ not found to rebuild .venv"
        log "lock changed since the last install: rebuilding .venv"
        "$PYTHON" -m venv --clear "$VENV"
    fi
    rm -f "$STAMP"
    log "installing the locked dependencies (requirements/test.txt)"
    "$VENV/bin/python" -m pip install --quiet --require-hashes --no-deps -r "$LOCK"
    log "installing the project (editable)"
    "$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
    printf '%s\n' "$want" > "$STAMP"
    log "Python dependencies installed"
fi

log "done ($("$VENV/bin/python" --version 2>&1) in .venv)"
