// Matmul FLOPs of one training step, counted from the model shapes (src/train/model.ts), so ours
// and the PyTorch peer are put against the same work: teacher forward on the global views plus
// student forward and backward on all views, the backward counted as twice the forward (the usual
// convention: one product for the input gradient, one for the weight gradient). Element-wise work
// (norms, GELU, softmax, AdamW) is left out; it is a few percent at these widths.
import type { EncoderShape, HeadShape } from '../src/train/sizes.js';
import { MODALITY_CHANNELS, gridSide } from '../src/train/sizes.js';
import type { Modality } from '../src/model/types.js';

export interface FlopView {
  grid: number;
  modalities: Modality[];
}

const mm = (m: number, k: number, n: number) => 2 * m * k * n;

/** Forward matmul FLOPs of the encoder + head for `n` tiles of each view (views sharing a grid batched). */
export function forwardFlops(s: EncoderShape, h: HeadShape, views: FlopView[], n: number): number {
  const D = s.embedDim;
  const T = s.tokenDimFactor * D;
  const H = s.mlpRatio * D;
  const p = s.patchSize;
  const G = gridSide(s);
  let f = 0;
  for (const v of views) {
    const rows = n * v.grid * v.grid;
    for (const m of v.modalities) f += mm(rows, MODALITY_CHANNELS[m] * p * p, T) + 2 * mm(rows, T, T) + mm(rows, T, D);
    const M = v.modalities.length;
    if (M > 1) f += 2 * mm(rows * M, D, D) + mm(rows * M, D, s.fusionQueries) + mm(rows * s.fusionQueries, M, D) + mm(rows, D, D);
    const N = v.grid * v.grid + 1;
    const R = n * N;
    f += s.depth * (mm(R, D, 3 * D) + 2 * mm(n * s.heads * N, D / s.heads, N) + mm(R, D, D) + mm(R, D, H) + mm(R, H, D));
    f += mm(n, D, h.hiddenDim) + mm(n, h.hiddenDim, h.hiddenDim) + mm(n, h.hiddenDim, h.bottleneckDim) + mm(n, h.bottleneckDim, h.outDim);
  }
  for (const g of new Set(views.map((v) => v.grid))) if (g !== G) f += mm(g * g, G * G, D);
  return f;
}

/** One step: teacher forward (global views) + 3 x student forward (all views). */
export function stepFlops(s: EncoderShape, h: HeadShape, views: FlopView[], globalCount: number, n: number): number {
  return forwardFlops(s, h, views.slice(0, globalCount), n) + 3 * forwardFlops(s, h, views, n);
}
