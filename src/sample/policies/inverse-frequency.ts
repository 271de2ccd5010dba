// Inverse-frequency sampling with a temperature.
//   class weight   w_c = f_c^-alpha, scaled so that sum_c f_c w_c = 1 (the average pixel weighs 1)
//   cell weight    W_i = sum_c share_ic * w_c   (share over the cell's valid pixels; a cell with no
//                  valid pixels gets 1, the average)
// A cell's chance of being drawn is proportional to W_i (Efraimidis–Spirakis). With pure cells this
// makes the expected number of drawn cells per class ∝ (cells of c) * f_c^-alpha ∝ f_c^(1-alpha): alpha = 1
// evens out the classes, alpha = 0 is uniform, values in between trade balance for coverage.
// sample_weight = 1/pi_i with pi_i the PPS inclusion probability (weighted-draw.ts), mean 1.
import { StageError } from '../../errors.js';
import { createRng } from '../../prng.js';
import type { CellPopulation } from '../population.js';
import { classPixelTotals } from '../stats.js';
import { inverseProbabilityWeights, ppsInclusionProbabilities, weightedSampleWithoutReplacement } from '../weighted-draw.js';
import type { DrawRequest, PolicyResult } from './types.js';
import { NBINS } from '../../landcover/worldcover.js';

/** Frequencies below this are raised to it, so a class the frequency table barely saw gets a large, finite weight. */
export const MIN_CLASS_FREQUENCY = 1e-6;

/** Class weights by bin (bin 0 = 0) for frequencies `f` (any scale; bin 0 ignored) and temperature alpha. */
export function inverseFrequencyClassWeights(f: ArrayLike<number>, alpha: number): Float64Array {
  if (f.length !== NBINS) throw new StageError('sample', `class frequencies have ${f.length} entries, expected ${NBINS} (one per WorldCover bin)`);
  let total = 0;
  for (let b = 1; b < NBINS; b++) {
    if (!(f[b] >= 0)) throw new StageError('sample', `class frequency for bin ${b} is ${f[b]}, expected a number >= 0`);
    total += f[b];
  }
  if (!(total > 0)) throw new StageError('sample', 'class frequencies are all zero; expected at least one class with pixels');
  const w = new Float64Array(NBINS);
  let norm = 0;
  for (let b = 1; b < NBINS; b++) {
    const fb = Math.max(f[b] / total, MIN_CLASS_FREQUENCY);
    w[b] = Math.pow(fb, -alpha);
    norm += (f[b] / total) * w[b];
  }
  for (let b = 1; b < NBINS; b++) w[b] /= norm;
  return w;
}

/** Cell weights W_i from the class weights (see the header). */
export function inverseFrequencyCellWeights(pop: CellPopulation, classWeights: Float64Array): Float64Array {
  const out = new Float64Array(pop.size);
  const h = pop.hist;
  for (let i = 0, o = 0; i < pop.size; i++, o += NBINS) {
    let valid = 0;
    let acc = 0;
    for (let b = 1; b < NBINS; b++) {
      valid += h[o + b];
      acc += h[o + b] * classWeights[b];
    }
    out[i] = valid > 0 ? acc / valid : 1;
  }
  return out;
}

export function drawInverseFrequency(
  pop: CellPopulation,
  spec: { alpha: number; classFrequencies?: ArrayLike<number> },
  req: DrawRequest,
): PolicyResult {
  if (!(spec.alpha >= 0)) throw new StageError('sample', `inverse-frequency alpha is ${spec.alpha}, expected a number >= 0`);
  const freq = spec.classFrequencies ?? classPixelTotals(pop.hist);
  const classWeights = inverseFrequencyClassWeights(freq, spec.alpha);
  const cellWeights = inverseFrequencyCellWeights(pop, classWeights);
  const indices = weightedSampleWithoutReplacement(cellWeights, req.count, createRng(req.seed));
  const pi = ppsInclusionProbabilities(cellWeights, indices.length);
  const notes: string[] = [];
  if (indices.length < req.count) notes.push(`asked for ${req.count} cells, only ${indices.length} could be drawn`);
  return {
    policy: 'inverse-frequency',
    indices,
    sampleWeights: inverseProbabilityWeights(pi, indices),
    weightKind: 'inverse-inclusion-probability',
    params: {
      alpha: spec.alpha,
      frequencySource: spec.classFrequencies ? 'given' : 'population',
      classWeights: Array.from(classWeights),
    },
    notes,
  };
}
