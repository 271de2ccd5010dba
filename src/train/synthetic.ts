// Synthetic multi-modal tiles for trainer tests and benchmarks: each tile is split into two land-cover regions
// (a dominant class and a minor one) whose spectra differ by class, with noise, so a model can
// learn something and the class histograms are known exactly.
import { Rng } from './rng.js';
import type { TrainTile } from './tiles.js';
import type { CorpusNormalisation } from '../shard/stats.js';

export interface SynthOptions {
  count: number;
  size: number;
  seed?: number;
  /** Class bins used (index into WORLDCOVER_CLASSES); the first is the most frequent. */
  classes?: number[];
  l1cBands?: 12 | 13;
  /**
   * Strength of per-tile, per-modality nuisance (a random offset per band and a gain), drawn
   * independently for each modality. 0 = none. With nuisance, the land-cover class is the main
   * thing the modalities of a tile share, which is what cross-modal self-distillation can learn
   * and a random encoder does not single out.
   */
  nuisance?: number;
}

export function classSpectrum(bin: number, band: number, bands: number): number {
  // A smooth, class-specific curve over the bands.
  return 1000 + 800 * Math.sin(0.9 * bin + (band / bands) * Math.PI * (1 + (bin % 3)));
}

export function synthTiles(o: SynthOptions): TrainTile[] {
  const rng = new Rng(o.seed ?? 1);
  const classes = o.classes ?? [1, 4, 5, 8];
  const S = o.size;
  const tiles: TrainTile[] = [];
  for (let i = 0; i < o.count; i++) {
    // Skewed class frequencies: class k is dominant with probability ~ 1/(k+1).
    const wts = classes.map((_, k) => 1 / (k + 1));
    let u = rng.next() * wts.reduce((a, b) => a + b, 0);
    let k = 0;
    while (u > wts[k]) u -= wts[k++];
    const dom = classes[k];
    const minor = classes[(k + 1 + rng.int(classes.length - 1)) % classes.length];
    const split = Math.floor(S * (0.7 + 0.2 * rng.next()));
    const lc = new Uint8Array(S * S);
    const hist = new Array(12).fill(0);
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        const b = x < split ? dom : minor;
        lc[y * S + x] = b;
        hist[b]++;
      }
    const nz = o.nuisance ?? 0;
    const mk = (bands: number, scale: number) => {
      const a = new Float32Array(bands * S * S);
      const gain = Math.exp(0.3 * nz * rng.normal());
      for (let c = 0; c < bands; c++) {
        const offset = 800 * nz * rng.normal();
        for (let p = 0; p < S * S; p++) a[c * S * S + p] = scale * Math.max(1, 2500 + offset + gain * (classSpectrum(lc[p], c, bands) - 1000) + 150 * rng.normal());
      }
      return a;
    };
    const l2a = Uint16Array.from(mk(12, 1));
    const l1cN = o.l1cBands ?? 12;
    const l1c = Uint16Array.from(mk(l1cN, 1.1));
    const s1 = mk(2, 0.001);
    tiles.push({
      tileId: `t${i}`,
      modalities: {
        s2_l2a: { shape: [12, S, S], data: l2a, nodata: 0 },
        s2_l1c: { shape: [l1cN, S, S], data: l1c, nodata: 0 },
        s1: { shape: [2, S, S], data: s1, nodata: Number.NaN },
      },
      classHistogram: hist,
      sampleWeight: 1 + (i % 3),
    });
  }
  return tiles;
}

/** Per-band mean/std and class counts computed from the tiles themselves. */
export function synthStats(tiles: TrainTile[]): CorpusNormalisation {
  const out: CorpusNormalisation = { modalities: {}, classPixelCounts: new Array(12).fill(0) };
  for (const t of tiles) t.classHistogram.forEach((c, i) => (out.classPixelCounts[i] += c));
  for (const m of ['s2_l2a', 's2_l1c', 's1'] as const) {
    const [C, H, W] = tiles[0].modalities[m]!.shape;
    const mean = new Array(C).fill(0);
    const sq = new Array(C).fill(0);
    let n = 0;
    for (const t of tiles) {
      const d = t.modalities[m]!.data;
      for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) (mean[c] += d[c * H * W + p]), (sq[c] += d[c * H * W + p] ** 2);
      n += H * W;
    }
    out.modalities[m] = { mean: mean.map((s) => s / n), std: mean.map((s, c) => Math.sqrt(Math.max(1e-12, sq[c] / n - (s / n) ** 2))) };
  }
  return out;
}
