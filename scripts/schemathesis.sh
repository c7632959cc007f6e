#!/usr/bin/env bash
# REST under attack (issue 15, part 6): schemathesis over the controller's whole OpenAPI document,
# once with a valid (admin) token and once with an invalid one, against a real controller started
# here on a free port (18800–18899) with its own state dir, token and a copy of the catalog store.
# Checks: not_a_server_error, status_code_conformance, content_type_conformance,
# response_schema_conformance. Exit status is non-zero if either run found a failure.
#
#   scripts/schemathesis.sh [SECONDS_PER_RUN=300] [SEED]    (WHO="valid" or "invalid": one run only)
# Reports (JUnit + NDJSON) and the controller log go to $OUT (default: a temp dir, printed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD" && source scripts/node-env.sh
SECONDS_PER_RUN="${1:-300}"
SEED="${2:-${SCHEMATHESIS_SEED:-}}"
ST=.venv/bin/schemathesis
[[ -x "$ST" ]] || { echo "schemathesis missing: run scripts/setup.sh (requirements.txt)" >&2; exit 2; }

OUT="${OUT:-$(mktemp -d /tmp/alertlab-schemathesis.XXXXXX)}"
mkdir -p "$OUT"
port=""
for p in $(shuf -i 18800-18899); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p && break; fi
done
[[ -n "$port" ]] || { echo "no free port in 18800-18899" >&2; exit 2; }
store_args=()
if [[ -f .alertlab/catalogs.duckdb ]]; then
  cp .alertlab/catalogs.duckdb "$OUT/catalogs.duckdb" && store_args=(--store "$OUT/catalogs.duckdb")
fi
bin/alertlab controller --host 127.0.0.1 --port "$port" --state-dir "$OUT/state" \
  --token-file "$OUT/controller.token" "${store_args[@]}" >"$OUT/controller.log" 2>&1 &
ctl=$!
trap 'kill -TERM $ctl 2>/dev/null || true; wait $ctl 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  kill -0 $ctl 2>/dev/null || { cat "$OUT/controller.log" >&2; exit 2; }
  sleep 0.5
done
token="$(cat "$OUT/controller.token")"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/openapi.json" >"$OUT/openapi.json"

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
status=0
for who in ${WHO:-valid invalid}; do
  auth="$token"
  [[ $who == invalid ]] && auth="not-a-token-$RANDOM"
  echo "[schemathesis] $who token, ${SECONDS_PER_RUN}s, controller on :$port (out: $OUT)"
  args=(run "$OUT/openapi.json" --url "http://127.0.0.1:$port" -H "Authorization: Bearer $auth"
    --checks "$checks" --max-time "$SECONDS_PER_RUN" --workers 2 --request-timeout 30
    --suppress-health-check all --report junit,ndjson --report-dir "$OUT/$who")
  [[ -n "$SEED" ]] && args+=(--seed "$SEED")
  "$ST" "${args[@]}" 2>&1 | tee "$OUT/$who.txt" || status=1
done
echo "[schemathesis] controller 5xx in its log: $(grep -c '"status":5' "$OUT/controller.log" || true)"
exit $status
