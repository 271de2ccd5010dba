import { describe, expect, it } from 'vitest';
import { probePredict } from '../../src/train/probe.js';
import { Rng } from '../../src/train/rng.js';

// Three classes (WorldCover bins 1, 4, 7) in 8 dimensions: class c is shifted along dimension c by
// `sep`; the rest is unit Gaussian noise.
function blobs(n: number, sep: number, seed: number) {
  const rng = new Rng(seed);
  const dim = 8;
  const bins = [1, 4, 7];
  const x = new Float32Array(n * dim);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    for (let j = 0; j < dim; j++) x[i * dim + j] = rng.normal() + (j === c ? sep : 0) + 3; // offset: tests the standardising
    y.push(bins[c]);
  }
  return { x, y, dim };
}

const acc = (p: number[], y: number[]) => p.filter((v, i) => v === y[i]).length / y.length;

describe('linear probe', () => {
  it('separates linearly separable classes and predicts the reference labels (bins, not indices)', () => {
    const tr = blobs(300, 4, 1);
    const te = blobs(150, 4, 2);
    const p = probePredict(tr.x, tr.y, te.x, tr.dim);
    expect(new Set(p)).toEqual(new Set([1, 4, 7]));
    expect(acc(p, te.y)).toBeGreaterThan(0.9);
  });
  it('stays near chance when the labels carry no signal, and is deterministic', () => {
    const tr = blobs(300, 0, 3);
    const te = blobs(300, 0, 4);
    const p = probePredict(tr.x, tr.y, te.x, tr.dim);
    expect(acc(p, te.y)).toBeLessThan(0.5);
    expect(probePredict(tr.x, tr.y, te.x, tr.dim)).toEqual(p);
  });
});
