// Seedable pseudo-random numbers: the product's one generator. Math.random cannot be seeded, and a
// sample draw or a training run must be reproducible bit for bit from its seed (and a checkpoint must
// be able to store the generator and go on), so we carry our own: xoshiro128** (four uint32 words of
// state, fast with Math.imul, good quality).
//
// Two seedings exist, both kept because outputs depend on them and must not change:
//   - seedSampler(seed): the sampler's (src/sample/): a splitmix32 stream started from the seed's low
//     and high 32-bit words, so any finite number is a distinct seed;
//   - seedTrainer(seed): the trainer's (src/train/rng.ts): word i = mix32(word i-1 + i) from the seed's
//     low 32 bits.
// Both pass seeds through the splitmix32 mix, so nearby seeds (1, 2, 3) give unrelated streams.

/** The generator's whole state: four uint32 words, never all zero. */
export type PrngState = [number, number, number, number];

const GOLDEN = 0x9e3779b9;

/** splitmix32's output mix of a 32-bit value. */
function avalanche(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** One splitmix32 step from `x`: a 32-bit value whose bits all depend on all of x's. */
export function mix32(x: number): number {
  return avalanche((x + GOLDEN) | 0);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** xoshiro128** over a four-word state. */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(state: PrngState) {
    [this.a, this.b, this.c, this.d] = state;
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // the all-zero state is a fixed point
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  state(): PrngState {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }
}

/** The sampler's seeding: any finite number; the integer part's low 32 bits and high bits both count. */
export function seedSampler(seed: number): PrngState {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  let s = (lo ^ Math.imul(hi, 0x632be5ab)) >>> 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    words.push(mix32(s));
    s = (s + GOLDEN) >>> 0;
  }
  return words as PrngState;
}

/** The trainer's seeding: the seed's low 32 bits, word i = mix32(word i-1 + i). */
export function seedTrainer(seed: number): PrngState {
  const words: number[] = [];
  let x = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    x = mix32(x + i);
    words.push(x);
  }
  return words as PrngState;
}

/** What the sampler draws with. */
export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform double in the open interval (0, 1), 53 bits; never 0 so log(u) is finite. */
  nextDouble(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
}

/** The sampler's generator for `seed` (seedSampler). */
export function createRng(seed: number): Rng {
  const g = new Xoshiro128(seedSampler(seed));
  const nextU32 = (): number => g.nextU32();
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
