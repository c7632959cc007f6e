#!/usr/bin/env bash
# One lint command: ESLint + Prettier (TypeScript), tsc (types), ruff and mypy (Python).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD" && source scripts/node-env.sh
echo "[lint] eslint"; npx eslint .
echo "[lint] prettier"; npx prettier --check . --log-level warn
echo "[lint] tsc"; npm run -s typecheck
echo "[lint] ruff (every Python file in the repository; notebooks and Markdown excepted)"
.venv/bin/ruff check . --extend-exclude '*.ipynb'
.venv/bin/ruff format --check . --extend-exclude '*.ipynb' --extend-exclude '*.md'
echo "[lint] mypy --strict (the alertlab Python package; settings in kernel-bridge/python/pyproject.toml)"
(cd kernel-bridge/python && ../../.venv/bin/mypy)
