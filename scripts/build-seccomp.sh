#!/usr/bin/env bash
# Builds the filter sandbox's seccomp launcher (sdk/native/alertlab-seccomp.c) into
# sdk/native/build/alertlab-seccomp when it is missing or older than its source. Needs gcc and
# libseccomp-dev (scripts/setup.sh installs them); libseccomp is linked statically. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/sdk/native/alertlab-seccomp.c"
OUT="$ROOT/sdk/native/build/alertlab-seccomp"
if [ -x "$OUT" ] && [ "$OUT" -nt "$SRC" ] && [ "$OUT" -nt "${BASH_SOURCE[0]}" ]; then
  exit 0
fi
mkdir -p "$(dirname "$OUT")"
gcc -O2 -Wall -Wextra -Werror -o "$OUT.tmp" "$SRC" -Wl,-Bstatic -lseccomp -Wl,-Bdynamic
chmod 0755 "$OUT.tmp"
mv -f "$OUT.tmp" "$OUT"
echo "[setup] built $OUT"
