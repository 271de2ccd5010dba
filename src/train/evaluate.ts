// `terrafm eval knn` and `terrafm embed` cores: frozen features of a corpus's tiles from an exported
// encoder (or the random initialisation a run starts from, as the baseline).
import fs from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Modality } from '../model/types.js';
import type { TrainBackend } from '../config/sections/train.js';
import { TrainError } from '../errors.js';
import { describeChoice, selectBackend } from './backend.js';
import { writeFileAtomic } from '../atomic-file.js';
import { corpusTileSource } from './corpus.js';
import { readEncoder } from './export.js';
import { extractFeatures, randomEncoder, type EncoderWeights } from './features.js';
import { accuracyReport, knnPredict, knnReport, type KnnReport } from './knn.js';
import { probePredict } from './probe.js';
import type { FeatureKind } from './model.js';
import { ENCODER_SHAPES, type ModelSize } from './sizes.js';
import { DEFAULT_SPLIT, isHeldOut, type HeldOutSplit } from './split.js';
import type { TileSource } from './tiles.js';
import { WORLDCOVER_CLASSES } from '../landcover/worldcover.js';

export interface EncoderRef {
  /** Directory with model.json + weights.bin; or null for a random initialisation. */
  dir: string | null;
  /** For the random baseline: size and seed (same seed as the run gives the run's starting point). */
  size?: ModelSize;
  seed?: number;
}

export function loadEncoder(ref: EncoderRef): EncoderWeights {
  if (ref.dir) {
    const e = readEncoder(ref.dir);
    return { shape: e.shape, values: e.values };
  }
  return randomEncoder(ref.size ?? 'tiny', ref.seed ?? 0);
}

export interface EvalOptions {
  k?: number;
  /** The held-out split (tile-id hash). Default 30 %, seed 0; a run's own split for run comparisons. */
  split?: HeldOutSplit;
  inputSize?: number;
  modalities?: Modality[];
  backend?: TrainBackend;
  /** Tile feature compared by the kNN (the same for every encoder compared). Default cls. */
  feature?: FeatureKind;
  log?: (line: string) => void;
}

export async function evalKnnSource(source: TileSource, enc: EncoderWeights, opts: EvalOptions = {}): Promise<KnnReport> {
  const choice = await selectBackend(opts.backend ?? 'auto');
  opts.log?.(describeChoice(choice));
  const f = await extractFeatures(source, enc, { inputSize: opts.inputSize, modalities: opts.modalities, feature: opts.feature });
  const split = opts.split ?? DEFAULT_SPLIT;
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  f.tileIds.forEach((id, i) => {
    if (f.labels[i] === 0) return; // no valid land cover: no label
    (isHeldOut(id, split) ? testIdx : trainIdx).push(i);
  });
  if (trainIdx.length === 0 || testIdx.length === 0)
    throw new TrainError(`kNN needs labelled tiles on both sides of the split; got ${trainIdx.length} reference and ${testIdx.length} held-out tiles`);
  const pick = (idx: number[]) => {
    const a = new Float32Array(idx.length * f.dim);
    idx.forEach((i, r) => a.set(f.features.subarray(i * f.dim, (i + 1) * f.dim), r * f.dim));
    return a;
  };
  const k = opts.k ?? 20;
  const [train, trainLabels, test, testLabels] = [pick(trainIdx), trainIdx.map((i) => f.labels[i]), pick(testIdx), testIdx.map((i) => f.labels[i])];
  const preds = knnPredict(train, trainLabels, test, f.dim, k);
  return { ...knnReport(preds, testLabels, k, trainIdx.length), probe: accuracyReport(probePredict(train, trainLabels, test, f.dim), testLabels) };
}

/** kNN accuracy of an encoder on a corpus directory. `encoderDir` null: the random-init baseline. */
export async function evalKnn(corpusDir: string, encoderDir: string | null, opts: EvalOptions & { size?: ModelSize; seed?: number } = {}): Promise<KnnReport> {
  return evalKnnSource(corpusTileSource(corpusDir, { modalities: opts.modalities }), loadEncoder({ dir: encoderDir, size: opts.size, seed: opts.seed }), opts);
}

export interface RunComparison {
  /** The initialisation the run started from (its size and seed). */
  random: KnnReport;
  /** The run's exported (teacher) encoder. */
  trained: KnnReport;
}

/** What a comparison needs from a finished run: its random initialisation and its held-out split. */
export interface RunIdentity {
  size: ModelSize;
  seed: number;
  /** The run's split (runs from before the split was configurable used the eval default). */
  split: HeldOutSplit;
  /** Whether training left the held-out tiles out (false for older runs). */
  excluded: boolean;
  /** The side of the run's global crops: what its encoder saw in training, and the input side its evaluations use. */
  globalSize: number;
}

export function readRunIdentity(runDir: string): RunIdentity {
  const summary = path.join(runDir, 'train.json');
  let cfg: { size: ModelSize; seed: number; heldOut?: HeldOutSplit & { exclude: boolean }; crops?: { globalSize: number } };
  try {
    cfg = (JSON.parse(fs.readFileSync(summary, 'utf8')) as { config: typeof cfg }).config;
  } catch (e) {
    throw new TrainError(`cannot read ${summary} (a finished \`terrafm train\` run writes it): ${(e as Error).message}`, e);
  }
  const split = cfg.heldOut ? { percent: cfg.heldOut.percent, seed: cfg.heldOut.seed } : DEFAULT_SPLIT;
  return { size: cfg.size, seed: cfg.seed, split, excluded: cfg.heldOut?.exclude ?? false, globalSize: cfg.crops?.globalSize ?? ENCODER_SHAPES[cfg.size].imgSize };
}

/**
 * Options of a run comparison: the run's held-out split, and tiles resized to the run's global crop
 * side (the resolution and token grid its encoder trained on) unless an input size is given.
 */
export function runEvalOptions<O extends EvalOptions>(run: RunIdentity, opts: O): O {
  return { ...opts, split: run.split, inputSize: opts.inputSize ?? run.globalSize };
}

/**
 * The done-when figure of a pretraining run: kNN of the run's encoder and of the random
 * initialisation it started from (size, seed and held-out split from <runDir>/train.json).
 */
export async function compareRunKnn(corpusDir: string, runDir: string, opts: EvalOptions = {}): Promise<RunComparison> {
  const run = readRunIdentity(runDir);
  const o = runEvalOptions(run, opts);
  const source = corpusTileSource(corpusDir, { modalities: opts.modalities });
  const random = await evalKnnSource(source, loadEncoder({ dir: null, size: run.size, seed: run.seed }), o);
  const trained = await evalKnnSource(source, loadEncoder({ dir: path.join(runDir, 'encoder') }), o);
  return { random, trained };
}

export interface EmbedOptions {
  inputSize?: number;
  modalities?: Modality[];
  backend?: TrainBackend;
  /** Where the weights came from, recorded in the file's metadata (e.g. `random init tiny seed 0`). */
  origin?: string;
  log?: (line: string) => void;
}

/**
 * Writes CLS embeddings to Parquet: tile_id (string), dominant_class (WorldCover code, int32),
 * embedding (list<float>, the encoder's embed dim). Returns the number of rows.
 */
export async function embedToParquet(source: TileSource, enc: EncoderWeights, outFile: string, opts: EmbedOptions = {}): Promise<number> {
  const choice = await selectBackend(opts.backend ?? 'auto');
  opts.log?.(describeChoice(choice));
  const f = await extractFeatures(source, enc, { inputSize: opts.inputSize, modalities: opts.modalities });
  const n = f.tileIds.length;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(f.features.subarray(i * f.dim, (i + 1) * f.dim)));
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'tile_id', data: f.tileIds },
      { name: 'dominant_class', data: f.labels.map((b) => WORLDCOVER_CLASSES[b]) },
      { name: 'embedding', data: rows },
    ],
    schema: [
      { name: 'root', num_children: 3 },
      { name: 'tile_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'dominant_class', type: 'INT32', repetition_type: 'REQUIRED' },
      { name: 'embedding', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
    ],
    kvMetadata: [{ key: 'terrafm:embedding', value: JSON.stringify({ dim: f.dim, size: enc.shape.size, feature: 'normed CLS token', ...(opts.origin ? { encoder: opts.origin } : {}) }) }],
  });
  writeFileAtomic(outFile, Buffer.from(buf));
  return n;
}

/** `encoderDir` null: the random initialisation of `opts.size` / `opts.seed` (the baseline a run starts from). */
export async function embedCorpus(corpusDir: string, encoderDir: string | null, outFile: string, opts: EmbedOptions & { size?: ModelSize; seed?: number } = {}): Promise<number> {
  const origin = encoderDir ?? `random init ${opts.size ?? 'tiny'} seed ${opts.seed ?? 0}`;
  return embedToParquet(corpusTileSource(corpusDir, { modalities: opts.modalities }), loadEncoder({ dir: encoderDir, size: opts.size, seed: opts.seed }), outFile, { origin, ...opts });
}
