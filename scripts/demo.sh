#!/usr/bin/env bash
# README command 1: set up (idempotent), then run the whole pipeline on the embedded demo world.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out="${1:-runs/demo}"
node bin/terrafm.mjs run pipelines/demo.yaml --out "$out"
