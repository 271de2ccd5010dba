// Cross-modal evaluation figures from frozen features (pure; evaluate-crossmodal.ts reads the tiles).
// Each tile has one feature row per modality (e.g. its S1 and its S2 CLS). Two figures:
//   retrieval: every held-out tile's S1 feature ranks all held-out tiles' S2 features by cosine
//     similarity; the rank of its own (co-located) S2 tile is the figure (1 = found first; chance
//     is about N/2). Reported as median rank and mean reciprocal rank; top-k recall is shown too, but
//     with a few hundred tiles it is mostly noise at this training length.
//   cross-modal kNN: held-out tiles' query-modality features vote against the reference tiles'
//     reference-modality features (kNN, knn.ts); beside it the majority-class and the same-modality
//     kNN (reference modality on both sides) as floor and ceiling.
// Modalities sit in different regions of feature space (the modality gap); each modality is centred
// on its own mean over the reference tiles before any comparison, or one modality's offset decides
// the neighbours instead of the tile's content.
import { TrainError } from '../errors.js';
import { type Modality } from '../model/types.js';
import { knnPredict, knnReport, type KnnReport } from './knn.js';
import { WORLDCOVER_CLASSES, WORLDCOVER_NAMES } from '../landcover/worldcover.js';

/** Mean of the given rows of a row-major [n, dim] matrix. */
export function rowMean(f: Float32Array, rows: number[], dim: number): Float64Array {
  if (rows.length === 0) throw new TrainError('cannot centre on an empty set of tiles');
  const m = new Float64Array(dim);
  for (const r of rows) for (let d = 0; d < dim; d++) m[d] += f[r * dim + d];
  for (let d = 0; d < dim; d++) m[d] /= rows.length;
  return m;
}

/** Rows minus a mean vector. */
export function centred(f: Float32Array, dim: number, mean: Float64Array): Float32Array {
  const out = new Float32Array(f.length);
  for (let i = 0; i < f.length; i++) out[i] = f[i] - mean[i % dim];
  return out;
}

function unitRows(f: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(f.length);
  for (let i = 0; i < f.length / dim; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += f[i * dim + d] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let d = 0; d < dim; d++) out[i * dim + d] = f[i * dim + d] * inv;
  }
  return out;
}

/**
 * For query row i, the rank of gallery row i among all gallery rows by cosine similarity (1-based).
 * Ties count against the partner (a constant feature gets rank N, not 1).
 */
export function partnerRanks(query: Float32Array, gallery: Float32Array, dim: number): number[] {
  const n = query.length / dim;
  if (gallery.length !== query.length) throw new TrainError(`retrieval needs one gallery row per query row; got ${gallery.length / dim} and ${n}`);
  const q = unitRows(query, dim);
  const g = unitRows(gallery, dim);
  const sims = new Float64Array(n);
  const ranks: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += q[i * dim + d] * g[j * dim + d];
      sims[j] = s;
    }
    let rank = 1;
    for (let j = 0; j < n; j++) if (j !== i && sims[j] >= sims[i]) rank++;
    ranks.push(rank);
  }
  return ranks;
}

export const RANK_BINS = 10;

export interface RetrievalReport {
  query: Modality;
  gallery: Modality;
  /** Held-out tiles with both modalities (gallery size). */
  n: number;
  /** Median rank a random ordering gives (N/2). */
  chance: number;
  medianRank: number;
  meanRank: number;
  /** Mean reciprocal rank (chance about ln(N)/N). */
  mrr: number;
  /** Share of queries whose partner is within the first k (not the headline figure). */
  topK: { k: number; recall: number }[];
  /** Ranks counted in RANK_BINS equal bins over 1..N (for the histogram picture). */
  histogram: number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function retrievalReport(ranks: number[], query: Modality, gallery: Modality): RetrievalReport {
  const n = ranks.length;
  if (n === 0) throw new TrainError(`retrieval ${query} -> ${gallery}: no held-out tile has both modalities`);
  const histogram = new Array<number>(RANK_BINS).fill(0);
  for (const r of ranks) histogram[Math.min(RANK_BINS - 1, Math.floor(((r - 1) * RANK_BINS) / n))]++;
  return {
    query,
    gallery,
    n,
    chance: n / 2,
    medianRank: median(ranks),
    meanRank: ranks.reduce((a, b) => a + b, 0) / n,
    mrr: ranks.reduce((a, r) => a + 1 / r, 0) / n,
    topK: [1, 5, 10].filter((k) => k < n).map((k) => ({ k, recall: ranks.filter((r) => r <= k).length / n })),
    histogram,
  };
}

/** Features of the same tiles in two modalities, with labels and the held-out split. */
export interface PairedFeatures {
  modalities: [Modality, Modality];
  tileIds: string[];
  /** Dominant WorldCover bin per tile (0: no land cover). */
  labels: number[];
  heldOut: boolean[];
  dim: number;
  /** Row-major [n, dim] per modality, rows in tileIds order. */
  features: [Float32Array, Float32Array];
}

function pickRows(f: Float32Array, rows: number[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(f.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

function splitRows(p: PairedFeatures, labelled: boolean): { ref: number[]; test: number[] } {
  const ref: number[] = [];
  const test: number[] = [];
  p.tileIds.forEach((_, i) => {
    if (labelled && p.labels[i] === 0) return;
    (p.heldOut[i] ? test : ref).push(i);
  });
  return { ref, test };
}

/** Both modalities centred on their own mean over the reference (not held-out) tiles. */
export function centreOnReference(p: PairedFeatures): [Float32Array, Float32Array] {
  const { ref } = splitRows(p, false);
  if (ref.length === 0) throw new TrainError('no reference tiles to centre on (every tile is held out)');
  return [centred(p.features[0], p.dim, rowMean(p.features[0], ref, p.dim)), centred(p.features[1], p.dim, rowMean(p.features[1], ref, p.dim))];
}

/** Retrieval both ways among the held-out tiles: modalities[0] -> [1] and [1] -> [0]. */
export function retrievalBothWays(p: PairedFeatures): [RetrievalReport, RetrievalReport] {
  const [a, b] = centreOnReference(p);
  const { test } = splitRows(p, false);
  const qa = pickRows(a, test, p.dim);
  const qb = pickRows(b, test, p.dim);
  return [retrievalReport(partnerRanks(qa, qb, p.dim), p.modalities[0], p.modalities[1]), retrievalReport(partnerRanks(qb, qa, p.dim), p.modalities[1], p.modalities[0])];
}

export interface CrossModalKnnReport {
  query: Modality;
  reference: Modality;
  /** Held-out query-modality features against reference tiles' reference-modality features, both centred. */
  crossModal: KnnReport;
  /** Floor: every held-out tile given the most frequent class of the reference tiles. */
  majority: { code: number; name: string; accuracy: number };
  /** Ceiling: reference modality on both sides (same centring, same tiles). */
  sameModality: KnnReport;
}

/** Cross-modal kNN with `query` = modalities[queryIndex] of `p` against the other modality. */
export function crossModalKnn(p: PairedFeatures, k: number, queryIndex: 0 | 1 = 0): CrossModalKnnReport {
  const c = centreOnReference(p);
  const { ref, test } = splitRows(p, true);
  if (ref.length === 0 || test.length === 0) throw new TrainError(`cross-modal kNN needs labelled tiles on both sides of the split; got ${ref.length} reference and ${test.length} held-out tiles`);
  const qf = c[queryIndex];
  const rf = c[1 - queryIndex];
  const refLabels = ref.map((i) => p.labels[i]);
  const testLabels = test.map((i) => p.labels[i]);
  const counts = new Map<number, number>();
  for (const l of refLabels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const top = [...counts].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0][0];
  const cross = knnPredict(pickRows(rf, ref, p.dim), refLabels, pickRows(qf, test, p.dim), p.dim, k);
  const same = knnPredict(pickRows(rf, ref, p.dim), refLabels, pickRows(rf, test, p.dim), p.dim, k);
  return {
    query: p.modalities[queryIndex],
    reference: p.modalities[1 - queryIndex],
    crossModal: knnReport(cross, testLabels, k, ref.length),
    majority: { code: WORLDCOVER_CLASSES[top], name: WORLDCOVER_NAMES[WORLDCOVER_CLASSES[top]], accuracy: testLabels.filter((l) => l === top).length / testLabels.length },
    sameModality: knnReport(same, testLabels, k, ref.length),
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export function formatRetrieval(r: RetrievalReport, title: string): string {
  const top = r.topK.map((t) => `top-${t.k} ${pct(t.recall)}`).join(', ');
  return `${title}: ${r.query} -> ${r.gallery} retrieval of the co-located tile among ${r.n} held-out tiles: median rank ${r.medianRank} (chance ${r.chance}), MRR ${r.mrr.toFixed(4)}, mean rank ${r.meanRank.toFixed(1)}${top ? `; ${top}` : ''}`;
}

export function formatCrossModalKnn(r: CrossModalKnnReport, title: string): string {
  return (
    `${title}: cross-modal kNN (k=${r.crossModal.k}) ${r.query} queries vs ${r.reference} reference, each modality centred on its reference mean: ` +
    `${pct(r.crossModal.accuracy)} (class-balanced ${pct(r.crossModal.balancedAccuracy)}) on ${r.crossModal.test} held-out tiles; ` +
    `majority class (${r.majority.name}) ${pct(r.majority.accuracy)}, same-modality ${r.reference} kNN ${pct(r.sameModality.accuracy)}`
  );
}
