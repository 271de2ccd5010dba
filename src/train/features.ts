// Frozen CLS features of whole tiles (evaluation and embedding): each tile is resized to the
// encoder's input side, normalised like training, and encoded with every requested modality it has
// (two or more are fused). Tiles are batched by modality set.
import * as tf from '@tensorflow/tfjs-core';
import { MODALITIES, type Modality } from '../model/types.js';
import { TrainError } from '../errors.js';
import { cropPatches, FULL_BOX } from './crops.js';
import { patchWidth } from './loader.js';
import { encodeFeature, type FeatureKind, type ParamMap, type ViewTokens } from './model.js';
import { initParamValues, type ParamValues } from './params.js';
import { encoderParamSpecs, ENCODER_SHAPES, type EncoderShape, type ModelSize } from './sizes.js';
import { dominantBin } from '../landcover/worldcover.js';
import type { TileSource, TrainTile } from './tiles.js';
import type { CorpusNormalisation } from '../shard/stats.js';

export interface EncoderWeights {
  shape: EncoderShape;
  values: ParamValues;
}

/** The encoder a pretraining run with this seed starts from (same RNG stream as the trainer). */
export function randomEncoder(size: ModelSize, seed: number): EncoderWeights {
  const shape = ENCODER_SHAPES[size];
  return { shape, values: initParamValues(encoderParamSpecs(shape), seed) };
}

export interface FeatureOptions {
  /** Input side in px (multiple of the patch size). Default the encoder's imgSize. */
  inputSize?: number;
  /** Modalities to use when present. Default all. */
  modalities?: Modality[];
  batchSize?: number;
  /** Only tiles for which this returns true. */
  filter?: (t: TrainTile) => boolean;
  /** Feature per tile: normed CLS, or CLS + mean patch token (see model.ts encodeFeature). Default cls. */
  feature?: FeatureKind;
}

export interface TileFeatures {
  tileIds: string[];
  /** Dominant WorldCover bin per tile. */
  labels: number[];
  histograms: number[][];
  /** Row-major [n, dim]. */
  features: Float32Array;
  dim: number;
}

export async function extractFeatures(source: TileSource, enc: EncoderWeights, opts: FeatureOptions = {}): Promise<TileFeatures> {
  const s = enc.shape;
  const size = opts.inputSize ?? s.imgSize;
  if (size % s.patchSize !== 0) throw new TrainError(`input size ${size} is not a multiple of the patch size ${s.patchSize}`);
  const g = size / s.patchSize;
  const bs = opts.batchSize ?? 16;
  const kind: FeatureKind = opts.feature ?? 'cls';
  const want = opts.modalities ?? [...MODALITIES];
  const stats: CorpusNormalisation = await source.stats();
  const params: ParamMap = new Map();
  for (const sp of encoderParamSpecs(s)) {
    const v = enc.values.get(sp.name);
    if (!v) throw new TrainError(`encoder weights lack ${sp.name}`);
    params.set(sp.name, tf.tensor(v, sp.shape));
  }
  const out = { tileIds: [] as string[], labels: [] as number[], histograms: [] as number[][], chunks: [] as Float32Array[] };
  const pending = new Map<string, TrainTile[]>();
  const flush = (key: string) => {
    const tiles = pending.get(key);
    if (!tiles?.length) return;
    pending.delete(key);
    const mods = key.split(',') as Modality[];
    const view: ViewTokens = { grid: g, patches: {} };
    for (const m of mods) {
      const w = patchWidth(m, s.patchSize);
      const a = new Float32Array(tiles.length * g * g * w);
      tiles.forEach((t, b) => cropPatches(m, t.modalities[m]!, stats.modalities[m], FULL_BOX, size, s.patchSize, a, b * g * g * w));
      view.patches[m] = tf.tensor3d(a, [tiles.length, g * g, w]);
    }
    const cls = tf.tidy(() => encodeFeature(params, s, view, kind));
    out.chunks.push(cls.dataSync() as Float32Array);
    tf.dispose([cls, ...(Object.values(view.patches) as tf.Tensor[])]);
    for (const t of tiles) {
      out.tileIds.push(t.tileId);
      out.labels.push(dominantBin(t.classHistogram));
      out.histograms.push(t.classHistogram);
    }
  };
  try {
    for await (const t of source.read(0)) {
      if (opts.filter && !opts.filter(t)) continue;
      const mods = want.filter((m) => t.modalities[m]);
      if (mods.length === 0) continue;
      const key = mods.join(',');
      const list = pending.get(key) ?? [];
      list.push(t);
      pending.set(key, list);
      if (list.length >= bs) flush(key);
    }
    for (const k of [...pending.keys()]) flush(k);
  } finally {
    tf.dispose([...params.values()]);
  }
  const features = new Float32Array(out.chunks.reduce((a, c) => a + c.length, 0));
  let off = 0;
  for (const c of out.chunks) {
    features.set(c, off);
    off += c.length;
  }
  return { tileIds: out.tileIds, labels: out.labels, histograms: out.histograms, features, dim: kind === 'cls' ? s.embedDim : 2 * s.embedDim };
}
