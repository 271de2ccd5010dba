// One sampling run as a plan-as-data object: filters, then every requested policy on the same filtered
// population with the same seed and count, then the report. Pure: the caller does the I/O.
import { applyFilters, type FilterOutcome, type SampleFilters } from './filters.js';
import { runPolicy, type PolicyResult, type PolicySpec } from './policies/index.js';
import { subsetPopulation, type CellPopulation } from './population.js';
import { buildReport, type SampleReport } from './report/build.js';
import { normaliseDistribution, uniformDistribution } from './stats.js';

export interface SamplePlan {
  count: number;
  seed: number;
  filters: SampleFilters;
  /** One policy for a run, several for `--compare`. */
  policies: PolicySpec[];
  /** Reference distribution by bin for "KL to target" (the target policy's own target when it has one); default uniform. */
  target?: ArrayLike<number>;
}

export interface SampleRun {
  filterOutcome: FilterOutcome;
  filtered: CellPopulation;
  results: PolicyResult[];
  report: SampleReport;
}

export function runSampling(pop: CellPopulation, plan: SamplePlan): SampleRun {
  const filterOutcome = applyFilters(pop, plan.filters);
  const filtered = subsetPopulation(pop, filterOutcome.kept);
  const results = plan.policies.map((spec) => runPolicy(filtered, spec, { count: plan.count, seed: plan.seed }));
  const target = plan.target ? normaliseDistribution(plan.target) : uniformDistribution();
  const report = buildReport({
    seed: plan.seed,
    count: plan.count,
    target,
    settings: plan.filters,
    population: pop,
    filterOutcome,
    filtered,
    results,
  });
  return { filterOutcome, filtered, results, report };
}
