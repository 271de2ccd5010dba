// Seeded pseudo-random numbers for the sampler. Math.random cannot be seeded, and a sampling
// experiment must be reproducible bit for bit from its seed, so we carry our own generator:
// xoshiro128** (32-bit state words, fast with Math.imul) seeded through splitmix32 so that
// nearby seeds (1, 2, 3) give unrelated streams.

export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform double in the open interval (0, 1), 53 bits; never 0 so log(u) is finite. */
  nextDouble(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator for `seed` (any finite number; the integer part's low 32 bits and high bits both count). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  const sm = splitmix32(lo ^ Math.imul(hi, 0x632be5ab));
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point of xoshiro
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  return {
    nextU32,
    nextDouble() {
      // 27 + 26 high bits -> 53-bit mantissa; +0.5 keeps it strictly inside (0, 1).
      const x = nextU32() >>> 5;
      const y = nextU32() >>> 6;
      return (x * 67108864 + y + 0.5) / 9007199254740992;
    },
    nextInt(n: number) {
      return Math.floor(this.nextDouble() * n);
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
