#!/usr/bin/env bash
# Installs what terrafm-pipeline needs on a fresh Debian 12 machine with Node 20, idempotently:
# Debian packages only when missing, `npm ci` only when node_modules does not match the lockfile.
# gdal-async is built against the system GDAL: its build flags are passed to `npm ci` as npm_config_*
# environment variables (not .npmrc keys, which npm 12 will refuse as unknown project config).
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

# node_modules is current when the lockfile hash matches the one recorded after the last install.
stamp=node_modules/.terrafm-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! node -e "require.resolve('gdal-async')" >/dev/null 2>&1; then
  echo "setup: npm ci (builds gdal-async against the system GDAL; about 2 minutes the first time)" >&2
  npm_config_build_from_source=gdal-async npm_config_shared_gdal=true \
    npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# Fail here, with a clear message, rather than deep inside a stage.
node -e "import('gdal-async').then(g => { if (!g.default.version) throw new Error('no version'); })" \
  || { echo "setup: gdal-async does not load; remove node_modules and rerun scripts/setup.sh" >&2; exit 1; }
