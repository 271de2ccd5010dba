// Resizing the learned position embedding to other token grids. The resize is a fixed linear map
// (bicubic, PyTorch's align_corners=False convention with a = -0.75), so we build it once per grid
// as a matrix and apply it with matMul: differentiable on every backend (tfjs has no bicubic resize
// op, and resize gradients are missing on some backends).
// The released TerraFM resizes the G x G grid as DINO does: interpolate(..., scale_factor=(g + 0.1) / G),
// and PyTorch then maps output coordinates with that factor, not with g / G (the output still has g
// rows because floor(G * (g + 0.1) / G) = g). The 0.1 shifts every tap a little; matching it is what
// makes our features equal the released model's at other input sizes.

const A = -0.75;
const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1; // |x| <= 1
const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2

/** Source pixels per output pixel for the DINO-convention resize of a G grid to g (PyTorch uses 1 / scale_factor). */
export function dinoResizeScale(G: number, g: number): number {
  return G / (g + 0.1);
}

/**
 * [outSize, inSize] matrix of 1-D bicubic interpolation weights (border taps clamped); output
 * pixel o samples source coordinate (o + 0.5) * scale - 0.5 (default scale: inSize / outSize).
 */
export function bicubicMatrix1d(inSize: number, outSize: number, scale = inSize / outSize): Float64Array {
  const m = new Float64Array(outSize * inSize);
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

/**
 * [g*g, G*G] matrix resizing a row-major G x G grid to g x g (Kronecker product of the 1-D maps),
 * with the released model's coordinate scale by default.
 */
export function bicubicMatrix2d(G: number, g: number, scale = dinoResizeScale(G, g)): Float32Array {
  const r = bicubicMatrix1d(G, g, scale);
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
