#!/usr/bin/env bash
# Installs the librdkafka Kafka client (@confluentinc/kafka-javascript, pinned with its
# dependencies in scripts/kafka-client/package-lock.json) that alertlab's confluent transport
# loads (sdk/src/buffer/confluent; issue 16), built for the project's Node. Run by
# scripts/setup.sh after its npm step; safe to run any number of times.
#
# The package's install script first downloads a prebuilt binary from a host this machine cannot
# reach, then builds from source; by default that build downloads OpenSSL, zlib and zstd sources
# too, and fails. With CKJS_LINKING=dynamic it builds librdkafka against Debian's OpenSSL and zlib
# instead: a few minutes on 2 cores, so it is done once per (lockfile, Node ABI) into
# $CACHE/kafka-client/<lockfile hash>-node<abi>/ (outside the repository, kept across clones and
# CI runs) and linked at .alertlab/kafka-client, where the transport looks for it. It is not an
# npm workspace: the project's `npm ci` never builds it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${ALERTLAB_CACHE:-$HOME/.cache/alertlab}"
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
# shellcheck source=node-env.sh
source "$ROOT/scripts/node-env.sh" # the project's Node first on PATH; node-gyp uses its headers

missing=()
for p in libssl-dev zlib1g-dev g++ make; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "[setup] missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  log "apt-get install ${missing[*]} (the librdkafka client is built from source with them)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

SRC="$ROOT/scripts/kafka-client"
ABI="$(node -p 'process.versions.modules')"
KEY="$(cat "$SRC/package.json" "$SRC/package-lock.json" | sha256sum | cut -c1-16)-node$ABI"
DIR="$CACHE/kafka-client/$KEY"
loads() { [ -d "$1" ] && (cd "$1" && node -e "require('@confluentinc/kafka-javascript')" >/dev/null 2>&1); }

if ! loads "$DIR"; then
  VERSION="$(node -p "require('$SRC/package-lock.json').packages['node_modules/@confluentinc/kafka-javascript'].version")"
  log "building @confluentinc/kafka-javascript $VERSION (librdkafka) from source against Debian's OpenSSL and zlib for Node $(node --version): a few minutes, once (cached in $DIR)"
  mkdir -p "$CACHE/kafka-client"
  BUILD="$(mktemp -d "$CACHE/kafka-client/.build.XXXXXX")"
  cp "$SRC/package.json" "$SRC/package-lock.json" "$BUILD/"
  (cd "$BUILD" && CKJS_LINKING=dynamic npm ci --no-audit --no-fund --loglevel=error) ||
    { echo "[setup] building @confluentinc/kafka-javascript failed (the build is in $BUILD)." >&2; exit 1; }
  loads "$BUILD" ||
    { echo "[setup] @confluentinc/kafka-javascript was built in $BUILD but does not load on $(node --version)." >&2; exit 1; }
  rm -rf "$DIR"
  mv "$BUILD" "$DIR"
  loads "$DIR" || { echo "[setup] the librdkafka client does not load from $DIR." >&2; exit 1; }
fi
[ "$(readlink "$ROOT/.alertlab/kafka-client" 2>/dev/null)" = "$DIR" ] || ln -sfn "$DIR" "$ROOT/.alertlab/kafka-client"
log "librdkafka client ready: $(cd "$DIR" && node -p "'@confluentinc/kafka-javascript ' + require('@confluentinc/kafka-javascript/package.json').version + ', librdkafka ' + require('@confluentinc/kafka-javascript').librdkafkaVersion") at $DIR"
