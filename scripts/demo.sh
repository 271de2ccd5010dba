#!/usr/bin/env bash
# README command 1: set up (idempotent), then run the whole pipeline on the embedded demo world, and
# show the train stage's evaluation (land-cover kNN and S1 <-> S2 retrieval next to each other,
# pretrained vs random init, on the held-out tiles).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out="${1:-runs/demo}"
node bin/terrafm.mjs run pipelines/demo.yaml --out "$out"
if [ -f "$out/train/eval.md" ]; then
  echo
  cat "$out/train/eval.md"
  echo "(rank histograms: $out/train/eval.png)"
fi
