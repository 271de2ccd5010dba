// The sampling report as data: what the population looked like, what each filter removed where, and
// what each policy drew. report.json is this object; report.md and the pictures are views of it.
import type { FilterOutcome, FilterRemoval, SampleFilters } from '../filters.js';
import type { PolicyResult, QuotaOutcome } from '../policies/types.js';
import type { CellPopulation } from '../population.js';
import { geoSpread, type GeoSpread } from '../regions.js';
import {
  classPixelTotals,
  classShares,
  classTileCounts,
  entropyBits,
  kishEss,
  klBits,
  uniformDistribution,
} from '../stats.js';
import { classCode, NBINS } from '../../landcover/worldcover.js';

export const REPORT_VERSION = 1;

export interface DistributionSummary {
  cells: number;
  /** All pixels counted (nodata included). */
  pixels: number;
  nodataFraction: number;
  /** Class pixel share over valid pixels, keyed by WorldCover code ("10".."100"). */
  classShare: Record<string, number>;
  /** Tiles whose largest class is c, and tiles containing c at all. */
  classTiles: Record<string, { dominant: number; present: number }>;
  entropyBits: number;
  /** KL(share || uniform over 11 classes), bits; null when there are no valid pixels. */
  klToUniformBits: number | null;
  /** KL(share || target), bits; null when infinite (share has a class the target gives 0). */
  klToTargetBits: number | null;
  /** KL(target || share), bits: how well the wanted classes are covered; null when a wanted class is absent. */
  klTargetToShareBits: number | null;
  geo: GeoSpread;
}

export interface PolicyReport extends DistributionSummary {
  /** Unique label in this report, e.g. `inverse-frequency(alpha=0.5)`. */
  label: string;
  policy: string;
  params: Record<string, unknown>;
  weightKind: string;
  /** Kish effective sample size of sample_weight. */
  ess: number;
  essFraction: number;
  weights: { min: number; max: number; mean: number };
  /** Per class: sample share minus the filtered population's share (positive = the class gained). */
  shareGain: Record<string, number>;
  quotas?: QuotaOutcome[];
  notes: string[];
}

export interface SampleReport {
  version: number;
  seed: number;
  count: number;
  /** Distribution the target KL is measured against (shares keyed by class code). */
  target: Record<string, number>;
  filters: {
    settings: SampleFilters;
    before: number;
    after: number;
    removals: FilterRemoval[];
  };
  /** Every cell given to the sampler, before filters. */
  population: DistributionSummary;
  /** The cells that passed the filters: what the policies draw from. */
  filtered: DistributionSummary;
  policies: PolicyReport[];
}

export function byCode(v: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let b = 1; b < NBINS; b++) out[String(classCode(b))] = v[b];
  return out;
}

/** JSON has no Infinity or NaN: both become null (the Markdown shows null as ∞ or n/a). */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function summarise(pop: CellPopulation, target: Float64Array, indices?: ArrayLike<number>): DistributionSummary {
  const totals = classPixelTotals(pop.hist, indices);
  let pixels = 0;
  for (let b = 0; b < NBINS; b++) pixels += totals[b];
  const share = classShares(totals);
  const tiles = classTileCounts(pop.hist, indices);
  const classTiles: DistributionSummary['classTiles'] = {};
  for (let b = 1; b < NBINS; b++) classTiles[String(classCode(b))] = { dominant: tiles.dominant[b], present: tiles.present[b] };
  const kt = klBits(share, target);
  const kr = klBits(target, share);
  return {
    cells: indices ? indices.length : pop.size,
    pixels,
    nodataFraction: pixels > 0 ? totals[0] / pixels : 0,
    classShare: byCode(share),
    classTiles,
    entropyBits: entropyBits(share),
    klToUniformBits: finiteOrNull(klBits(share, uniformDistribution())),
    klToTargetBits: finiteOrNull(kt),
    klTargetToShareBits: finiteOrNull(kr),
    geo: geoSpread(pop.lat, pop.epsg, indices),
  };
}

/** A label for a policy run that tells runs of the same policy with different parameters apart. */
export function policyLabel(r: PolicyResult): string {
  if (r.policy === 'inverse-frequency') return `inverse-frequency(alpha=${String(r.params.alpha)})`;
  return r.policy;
}

export interface ReportInput {
  seed: number;
  count: number;
  target: Float64Array;
  settings: SampleFilters;
  population: CellPopulation;
  filterOutcome: FilterOutcome;
  /** The filtered population the policies drew from (indices in results refer to it). */
  filtered: CellPopulation;
  results: PolicyResult[];
}

export function buildReport(input: ReportInput): SampleReport {
  const { target, filtered } = input;
  const filteredSummary = summarise(filtered, target);
  const seen = new Map<string, number>();
  const policies = input.results.map((r): PolicyReport => {
    const base = summarise(filtered, target, r.indices);
    let label = policyLabel(r);
    const dup = seen.get(label) ?? 0;
    seen.set(label, dup + 1);
    if (dup > 0) label = `${label}#${dup + 1}`;
    const w = r.sampleWeights;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const x of w) {
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
    }
    const ess = kishEss(w);
    const shareGain: Record<string, number> = {};
    for (const code of Object.keys(base.classShare)) shareGain[code] = base.classShare[code] - filteredSummary.classShare[code];
    return {
      ...base,
      label,
      policy: r.policy,
      params: r.params,
      weightKind: r.weightKind,
      ess,
      essFraction: w.length > 0 ? ess / w.length : 0,
      weights: w.length > 0 ? { min, max, mean: sum / w.length } : { min: 0, max: 0, mean: 0 },
      shareGain,
      ...(r.quotas ? { quotas: r.quotas } : {}),
      notes: r.notes,
    };
  });
  return {
    version: REPORT_VERSION,
    seed: input.seed,
    count: input.count,
    target: byCode(target),
    filters: {
      settings: input.settings,
      before: input.filterOutcome.before,
      after: input.filterOutcome.after,
      removals: input.filterOutcome.removals,
    },
    population: summarise(input.population, target),
    filtered: filteredSummary,
    policies,
  };
}
