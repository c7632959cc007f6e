# Sourced by bin/alertlab and scripts/*.sh (ROOT must be set): puts the project's Node first on
# PATH, so `node`, `npx`, `npm` and every child process (stage workers, the kernel bridge engine,
# JupyterLab's server extension, test subprocesses) run on it. The project's Node is the pinned
# Node 24 LTS that scripts/setup.sh installs at $ROOT/.alertlab/node; ALERTLAB_NODE overrides it
# (the path of a `node` binary, major version 24 or later). node-gyp builds native modules against
# that Node's own headers (npm_config_nodedir) instead of downloading them.
ALERTLAB_NODE="${ALERTLAB_NODE:-$ROOT/.alertlab/node/bin/node}"
if [ ! -x "$ALERTLAB_NODE" ]; then
  echo "alertlab: Node 24 is not installed at $ALERTLAB_NODE. Run \`bash scripts/setup.sh\` (it installs the pinned Node 24 LTS), or set ALERTLAB_NODE to a node binary of version 24 or later." >&2
  exit 1
fi
export ALERTLAB_NODE
case ":$PATH:" in
  ":$(dirname "$ALERTLAB_NODE"):"*) ;;
  *) export PATH="$(dirname "$ALERTLAB_NODE"):$PATH" ;;
esac
ALERTLAB_NODE_HOME="$(cd "$(dirname "$ALERTLAB_NODE")/.." && pwd)"
if [ -f "$ALERTLAB_NODE_HOME/include/node/node_api.h" ]; then export npm_config_nodedir="$ALERTLAB_NODE_HOME"; fi
