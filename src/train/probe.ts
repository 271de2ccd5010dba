// Linear probe on frozen features: multinomial logistic regression (softmax over the classes the
// reference tiles have) on L2-normalised, standardised features, L2 penalty, full-batch Adam from
// zero weights, so a probe is deterministic. The second frozen-feature figure beside kNN: kNN asks
// whether neighbours share a class, the probe whether the classes are linearly separable.
import { normaliseRows } from './knn.js';

export interface ProbeOptions {
  /** Full-batch iterations. Default 300. */
  iterations?: number;
  /** Adam step size. Default 0.05. */
  lr?: number;
  /** L2 penalty on the weights (not the biases). Default 1e-3. */
  weightDecay?: number;
}


/** Predicted class per query row, from a probe fitted on the reference rows. */
export function probePredict(train: Float32Array, trainLabels: number[], query: Float32Array, dim: number, o: ProbeOptions = {}): number[] {
  const iters = o.iterations ?? 300;
  const lr = o.lr ?? 0.05;
  const wd = o.weightDecay ?? 1e-3;
  const n = trainLabels.length;
  const classes = [...new Set(trainLabels)].sort((a, b) => a - b);
  const C = classes.length;
  const y = trainLabels.map((l) => classes.indexOf(l));
  const x = Float64Array.from(normaliseRows(train, n, dim));
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += x[i * dim + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) std[j] += (x[i * dim + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j]) || 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = (x[i * dim + j] - mean[j]) / std[j];
  const P = (dim + 1) * C; // weights [dim, C] then biases [C]
  const w = new Float64Array(P);
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const g = new Float64Array(P);
  const logits = new Float64Array(C);
  for (let t = 1; t <= iters; t++) {
    g.fill(0);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < C; c++) {
        let s = w[dim * C + c];
        for (let j = 0; j < dim; j++) s += x[i * dim + j] * w[j * C + c];
        logits[c] = s;
        if (s > max) max = s;
      }
      let z = 0;
      for (let c = 0; c < C; c++) z += (logits[c] = Math.exp(logits[c] - max));
      for (let c = 0; c < C; c++) {
        const d = (logits[c] / z - (c === y[i] ? 1 : 0)) / n;
        for (let j = 0; j < dim; j++) g[j * C + c] += d * x[i * dim + j];
        g[dim * C + c] += d;
      }
    }
    for (let p = 0; p < P; p++) {
      const gp = g[p] + (p < dim * C ? wd * w[p] : 0);
      m[p] = 0.9 * m[p] + 0.1 * gp;
      v[p] = 0.999 * v[p] + 0.001 * gp * gp;
      w[p] -= (lr * (m[p] / (1 - 0.9 ** t))) / (Math.sqrt(v[p] / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  const nQ = query.length / dim;
  const q = normaliseRows(query, nQ, dim);
  const preds: number[] = [];
  for (let i = 0; i < nQ; i++) {
    let best = 0;
    let bestS = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = w[dim * C + c];
      for (let j = 0; j < dim; j++) s += ((q[i * dim + j] - mean[j]) / std[j]) * w[j * C + c];
      if (s > bestS) (bestS = s), (best = c);
    }
    preds.push(classes[best]);
  }
  return preds;
}
