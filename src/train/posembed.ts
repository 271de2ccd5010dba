// Resizing the learned position embedding to other token grids. The resize is a fixed linear map
// (bicubic, PyTorch's align_corners=False convention with a = -0.75, as timm uses), so we build it
// once per grid as a matrix and apply it with matMul: differentiable on every backend (tfjs has no
// bicubic resize op, and resize gradients are missing on some backends).

const A = -0.75;
const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1; // |x| <= 1
const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2

/** [outSize, inSize] matrix of 1-D bicubic interpolation weights (border taps clamped). */
export function bicubicMatrix1d(inSize: number, outSize: number): Float64Array {
  const m = new Float64Array(outSize * inSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = (o + 0.5) * scale - 0.5;
    const i0 = Math.floor(src);
    const t = src - i0;
    const w = [far(t + 1), near(t), near(1 - t), far(2 - t)];
    for (let k = 0; k < 4; k++) {
      const idx = Math.min(inSize - 1, Math.max(0, i0 - 1 + k));
      m[o * inSize + idx] += w[k];
    }
  }
  return m;
}

/** [g*g, G*G] matrix resizing a row-major G x G grid to g x g (Kronecker product of the 1-D maps). */
export function bicubicMatrix2d(G: number, g: number): Float32Array {
  const r = bicubicMatrix1d(G, g);
  const out = new Float32Array(g * g * G * G);
  for (let oy = 0; oy < g; oy++)
    for (let ox = 0; ox < g; ox++)
      for (let iy = 0; iy < G; iy++) {
        const wy = r[oy * G + iy];
        if (wy === 0) continue;
        for (let ix = 0; ix < G; ix++) out[(oy * g + ox) * G * G + iy * G + ix] = wy * r[ox * G + ix];
      }
  return out;
}
