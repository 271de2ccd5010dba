// Uniform: every cell equally likely. Implemented as the weighted draw with unit weights so it shares
// its random stream with inverse-frequency (alpha = 0 then draws exactly the same cells).
import { createRng } from '../../prng.js';
import type { CellPopulation } from '../population.js';
import { weightedSampleWithoutReplacement } from '../weighted-draw.js';
import type { DrawRequest, PolicyResult } from './types.js';

export function drawUniform(pop: CellPopulation, req: DrawRequest): PolicyResult {
  const ones = new Float64Array(pop.size).fill(1);
  const indices = weightedSampleWithoutReplacement(ones, req.count, createRng(req.seed));
  const notes: string[] = [];
  if (indices.length < req.count) notes.push(`asked for ${req.count} cells, only ${pop.size} passed the filters`);
  // Inclusion probability k/n for every cell: inverse-probability weights are all equal, 1 after scaling.
  return {
    policy: 'uniform',
    indices,
    sampleWeights: new Float64Array(indices.length).fill(1),
    weightKind: 'inverse-inclusion-probability',
    params: {},
    notes,
  };
}
