#!/usr/bin/env bash
# Runs the benchmarks in bench/ (each prints figures and writes bench/results/<name>.json), then
# rebuilds the README's benchmark table from bench/results (bench/readme-table.ts).
# Usage: bash scripts/bench.sh [name ...]   (default: all; a name may carry arguments, quoted:
# bash scripts/bench.sh "stage --input real"). Starts a local Kafka when none runs.
# Not in the default list: soak (30 minutes; bash scripts/bench.sh soak), object-state, watchlist,
# recovery (as root, network namespaces) — run them by name. A failed bench does not stop the
# others: the run exits 1 at the end and names it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD" && source scripts/node-env.sh
ALL=(decode crossmatch crossmatch_python bridge simulate attach "attach --input real" "stage --input realistic" "stage --input real"
  "stage --input small" "stage --input demo" "stage --input realistic --payload thin" latency
  "latency --scenarios demo --interval-s 5 --out latency-stress.json" cone
  promote render backtest-archive clients handover lightcurve-lookup)
NAMES=("$@"); [ ${#NAMES[@]} -eq 0 ] && NAMES=("${ALL[@]}")
# every name checked before the first bench runs (a typo must not stop a run halfway)
for entry in "${NAMES[@]}"; do
  read -r -a parts <<<"$entry"
  if [ ! -f "bench/${parts[0]}.ts" ]; then echo "[bench] no bench/${parts[0]}.ts" >&2; exit 2; fi
done
# Debian packages the benches compare against: Q3C in PostgreSQL (cone, cross-match) and kcat
# (librdkafka's command-line client: the native floor of the Kafka benches).
need=()
dpkg -s postgresql-15-q3c >/dev/null 2>&1 || need+=(postgresql-15-q3c)
dpkg -s kcat >/dev/null 2>&1 || need+=(kcat)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
elif [ ${#need[@]} -gt 0 ]; then
  echo "[bench] missing Debian packages (install as root): ${need[*]}" >&2
fi
STARTED=0
if ! bin/alertlab kafka status >/dev/null 2>&1; then bin/alertlab kafka start; STARTED=1; fi
trap '[ $STARTED = 1 ] && bin/alertlab kafka stop' EXIT
FAILED=()
for entry in "${NAMES[@]}"; do
  read -r -a parts <<<"$entry"
  n="${parts[0]}"
  echo "[bench] $entry (load average: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%H:%M:%S) UTC)"
  t0=$SECONDS
  if node --expose-gc --import tsx "bench/$n.ts" "${parts[@]:1}"; then
    echo "[bench] $entry took $((SECONDS - t0)) s"
  else
    echo "[bench] $entry FAILED after $((SECONDS - t0)) s (exit $?); its row keeps its last result" >&2
    FAILED+=("$entry")
  fi
done
node --import tsx bench/readme-table.ts
# a failed bench does not stop the others; the run fails at the end, naming them
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "[bench] failed: ${FAILED[*]}" >&2
  exit 1
fi
