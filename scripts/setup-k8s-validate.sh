#!/usr/bin/env bash
# Installs the offline Kubernetes manifest validator the deploy tests use (issue 19):
# kubernetes-validate from PyPI, which ships the Kubernetes JSON schemas (generated from
# Kubernetes' own OpenAPI, one set per release, strict variants included) inside the package, so
# validation needs no network. Its own virtualenv, once per version in $CACHE/k8s-validate/<version>
# (kept across clones and CI runs), linked at .alertlab/tools/k8s-venv. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${ALERTLAB_CACHE:-$HOME/.cache/alertlab}"
VERSION="${ALERTLAB_K8S_VALIDATE_VERSION:-1.37.0}"
VENV="$CACHE/k8s-validate/$VERSION"
LINK="$ROOT/.alertlab/tools/k8s-venv"
if ! "$VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -qx "$VERSION"; then
  PY="$(command -v python3.11 || command -v python3)"
  echo "[setup-k8s-validate] pip install kubernetes-validate==$VERSION into $VENV"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$VERSION"
fi
mkdir -p "$(dirname "$LINK")"
[[ -L "$LINK" || ! -e "$LINK" ]] || rm -rf "$LINK"
ln -sfn "$VENV" "$LINK"
