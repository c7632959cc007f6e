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
bash scripts/reserve-test-ports.sh
echo "[test] vitest (unit + integration on a real Kafka broker)"
npx vitest run
PY_TESTS=(); for d in test/python kernel-bridge/python/tests; do compgen -G "$d/test_*.py" >/dev/null && PY_TESTS+=("$d"); done
if [ ${#PY_TESTS[@]} -gt 0 ]; then
  echo "[test] pytest ${PY_TESTS[*]}"
  # any non-zero exit fails, 5 ("no tests collected") included: a suite that collects nothing
  # tests nothing. Under CI=true, tests that need /work/shared/data fail when it is missing.
  rc=0; .venv/bin/python -m pytest -q "${PY_TESTS[@]}" || rc=$?
  if [ "$rc" = 5 ]; then echo "[test] pytest collected no tests in ${PY_TESTS[*]}: failing" >&2; fi
  if [ "$rc" != 0 ]; then exit "$rc"; fi
else
  echo "[test] no Python tests found (test/python, kernel-bridge/python/tests): failing" >&2
  exit 5
fi
echo "[test] the main job, headless, with every notebook run against the live stack"
bin/alertlab demo --headless --visits 3 --notebooks
