#!/usr/bin/env bash
# Runs the benchmarks in bench/ (each prints figures and writes bench/results/<name>.json).
# Usage: bash scripts/bench.sh [name ...]   (default: all). Starts a local Kafka when none runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD" && source scripts/node-env.sh
ALL=(decode crossmatch bridge simulate attach stage cone promote render backtest-archive)
NAMES=("$@"); [ ${#NAMES[@]} -eq 0 ] && NAMES=("${ALL[@]}")
# The cone benchmark compares against Q3C in PostgreSQL (Debian's postgresql-15-q3c).
if ! dpkg -s postgresql-15-q3c >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-q3c >/dev/null
fi
STARTED=0
if ! bin/alertlab kafka status >/dev/null 2>&1; then bin/alertlab kafka start; STARTED=1; fi
trap '[ $STARTED = 1 ] && bin/alertlab kafka stop' EXIT
for n in "${NAMES[@]}"; do
  if [ ! -f "bench/$n.ts" ]; then echo "[bench] no bench/$n.ts" >&2; exit 2; fi
  echo "[bench] $n"
  node --expose-gc --import tsx "bench/$n.ts"
done
