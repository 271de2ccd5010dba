// Crops and augmentation in plain JS on the raw tile arrays: random-resized square crops
// (bilinear), flips, per-band normalisation with stats.json, nodata to the band mean (0 after
// normalising), and the output written straight in patch layout [g*g, C*p*p] (channel-major inside a
// patch, matching a Conv2d weight flattened as [C, p, p]).
import type { Modality } from '../model/types.js';
import { TrainError } from '../errors.js';
import type { Rng } from './rng.js';
import { channelIndices, type TrainModality } from './tiles.js';
import type { BandNormalisation } from '../shard/stats.js';

/** A square crop window in fractions of the tile: top-left (x0, y0) and side. */
export interface CropBox {
  x0: number;
  y0: number;
  side: number;
  flipH: boolean;
  flipV: boolean;
}

/** Random square window covering an area fraction drawn uniformly from [lo, hi] of the tile. */
export function randomBox(rng: Rng, scale: [number, number], flips: boolean): CropBox {
  const side = Math.sqrt(rng.uniform(scale[0], scale[1]));
  return {
    x0: rng.uniform(0, 1 - side),
    y0: rng.uniform(0, 1 - side),
    side,
    flipH: flips && rng.next() < 0.5,
    flipV: flips && rng.next() < 0.5,
  };
}

/**
 * Photometric change of one modality in one view, per model channel: raw pixel v becomes
 * `v * gain[c]`, and `offset[c]` (in band std) is added after normalising.
 */
export interface Photometric {
  gain: Float32Array;
  offset: Float32Array;
}

/** Draws a view's photometric change for C channels; null when every amount is 0 (no RNG draws). */
export function randomPhotometric(rng: Rng, channels: number, a: { brightness: number; bandGain: number; offset: number }): Photometric | null {
  if (a.brightness === 0 && a.bandGain === 0 && a.offset === 0) return null;
  const bright = 1 + rng.uniform(-a.brightness, a.brightness);
  const gain = new Float32Array(channels);
  const offset = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    gain[c] = bright * (1 + rng.uniform(-a.bandGain, a.bandGain));
    offset[c] = rng.uniform(-a.offset, a.offset);
  }
  return { gain, offset };
}

/** The whole tile, no flips (evaluation and embedding). */
export const FULL_BOX: CropBox = { x0: 0, y0: 0, side: 1, flipH: false, flipV: false };

/**
 * Crops one modality of a tile to outSize x outSize, normalises it and writes it patchified into
 * `out` at `offset` ([g*g, C*p*p] floats, g = outSize / patch).
 */
export function cropPatches(
  m: Modality,
  t: TrainModality,
  stats: BandNormalisation | undefined,
  box: CropBox,
  outSize: number,
  patch: number,
  out: Float32Array,
  offset: number,
  photo: Photometric | null = null,
): void {
  const [C0, H, W] = t.shape;
  const chans = channelIndices(m, C0, t.bands);
  const C = chans.length;
  if (!stats) throw new TrainError(`stats.json has no band statistics for ${m}`);
  if (stats.mean.length !== C0 && stats.mean.length !== C)
    throw new TrainError(`stats for ${m} have ${stats.mean.length} bands; the tile has ${C0}`);
  const statIdx = stats.mean.length === C0 ? chans : chans.map((_, i) => i);
  const g = outSize / patch;
  const pp = patch * patch;
  const sx = (box.side * W) / outSize;
  const sy = (box.side * H) / outSize;
  const nodata = t.nodata;
  const nanNodata = Number.isNaN(nodata);
  // Precompute source taps per output column and row (shared by all channels).
  const xi0 = new Int32Array(outSize), xi1 = new Int32Array(outSize), xw = new Float32Array(outSize);
  const yi0 = new Int32Array(outSize), yi1 = new Int32Array(outSize), yw = new Float32Array(outSize);
  const taps = (n: number, origin: number, step: number, size: number, flip: boolean, i0: Int32Array, i1: Int32Array, w: Float32Array) => {
    for (let o = 0; o < n; o++) {
      const oo = flip ? n - 1 - o : o;
      const src = Math.min(size - 1, Math.max(0, origin * size + (oo + 0.5) * step - 0.5));
      const a = Math.floor(src);
      i0[o] = a;
      i1[o] = Math.min(size - 1, a + 1);
      w[o] = src - a;
    }
  };
  taps(outSize, box.x0, sx, W, box.flipH, xi0, xi1, xw);
  taps(outSize, box.y0, sy, H, box.flipV, yi0, yi1, yw);
  const data = t.data;
  for (let ci = 0; ci < C; ci++) {
    const c = chans[ci];
    const mean = stats.mean[statIdx[ci]];
    const std = stats.std[statIdx[ci]] || 1;
    const gain = photo ? photo.gain[ci] : 1;
    const shift = photo ? photo.offset[ci] : 0;
    const base = c * H * W;
    // Nodata stays at the band mean (0), unshifted: the augmentation changes only real pixels.
    const val = (idx: number) => {
      const v = data[base + idx];
      return (nanNodata ? Number.isNaN(v) : v === nodata) || !Number.isFinite(v) ? 0 : (v * gain - mean) / std + shift;
    };
    for (let oy = 0; oy < outSize; oy++) {
      const r0 = yi0[oy] * W, r1 = yi1[oy] * W, wy = yw[oy];
      const gy = Math.floor(oy / patch), py = oy % patch;
      for (let ox = 0; ox < outSize; ox++) {
        const a0 = xi0[ox], a1 = xi1[ox], wx = xw[ox];
        const top = val(r0 + a0) * (1 - wx) + val(r0 + a1) * wx;
        const bot = val(r1 + a0) * (1 - wx) + val(r1 + a1) * wx;
        const gx = Math.floor(ox / patch), px = ox % patch;
        out[offset + (gy * g + gx) * C * pp + ci * pp + py * patch + px] = top * (1 - wy) + bot * wy;
      }
    }
  }
}
