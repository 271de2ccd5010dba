// k-nearest-neighbour evaluation of frozen features (DINO's protocol): cosine similarity, the k
// most similar training tiles vote for their class with weight exp(similarity / T). Labels are each
// tile's dominant WorldCover class. Reported overall, per class and class-balanced (mean of
// per-class accuracies), because rare classes matter.
import { TrainError } from '../errors.js';
import { WORLDCOVER_CLASSES, WORLDCOVER_NAMES } from '../landcover/worldcover.js';

/** Each of the n rows of f ([n, d] row-major) scaled to unit L2 norm (a new array). */
export function normaliseRows(f: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(f.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += f[i * d + j] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < d; j++) out[i * d + j] = f[i * d + j] * inv;
  }
  return out;
}

/** Predicted class per query row. */
export function knnPredict(
  train: Float32Array,
  trainLabels: number[],
  query: Float32Array,
  dim: number,
  k: number,
  temperature = 0.07,
): number[] {
  const nT = trainLabels.length;
  const nQ = query.length / dim;
  if (nT === 0) throw new TrainError('kNN: no training tiles');
  const a = normaliseRows(train, nT, dim);
  const q = normaliseRows(query, nQ, dim);
  const kk = Math.min(k, nT);
  const preds: number[] = [];
  const sims = new Float64Array(nT);
  for (let i = 0; i < nQ; i++) {
    for (let j = 0; j < nT; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += q[i * dim + d] * a[j * dim + d];
      sims[j] = s;
    }
    const order = Array.from({ length: nT }, (_, j) => j).sort((x, y) => sims[y] - sims[x] || x - y);
    const votes = new Map<number, number>();
    for (let r = 0; r < kk; r++) {
      const j = order[r];
      votes.set(trainLabels[j], (votes.get(trainLabels[j]) ?? 0) + Math.exp(sims[j] / temperature));
    }
    let best = -1;
    let bestV = -Infinity;
    for (const [c, v] of [...votes].sort((x, y) => x[0] - y[0])) if (v > bestV) (best = c), (bestV = v);
    preds.push(best);
  }
  return preds;
}

export interface ClassAccuracy {
  bin: number;
  code: number;
  name: string;
  count: number;
  correct: number;
  accuracy: number;
}

export interface AccuracyReport {
  accuracy: number;
  /** Mean of per-class accuracies over classes present in the test set. */
  balancedAccuracy: number;
  perClass: ClassAccuracy[];
}

export interface KnnReport extends AccuracyReport {
  k: number;
  train: number;
  test: number;
  /** A linear probe (probe.ts) on the same features and split; absent in reports from before it existed. */
  probe?: AccuracyReport;
}

export function knnReport(preds: number[], labels: number[], k: number, trainCount: number): KnnReport {
  return { k, train: trainCount, test: labels.length, ...accuracyReport(preds, labels) };
}

/** Overall, class-balanced and per-class accuracy of predicted WorldCover bins. */
export function accuracyReport(preds: number[], labels: number[]): AccuracyReport {
  const per = new Map<number, { count: number; correct: number }>();
  let correct = 0;
  labels.forEach((l, i) => {
    const e = per.get(l) ?? { count: 0, correct: 0 };
    e.count++;
    if (preds[i] === l) (e.correct++, correct++);
    per.set(l, e);
  });
  const perClass = [...per]
    .sort((a, b) => a[0] - b[0])
    .map(([bin, e]) => ({ bin, code: WORLDCOVER_CLASSES[bin], name: WORLDCOVER_NAMES[WORLDCOVER_CLASSES[bin]], count: e.count, correct: e.correct, accuracy: e.correct / e.count }));
  return {
    accuracy: labels.length ? correct / labels.length : NaN,
    balancedAccuracy: perClass.length ? perClass.reduce((s, c) => s + c.accuracy, 0) / perClass.length : NaN,
    perClass,
  };
}

export function formatKnn(r: KnnReport, title: string): string {
  const lines = [
    `${title}: kNN (k=${r.k}) on ${r.test} held-out tiles, ${r.train} reference tiles`,
    `  accuracy ${(100 * r.accuracy).toFixed(1)}%  class-balanced ${(100 * r.balancedAccuracy).toFixed(1)}%`,
    ...(r.probe ? [`  linear probe: accuracy ${(100 * r.probe.accuracy).toFixed(1)}%  class-balanced ${(100 * r.probe.balancedAccuracy).toFixed(1)}%`] : []),
    ...r.perClass.map((c) => `  ${String(c.code).padStart(3)} ${c.name.padEnd(20)} ${String(c.correct).padStart(5)}/${String(c.count).padEnd(5)} ${(100 * c.accuracy).toFixed(1)}%`),
  ];
  return lines.join('\n');
}
