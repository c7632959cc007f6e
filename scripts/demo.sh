#!/usr/bin/env bash
# The main job: installs what is missing, then runs `alertlab demo` (arguments pass through,
# e.g. `make demo ARGS="--headless --visits 3"`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec bin/alertlab demo "$@"
