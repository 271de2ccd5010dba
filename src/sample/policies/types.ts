// What a policy receives and returns. Policies are pure functions of (population, parameters, count,
// seed): no I/O, no clock, no Math.random, so a run can be replayed exactly from its report.
import type { CellPopulation } from '../population.js';

export const POLICY_NAMES = ['uniform', 'inverse-frequency', 'stratified', 'target'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** Per-class quota of the stratified policy: draw `n` cells at random from the `topK` cells richest in `code`. */
export interface ClassQuota {
  /** WorldCover class code (10..100). */
  code: number;
  topK: number;
  n: number;
}
/** Diversity quota: `n` cells at random from the `topM` cells with the most classes present. */
export interface DiversityQuota {
  n: number;
  topM: number;
}

export type PolicySpec =
  | { policy: 'uniform' }
  | {
      policy: 'inverse-frequency';
      /** Temperature: class weight ∝ f_c^-alpha. 0 = uniform, 1 = aims at equal class shares. */
      alpha: number;
      /** Global class pixel frequencies by bin (length NBINS, bin 0 ignored); default: from the population. */
      classFrequencies?: ArrayLike<number>;
    }
  | {
      policy: 'stratified';
      /** Explicit quotas; when absent they are derived from `count` (see stratified.ts). */
      quotas?: ClassQuota[];
      diversity?: DiversityQuota;
    }
  | {
      policy: 'target';
      /** Wanted class pixel share by bin (length NBINS, bin 0 ignored, need not sum to 1); default uniform. */
      target?: ArrayLike<number>;
    };

export interface DrawRequest {
  /** Number of cells to draw (without replacement). */
  count: number;
  seed: number;
}

export interface QuotaOutcome {
  /** Class code, or 'diversity'. */
  stratum: number | 'diversity';
  topK: number;
  requested: number;
  /** Cells in the top-K list not already taken by an earlier stratum. */
  available: number;
  drawn: number;
  /** True when requested <= available, i.e. the quota could be and was met exactly. */
  met: boolean;
}

export interface PolicyResult {
  policy: PolicyName;
  /** Indices into the population of the drawn cells, in draw order. */
  indices: Uint32Array;
  /** sample_weight per drawn cell (same order), mean 1 over the sample. */
  sampleWeights: Float64Array;
  /** How sampleWeights were made (see each policy). */
  weightKind: 'inverse-inclusion-probability' | 'class-ratio';
  /** Parameters actually used, defaults filled in (for the report). */
  params: Record<string, unknown>;
  quotas?: QuotaOutcome[];
  /** Things the user should know (shortfalls, unreachable targets). */
  notes: string[];
}

export type Policy<S extends PolicySpec> = (pop: CellPopulation, spec: S, req: DrawRequest) => PolicyResult;
