// The SIMD batched-product kernel: its bytes are what scripts/build-bmm-wasm.ts makes of bmm.wat, and
// it computes a @ b for every shape class its loops distinguish (4 x 4 blocks, leftover rows,
// leftover columns, an empty inner axis). Its use through tfjs is tested in wasm-kernels.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileBmmWat } from '../../scripts/bmm-wat.js';
import { batchedMatMul } from '../../src/train/bmm/index.js';
import { BMM_WASM_BASE64 } from '../../src/train/bmm/bmm-wasm.js';
import { REPO_ROOT } from '../support/fixtures.js';

function product(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[(t * m + i) * k + q] * b[(t * k + q) * n + j];
        c[(t * m + i) * n + j] = s;
      }
  return c;
}

describe('bmm (SIMD batched matrix product)', () => {
  it('is the compiled bmm.wat', async () => {
    const wat = readFileSync(join(REPO_ROOT, 'src', 'train', 'bmm', 'bmm.wat'), 'utf8');
    const built = Buffer.from(await compileBmmWat(wat)).toString('base64');
    expect(BMM_WASM_BASE64, 'run npx tsx scripts/build-bmm-wasm.ts after editing bmm.wat').toBe(built);
  });

  it.each([
    [1, 1, 1, 1],
    [2, 5, 3, 7],
    [6, 65, 64, 65],
    [1, 9, 17, 13],
    [3, 2, 3, 8],
    [2, 4, 1, 4],
  ])('batch %i of (%i x %i) @ (k x %i) equals the product in float64', (batch, m, k, n) => {
    const a = Float32Array.from({ length: batch * m * k }, (_, i) => Math.sin(i * 0.37 + 1));
    const b = Float32Array.from({ length: batch * k * n }, (_, i) => Math.cos(i * 0.21 + 2));
    const out = new Float32Array(batch * m * n).fill(NaN);
    batchedMatMul(a, b, batch, m, k, n, out);
    const want = product(a, b, batch, m, k, n);
    for (let i = 0; i < want.length; i++) expect(Math.abs(out[i] - want[i]), `element ${i}`).toBeLessThan(1e-5 * Math.max(1, k));
  });

  it('writes zeros for an empty inner axis, and refuses sizes that do not match', () => {
    const out = new Float32Array(6).fill(NaN);
    batchedMatMul(new Float32Array(0), new Float32Array(0), 2, 1, 0, 3, out);
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => batchedMatMul(new Float32Array(5), new Float32Array(6), 1, 2, 3, 2, new Float32Array(4))).toThrow('batchedMatMul: 5, 6, 4 floats for 1 x (2x3 @ 3x2)');
  });

  it('grows its memory for products larger than it holds', () => {
    const [batch, m, k, n] = [4, 130, 128, 130]; // ~1 MB of operands, past the first 64 KiB page
    const a = Float32Array.from({ length: batch * m * k }, (_, i) => ((i * 7) % 13) - 6);
    const b = Float32Array.from({ length: batch * k * n }, (_, i) => ((i * 5) % 11) - 5);
    const out = new Float32Array(batch * m * n);
    batchedMatMul(a, b, batch, m, k, n, out);
    const want = product(a, b, batch, m, k, n);
    expect(Array.from(out)).toEqual(Array.from(want)); // small integers: exact
  });
});
