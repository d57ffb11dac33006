#!/usr/bin/env bash
# Regenerate the lock files from pyproject.toml (exact versions and hashes of
# every package, direct and transitive):
#   requirements/app.txt   what the application needs to run
#   requirements/test.txt  the application, the test extra and the build tools
# Run after changing a dependency in pyproject.toml, then commit both files;
# scripts/setup.sh installs from requirements/test.txt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
UV_VERSION=0.13.9

bash "$ROOT/scripts/setup.sh" >/dev/null
"$ROOT/.venv/bin/python" -m pip install --quiet "uv==$UV_VERSION"
compile() {
    "$ROOT/.venv/bin/python" -m uv pip compile --quiet --python-version 3.11 \
        --python-platform x86_64-manylinux_2_28 --generate-hashes --no-header \
        "$@"
}
compile pyproject.toml -o requirements/app.txt
compile pyproject.toml --extra test requirements/build.in -o requirements/test.txt
echo "[lock] requirements/app.txt and requirements/test.txt regenerated; run scripts/setup.sh to install"
