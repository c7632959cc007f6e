#!/usr/bin/env bash
# Installs everything alertlab needs, idempotently: Debian packages that are missing, a pinned
# Node 24 LTS from the npm registry, npm packages from the committed lockfile, a Python 3.11 virtual
# environment with pinned requirements, and Apache Kafka's jars from Maven Central (Node and Kafka
# cached outside the repo). Safe to run any number of times.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CACHE="${ALERTLAB_CACHE:-$HOME/.cache/alertlab}"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' java/kafka/pom.xml)"
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# --- Debian packages -----------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "[setup] missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  if [ $APT_UPDATED = 0 ]; then log "apt-get update"; apt-get update -qq; APT_UPDATED=1; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
need_cmd() { command -v "$1" >/dev/null 2>&1; }
need_cmd java || apt_install openjdk-17-jre-headless
need_cmd mvn || apt_install maven
# the filter sandbox (sdk/src/filter/sandbox.ts): prlimit, unshare, setpriv, mount
for t in prlimit unshare setpriv mount; do [ -x "/usr/bin/$t" ] || { apt_install util-linux mount; break; }; done
# ...and its seccomp launcher (sdk/native/alertlab-seccomp.c), built with gcc + libseccomp
apt_install gcc libc6-dev libseccomp-dev
bash "$ROOT/scripts/build-seccomp.sh"
need_cmd python3.11 || { echo "[setup] Python 3.11 is required (python3.11 not on PATH)." >&2; exit 1; }
# Real catalogs (Tycho-2, 363k stars) from Debian.
apt_install astrometry-data-tycho2-10-19-littleendian
if [ "${ALERTLAB_SETUP_EXTRA:-}" != "" ]; then apt_install $ALERTLAB_SETUP_EXTRA; fi

# --- Node 24 LTS from the npm registry -------------------------------------------------------
# Debian has no Node 24 (and Node 20 reached end of life in April 2026). The project runs on a
# pinned Node 24 LTS taken from the npm registry's binary package node-linux-<arch> (bin/node and
# the headers native modules build against; no npm inside). The machine's own node + npm serve only
# to fetch it (`npm pack` checks the registry's sha512); it is cached in $CACHE/node/<version> and
# linked at .alertlab/node, where bin/alertlab, the scripts and the Python bridge look for it
# (scripts/node-env.sh; ALERTLAB_NODE overrides). npm below runs on it (the system npm, with the
# project's node first on PATH), and node-gyp builds against its headers (npm_config_nodedir).
NODE_VERSION=24.22.3
mkdir -p "$ROOT/.alertlab"
if [ -z "${ALERTLAB_NODE:-}" ]; then
  case "$(uname -m)" in
    x86_64) NODE_ARCH=x64 ;;
    aarch64 | arm64) NODE_ARCH=arm64 ;;
    *) echo "[setup] no Node $NODE_VERSION package for $(uname -m); set ALERTLAB_NODE to a node 24 binary." >&2; exit 1 ;;
  esac
  NODE_HOME="$CACHE/node/$NODE_VERSION"
  if [ "$("$NODE_HOME/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    need_cmd npm || apt_install nodejs npm
    log "installing Node $NODE_VERSION from the npm registry (node-linux-$NODE_ARCH@$NODE_VERSION)"
    mkdir -p "$CACHE/node"
    NODE_TMP="$(mktemp -d "$CACHE/node/.fetch.XXXXXX")"
    (cd "$NODE_TMP" && npm pack --silent --loglevel=error "node-linux-$NODE_ARCH@$NODE_VERSION" >/dev/null &&
      tar xzf "node-linux-$NODE_ARCH-$NODE_VERSION.tgz")
    [ "$("$NODE_TMP/package/bin/node" --version)" = "v$NODE_VERSION" ] ||
      { echo "[setup] node-linux-$NODE_ARCH@$NODE_VERSION did not unpack a working bin/node ($NODE_TMP)." >&2; exit 1; }
    rm -rf "$NODE_HOME" && mv "$NODE_TMP/package" "$NODE_HOME" && rm -rf "$NODE_TMP"
  fi
  [ "$(readlink "$ROOT/.alertlab/node" 2>/dev/null)" = "$NODE_HOME" ] || ln -sfn "$NODE_HOME" "$ROOT/.alertlab/node"
fi
# shellcheck source=node-env.sh
source "$ROOT/scripts/node-env.sh"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' || {
  echo "[setup] $ALERTLAB_NODE is Node $(node --version); alertlab needs Node 24 or later." >&2
  exit 1
}

# --- npm -----------------------------------------------------------------------------------
# npm is the machine's (the Node package has none); needed here even when Node 24 came from the cache.
need_cmd npm || apt_install nodejs npm
# The stamp names Node's module ABI too: a new Node major reinstalls (and rebuilds) native modules.
NPM_STAMP="$ROOT/.alertlab/npm.stamp"
NPM_HASH="$(hash_of package-lock.json)-node$(node -p 'process.versions.modules')"
if [ ! -d node_modules ] || [ "$(cat "$NPM_STAMP" 2>/dev/null)" != "$NPM_HASH" ]; then
  log "npm ci (from package-lock.json, on Node $(node --version))"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$NPM_HASH" > "$NPM_STAMP"
fi
bash "$ROOT/scripts/setup-kafka-client.sh" # the librdkafka Kafka client, built once per Node ABI and cached (issue 16)
bash "$ROOT/scripts/setup-toxiproxy.sh"    # Toxiproxy for the network-fault tests (issue 19), from the Go module proxy
bash "$ROOT/scripts/setup-k8s-validate.sh" # offline Kubernetes schema validator for the manifests (issue 19), from PyPI

# --- Python --------------------------------------------------------------------------------
PY_STAMP="$ROOT/.alertlab/python.stamp"
PY_HASH="$(hash_of requirements.txt kernel-bridge/python/pyproject.toml 2>/dev/null || hash_of requirements.txt)"
if [ ! -x .venv/bin/python ] || [ "$(cat "$PY_STAMP" 2>/dev/null)" != "$PY_HASH" ]; then
  [ -x .venv/bin/python ] || { log "python3.11 -m venv .venv"; python3.11 -m venv .venv; }
  log "pip install -r requirements.txt"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  if [ -f kernel-bridge/python/pyproject.toml ]; then
    .venv/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e kernel-bridge/python
  fi
  echo "$PY_HASH" > "$PY_STAMP"
fi

# --- Apache Kafka from Maven Central --------------------------------------------------------
KAFKA_LIBS="$CACHE/kafka/$KAFKA_VERSION/libs"
KAFKA_STAMP="$CACHE/kafka/$KAFKA_VERSION/pom.hash"
POM_HASH="$(hash_of java/kafka/pom.xml)"
if [ ! -d "$KAFKA_LIBS" ] || [ "$(cat "$KAFKA_STAMP" 2>/dev/null)" != "$POM_HASH" ]; then
  log "resolving Apache Kafka $KAFKA_VERSION from Maven Central"
  rm -rf "$KAFKA_LIBS"; mkdir -p "$KAFKA_LIBS"
  (cd java/kafka && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS")
  echo "$POM_HASH" > "$KAFKA_STAMP"
fi
log "ready (kafka $KAFKA_VERSION at $KAFKA_LIBS)"

# --- JupyterLab extension (issue 7) + Chromium for the browser tests -------------------------
# Builds extension/ (tsc, then @jupyterlab/builder's production bundle, ~2 min) into
# kernel-bridge/python/alertlab/labextension, only when its sources or the lockfile changed.
# The editable install ships no data files, so JupyterLab finds the prebuilt extension through a
# symlink in .venv/share/jupyter/labextensions (what `jupyter labextension develop` does), and the
# server extension (alertlab.server, the panels' controller proxy) is enabled in .venv/etc/jupyter.
command -v chromium >/dev/null 2>&1 || apt_install chromium
LABEXT_DIR="$ROOT/kernel-bridge/python/alertlab/labextension"
EXT_STAMP="$ROOT/.alertlab/extension.stamp"
EXT_HASH="$(hash_of extension/package.json extension/tsconfig.json package-lock.json $(find extension/src extension/schema extension/style -type f | sort))"
if [ ! -f "$LABEXT_DIR/package.json" ] || [ "$(cat "$EXT_STAMP" 2>/dev/null)" != "$EXT_HASH" ]; then
  log "building the JupyterLab extension (extension/ -> $LABEXT_DIR)"
  LAB_STAGING="$(.venv/bin/python -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')"
  rm -rf extension/lib
  (cd extension && ../node_modules/.bin/tsc -p tsconfig.json)
  node node_modules/@jupyterlab/builder/lib/build-labextension.js --core-path "$LAB_STAGING" extension >/dev/null
  echo "$EXT_HASH" > "$EXT_STAMP"
fi
mkdir -p .venv/share/jupyter/labextensions/@alertlab .venv/etc/jupyter/jupyter_server_config.d
ln -sfn "$LABEXT_DIR" .venv/share/jupyter/labextensions/@alertlab/extension
SERVER_EXT_CONF=.venv/etc/jupyter/jupyter_server_config.d/alertlab.json
SERVER_EXT_JSON='{ "ServerApp": { "jpserver_extensions": { "alertlab.server": true } } }'
[ "$(cat "$SERVER_EXT_CONF" 2>/dev/null)" = "$SERVER_EXT_JSON" ] || echo "$SERVER_EXT_JSON" > "$SERVER_EXT_CONF"
