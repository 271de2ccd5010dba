// The trainer's random numbers: the product's generator (src/prng.ts, xoshiro128** with the trainer's
// seeding) plus the draws training needs (uniform, normal, truncated normal). Its whole state is four
// uint32 words, so a checkpoint can store it and a resumed run draws exactly the same numbers.
import { mix32, seedTrainer, Xoshiro128, type PrngState } from '../prng.js';

/** Derives a 32-bit seed from a base seed and any number of integer or string keys (e.g. step, view). */
export function deriveSeed(seed: number, ...keys: (number | string)[]): number {
  let h = mix32(seed >>> 0);
  for (const k of keys) {
    if (typeof k === 'number') h = mix32(h ^ mix32(k >>> 0) ^ Math.floor(k / 2 ** 32));
    else for (let i = 0; i < k.length; i++) h = mix32(h ^ k.charCodeAt(i));
  }
  return h;
}

export type RngState = PrngState;

export class Rng {
  private g: Xoshiro128;
  private spare: number | null = null;

  constructor(seed: number) {
    this.g = new Xoshiro128(seedTrainer(seed));
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.g = new Xoshiro128(state.map((v) => v >>> 0) as RngState);
    return r;
  }

  /** The full state (the cached spare normal is dropped on purpose: callers snapshot between draws). */
  state(): RngState {
    return this.g.state();
  }

  /** Next uint32. */
  nextU32(): number {
    return this.g.nextU32();
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Normal(0, std) truncated to [-2 std, 2 std] by redrawing, as ViT initialisers do. */
  truncNormal(std: number): number {
    for (;;) {
      const z = this.normal();
      if (z >= -2 && z <= 2) return z * std;
    }
  }
}
