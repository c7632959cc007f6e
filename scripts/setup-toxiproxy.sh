#!/usr/bin/env bash
# Installs Toxiproxy's server (the fault-injecting TCP proxy the network-fault tests put in front of
# one worker's broker links; issue 19) with `go install` from the Go module proxy, once per version
# into $CACHE/toxiproxy/<version>/ (outside the repository, kept across clones and CI runs), linked
# at .alertlab/tools/bin/toxiproxy-server where the tests look. Idempotent. Needs Go.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${ALERTLAB_CACHE:-$HOME/.cache/alertlab}"
VERSION="${ALERTLAB_TOXIPROXY_VERSION:-v2.5.0}"
DIR="$CACHE/toxiproxy/$VERSION"
LINK="$ROOT/.alertlab/tools/bin/toxiproxy-server"
if [[ ! -x "$DIR/toxiproxy-server" ]]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "[setup-toxiproxy] Go is missing: install Go (apt-get install golang-go) and run again" >&2
    exit 1
  fi
  echo "[setup-toxiproxy] go install github.com/Shopify/toxiproxy/v2/cmd/server@$VERSION"
  BUILD="$(mktemp -d)"
  trap 'rm -rf "$BUILD"' EXIT
  # v2.5.0 keeps the server under cmd/server (later versions: cmd/toxiproxy-server)
  GOBIN="$BUILD" go install "github.com/Shopify/toxiproxy/v2/cmd/server@$VERSION"
  mkdir -p "$DIR"
  mv "$BUILD/server" "$DIR/toxiproxy-server"
fi
mkdir -p "$(dirname "$LINK")"
ln -sfn "$DIR/toxiproxy-server" "$LINK"
