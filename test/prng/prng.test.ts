// The one seedable generator (src/prng.ts): its two seedings give the streams the sampler and the
// trainer have always drawn (values pinned from the two generators it replaced), and a stored state
// goes on exactly where it left off.
import { describe, expect, it } from 'vitest';
import { createRng, seedSampler, seedTrainer, Xoshiro128 } from '../../src/prng.js';
import { Rng } from '../../src/train/rng.js';

const draw = (g: { nextU32(): number }, n: number) => Array.from({ length: n }, () => g.nextU32());

describe('xoshiro128** with the sampler and trainer seedings', () => {
  it('the sampler seeding uses the seed\'s high bits too and gives its pinned stream', () => {
    expect(draw(createRng(7), 3)).toEqual([1004282400, 2200021487, 1928073449]);
    expect(draw(createRng(2 ** 32 + 7), 2)).toEqual([4206691405, 2688601978]);
    expect(draw(new Xoshiro128(seedSampler(7)), 3)).toEqual(draw(createRng(7), 3));
  });

  it('the trainer seeding gives its pinned state and stream; a stored state resumes the stream', () => {
    expect(seedTrainer(7)).toEqual([588686121, 781200438, 2351027047, 114494881]);
    const r = new Rng(7);
    expect(draw(r, 3)).toEqual([2883765012, 899714660, 1570305150]);
    const resumed = Rng.fromState(r.state());
    expect(draw(resumed, 5)).toEqual(draw(r, 5));
  });

  it('never starts from the all-zero state (a fixed point of xoshiro)', () => {
    const g = new Xoshiro128([0, 0, 0, 0]);
    expect(g.state()).toEqual([1, 0, 0, 0]);
    expect(new Set(draw(g, 8)).size).toBeGreaterThan(1);
  });
});
