#!/usr/bin/env bash
# The fixed ports the integration tests give their own brokers (39092.. cluster-fault, 45092..47999
# network faults and benches, 49092.., 51092..52299 secured brokers) lie inside Linux's ephemeral
# range (32768-60999): any client connection made meanwhile can be handed one of them as its local
# port, and a broker starting later then finds it taken (seen in CI: "port 51692 ... already in
# use"). As root, add them to net.ipv4.ip_local_reserved_ports, which only keeps the kernel from
# choosing them as ephemeral ports (a listener may still bind them). Idempotent: ranges already
# reserved stay, ours are added. Elsewhere (no root, read-only /proc/sys) it says so and goes on.
set -euo pipefail
RANGES="39092-39399,45092-47999,49092-49399,51092-52299"
FILE=/proc/sys/net/ipv4/ip_local_reserved_ports
if [ "$(id -u)" != 0 ] || [ ! -w "$FILE" ]; then
  echo "[test] cannot reserve the test brokers' ports ($FILE needs root): a rare 'port in use' may follow" >&2
  exit 0
fi
current="$(cat "$FILE")"
if [ -n "$current" ]; then
  echo "$current,$RANGES" > "$FILE"
else
  echo "$RANGES" > "$FILE"
fi
echo "[test] ports reserved from ephemeral use: $(cat "$FILE")"
