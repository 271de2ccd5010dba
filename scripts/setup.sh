#!/usr/bin/env bash
# Installs what terrafm-pipeline needs on a fresh Debian 12 machine, idempotently, for the Node.js that
# runs this script (the machine's Node 20, or Node 24 through scripts/node24.sh): Debian packages only
# when missing, `npm ci` only when node_modules does not match the lockfile, and a gdal-async build for
# this Node's ABI only when it has none.
#
# gdal-async is built from source against the system GDAL. Its build flags travel as npm_config_*
# environment variables of this one command, not as .npmrc keys: npm 12 refuses unknown project config.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v gdalinfo >/dev/null 2>&1 || missing+=(gdal-bin)
dpkg -s libgdal-dev >/dev/null 2>&1 || missing+=(libgdal-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Build flags for gdal-async: from source, linked to the system libgdal, with the headers of the Node
# that runs this script (node-gyp would otherwise download headers, or silently use another version's).
node_prefix=$(node -p "require('path').resolve(process.execPath, '../..')")
gdal_build_env=(npm_config_build_from_source=gdal-async npm_config_shared_gdal=true)
[ -f "$node_prefix/include/node/node.h" ] && gdal_build_env+=("npm_config_nodedir=$node_prefix")

# node_modules is current when the lockfile hash matches the one recorded after the last install.
stamp=node_modules/.terrafm-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! node -e "require.resolve('gdal-async')" >/dev/null 2>&1; then
  echo "setup: npm ci (builds gdal-async against the system GDAL; about 2 minutes the first time)" >&2
  env "${gdal_build_env[@]}" npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

gdal_loads() { node -e "import('gdal-async').then(g => { if (!g.default.version) throw new Error('no version'); })" >/dev/null 2>&1; }

# Each Node ABI keeps its own gdal-async binary (lib/binding/node-v<ABI>-linux-x64), so a second Node
# needs one more build, not a new node_modules.
if ! gdal_loads; then
  echo "setup: building gdal-async for Node $(node --version) (ABI $(node -p process.versions.modules)); about 2 minutes" >&2
  env "${gdal_build_env[@]}" npm rebuild gdal-async --no-audit --no-fund --loglevel=error
fi

# Fail here, with a clear message, rather than deep inside a stage.
gdal_loads || { echo "setup: gdal-async does not load under Node $(node --version); remove node_modules and rerun scripts/setup.sh" >&2; exit 1; }
