// One entry point for every policy, so callers (CLI, compare, benchmark) dispatch on data.
import { drawInverseFrequency } from './inverse-frequency.js';
import { drawStratified } from './stratified.js';
import { drawTarget } from './target.js';
import type { DrawRequest, PolicyResult, PolicySpec } from './types.js';
import { drawUniform } from './uniform.js';
import type { CellPopulation } from '../population.js';
import { StageError } from '../../errors.js';

export * from './types.js';

export function runPolicy(pop: CellPopulation, spec: PolicySpec, req: DrawRequest): PolicyResult {
  if (!(Number.isInteger(req.count) && req.count >= 0))
    throw new StageError('sample', `count is ${req.count}, expected an integer >= 0`);
  switch (spec.policy) {
    case 'uniform':
      return drawUniform(pop, req);
    case 'inverse-frequency':
      return drawInverseFrequency(pop, spec, req);
    case 'stratified':
      return drawStratified(pop, spec, req);
    case 'target':
      return drawTarget(pop, spec, req);
    default: {
      const bad: { policy?: unknown } = spec;
      throw new StageError('sample', `unknown policy ${JSON.stringify(bad.policy)}; expected uniform, inverse-frequency, stratified or target`);
    }
  }
}
