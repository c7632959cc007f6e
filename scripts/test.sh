#!/usr/bin/env bash
# The test command: installs what is missing, lints, then runs unit tests, integration tests
# against a real Kafka broker that the test setup starts (and stops), and the Python tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# Everything below (npx, vitest, its workers and child processes, pytest's engine) runs on Node 24.
ROOT="$PWD" && source scripts/node-env.sh
echo "[test] node $(node --version) ($ALERTLAB_NODE)"
bash scripts/lint.sh
echo "[test] vitest (unit + integration on a real Kafka broker)"
npx vitest run
PY_TESTS=(); for d in test/python kernel-bridge/python/tests; do compgen -G "$d/test_*.py" >/dev/null && PY_TESTS+=("$d"); done
if [ ${#PY_TESTS[@]} -gt 0 ]; then
  echo "[test] pytest ${PY_TESTS[*]}"
  rc=0; .venv/bin/python -m pytest -q "${PY_TESTS[@]}" || rc=$?
  # exit 5 = no tests collected; anything else non-zero is a failure
  if [ "$rc" != 0 ] && [ "$rc" != 5 ]; then exit "$rc"; fi
fi
echo "[test] the main job, headless, with every notebook run against the live stack"
bin/alertlab demo --headless --visits 3 --notebooks
