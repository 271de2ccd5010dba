// Deterministic randomness for the demo world. Everything is a pure function of integer keys
// (seed, place, scene, band, pixel...), never of call order, so any subset of the world can be
// regenerated alone and comes out byte-identical to the same part of the full world.

/** 32-bit integer hash of up to five integer keys (xxhash32-style avalanche; not cryptographic). */
export function hash32(a: number, b = 0, c = 0, d = 0, e = 0): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = mix(h, b);
  h = mix(h, c);
  h = mix(h, d);
  h = mix(h, e);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(h: number, k: number): number {
  k = Math.imul(k | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Uniform in [0, 1) from integer keys. */
export function hashUnit(a: number, b = 0, c = 0, d = 0, e = 0): number {
  return hash32(a, b, c, d, e) / 4294967296;
}

/** Stable integer key of a string (FNV-1a), to turn ids such as a place name into hash keys. */
export function stringKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Approximately normal N(0, 1) per pixel from ONE cheap hash: the sum of its four bytes (Irwin-Hall,
 * 1021 levels) rescaled. Used for sensor noise, where ~50 M draws per world must stay fast.
 */
export function pixelGauss(seed: number, x: number, y: number): number {
  const h = latticeHash(seed, x, y);
  return ((h & 255) + ((h >>> 8) & 255) + ((h >>> 16) & 255) + (h >>> 24) - 510) / 147.8;
}

const smooth = (t: number) => t * t * (3 - 2 * t);

/** Cheap hash of a lattice point (seed, x, y) -> uint32, for inner loops (value noise, per-pixel noise). */
export function latticeHash(seed: number, x: number, y: number): number {
  let h = seed ^ Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Value noise in [-1, 1] on a unit lattice: smooth, continuous, deterministic in (seed, x, y). */
export function valueNoise(seed: number, x: number, y: number): number {
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  const fx = smooth(x - xi);
  const fy = smooth(y - yi);
  const v00 = latticeHash(seed, xi, yi);
  const v10 = latticeHash(seed, xi + 1, yi);
  const v01 = latticeHash(seed, xi, yi + 1);
  const v11 = latticeHash(seed, xi + 1, yi + 1);
  const a = v00 + (v10 - v00) * fx;
  const b = v01 + (v11 - v01) * fx;
  return ((a + (b - a) * fy) / 4294967295) * 2 - 1;
}

/**
 * Fractal (multi-scale) noise: `octaves` layers of value noise, each twice the frequency and half the
 * amplitude of the previous one, normalised back to about [-1, 1]. Coordinates are in noise units
 * (divide metres by the largest feature size before calling).
 */
export function fbm(seed: number, x: number, y: number, octaves: number): number {
  let sum = 0;
  let amp = 1;
  let norm = 0;
  let f = 1;
  for (let o = 0; o < octaves; o++) {
    // Each octave gets its own seed and a shifted origin so lattice points do not line up.
    sum += amp * valueNoise(seed + o * 1013, x * f + o * 17.31, y * f - o * 11.7);
    norm += amp;
    amp *= 0.5;
    f *= 2;
  }
  return sum / norm;
}

/** Hermite step between edge0 and edge1 (0 below, 1 above). */
export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}
