// `terrafm eval retrieval` and `eval knn --cross-modal` cores: per-modality features of a corpus's
// tiles (each modality encoded alone) for an encoder or the random initialisation a run started
// from; the figures themselves are computed in crossmodal.ts.
import path from 'node:path';
import type { Modality } from '../model/types.js';
import { TrainError } from '../errors.js';
import { describeChoice, selectBackend } from './backend.js';
import { corpusTileSource } from './corpus.js';
import {
  crossModalKnn,
  retrievalBothWays,
  type CrossModalKnnReport,
  type PairedFeatures,
  type RetrievalReport,
} from './crossmodal.js';
import { loadEncoder, readRunIdentity, runEvalOptions, type EvalOptions } from './evaluate.js';
import { extractFeatures, type EncoderWeights } from './features.js';
import { DEFAULT_SPLIT, isHeldOut } from './split.js';
import type { ModelSize } from './sizes.js';
import type { TileSource } from './tiles.js';

/** The pair the cross-modal figures use unless told otherwise: radar against optical. */
export const DEFAULT_PAIR: [Modality, Modality] = ['s1', 's2_l2a'];

export interface CrossModalOptions extends Omit<EvalOptions, 'modalities'> {
  /** [query, reference]; retrieval runs both ways. Default [s1, s2_l2a]. */
  pair?: [Modality, Modality];
}

/** Features of every tile that has both modalities, each modality encoded on its own. */
export async function pairedFeatures(source: TileSource, enc: EncoderWeights, opts: CrossModalOptions = {}): Promise<PairedFeatures> {
  const pair = opts.pair ?? DEFAULT_PAIR;
  if (pair[0] === pair[1]) throw new TrainError(`cross-modal evaluation needs two different modalities; got ${pair[0]} twice`);
  const split = opts.split ?? DEFAULT_SPLIT;
  const [fa, fb] = [
    await extractFeatures(source, enc, { inputSize: opts.inputSize, modalities: [pair[0]], feature: opts.feature }),
    await extractFeatures(source, enc, { inputSize: opts.inputSize, modalities: [pair[1]], feature: opts.feature }),
  ];
  const rowOf = new Map(fb.tileIds.map((id, i) => [id, i]));
  const dim = fa.dim;
  const rows = fa.tileIds.map((id, i) => [i, rowOf.get(id)] as const).filter((r): r is readonly [number, number] => r[1] !== undefined);
  if (rows.length === 0) throw new TrainError(`no tile of the corpus has both ${pair[0]} and ${pair[1]}`);
  const a = new Float32Array(rows.length * dim);
  const b = new Float32Array(rows.length * dim);
  rows.forEach(([i, j], r) => {
    a.set(fa.features.subarray(i * dim, (i + 1) * dim), r * dim);
    b.set(fb.features.subarray(j * dim, (j + 1) * dim), r * dim);
  });
  const tileIds = rows.map(([i]) => fa.tileIds[i]);
  return { modalities: pair, tileIds, labels: rows.map(([i]) => fa.labels[i]), heldOut: tileIds.map((id) => isHeldOut(id, split)), dim, features: [a, b] };
}

export interface CrossModalReport {
  /** [query -> reference, reference -> query], both on the held-out tiles. */
  retrieval: [RetrievalReport, RetrievalReport];
  /** Query modality against the reference modality. */
  knn: CrossModalKnnReport;
}

export async function evalCrossModalSource(source: TileSource, enc: EncoderWeights, opts: CrossModalOptions = {}): Promise<CrossModalReport> {
  const choice = await selectBackend(opts.backend ?? 'auto');
  opts.log?.(describeChoice(choice));
  const p = await pairedFeatures(source, enc, opts);
  return { retrieval: retrievalBothWays(p), knn: crossModalKnn(p, opts.k ?? 20) };
}

/** `encoderDir` null: the random initialisation of `opts.size` / `opts.seed`. */
export async function evalCrossModal(
  corpusDir: string,
  encoderDir: string | null,
  opts: CrossModalOptions & { size?: ModelSize; seed?: number } = {},
): Promise<CrossModalReport> {
  const pair = opts.pair ?? DEFAULT_PAIR;
  return evalCrossModalSource(corpusTileSource(corpusDir, { modalities: [...pair] }), loadEncoder({ dir: encoderDir, size: opts.size, seed: opts.seed }), opts);
}

export interface CrossModalComparison {
  random: CrossModalReport;
  trained: CrossModalReport;
}

/** A finished run's encoder and its random initialisation, on the run's own held-out split. */
export async function compareRunCrossModal(corpusDir: string, runDir: string, opts: CrossModalOptions = {}): Promise<CrossModalComparison> {
  const run = readRunIdentity(runDir);
  const o = runEvalOptions(run, opts);
  const source = corpusTileSource(corpusDir, { modalities: [...(opts.pair ?? DEFAULT_PAIR)] });
  const random = await evalCrossModalSource(source, loadEncoder({ dir: null, size: run.size, seed: run.seed }), o);
  const trained = await evalCrossModalSource(source, loadEncoder({ dir: path.join(runDir, 'encoder') }), o);
  return { random, trained };
}
