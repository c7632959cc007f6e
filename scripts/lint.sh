#!/usr/bin/env bash
# One lint command: ESLint + Prettier (TypeScript), tsc (types), ruff (Python).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "[lint] eslint"; npx eslint .
echo "[lint] prettier"; npx prettier --check . --log-level warn
echo "[lint] tsc"; npm run -s typecheck
PY_DIRS=(); for d in kernel-bridge/python test/python bench scripts sdk/src/alerts/testing; do ls "$d"/*.py "$d"/**/*.py >/dev/null 2>&1 && PY_DIRS+=("$d"); done
if [ ${#PY_DIRS[@]} -gt 0 ]; then
  echo "[lint] ruff ${PY_DIRS[*]}"; .venv/bin/ruff check "${PY_DIRS[@]}"; .venv/bin/ruff format --check "${PY_DIRS[@]}"
fi
