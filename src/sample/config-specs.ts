// From the normalised `sampling:` configuration to the plan-as-data objects the core runs on.
import type { SamplingConfig } from '../config/sections/sampling.js';
import { StageError } from '../errors.js';
import type { SampleFilters } from './filters.js';
import { POLICY_NAMES, type PolicyName, type PolicySpec } from './policies/types.js';
import { NBINS, WORLDCOVER_CLASSES, realClassBin } from '../landcover/worldcover.js';

/** A target keyed by class code -> array by bin (missing classes 0). */
export function targetByBin(target: Record<string, number>): Float64Array {
  const out = new Float64Array(NBINS);
  for (const [code, v] of Object.entries(target)) {
    const bin = realClassBin(Number(code));
    if (bin === undefined) throw new StageError('sample', `target class "${code}" is not a WorldCover class code; expected one of ${WORLDCOVER_CLASSES.slice(1).join(', ')}`);
    out[bin] = v;
  }
  return out;
}

export function filtersFromConfig(cfg: SamplingConfig): SampleFilters {
  return { ...cfg.filters };
}

/**
 * The policy spec for `name` under this configuration. `alpha` overrides the configured temperature
 * (so a comparison can hold `inverse-frequency:0.5` and `inverse-frequency:1` side by side).
 */
export function policySpec(
  cfg: SamplingConfig,
  name: PolicyName,
  opts: { alpha?: number; classFrequencies?: ArrayLike<number> } = {},
): PolicySpec {
  switch (name) {
    case 'uniform':
      return { policy: 'uniform' };
    case 'inverse-frequency':
      return { policy: 'inverse-frequency', alpha: opts.alpha ?? cfg.alpha, ...(opts.classFrequencies ? { classFrequencies: opts.classFrequencies } : {}) };
    case 'stratified':
      return {
        policy: 'stratified',
        ...(cfg.stratified.classes ? { quotas: cfg.stratified.classes } : {}),
        ...(cfg.stratified.diversity ? { diversity: cfg.stratified.diversity } : {}),
      };
    case 'target':
      return { policy: 'target', ...(cfg.target ? { target: targetByBin(cfg.target) } : {}) };
  }
}

/** Parse a `--compare` list: `uniform,inverse-frequency:0.5,inverse-frequency:1,stratified,target`. */
export function parseCompareList(list: string): { name: PolicyName; alpha?: number }[] {
  const items = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new StageError('sample', `--compare "${list}" names no policy; expected e.g. uniform,inverse-frequency,stratified`);
  return items.map((item) => {
    const [name, arg] = item.split(':');
    if (!(POLICY_NAMES as readonly string[]).includes(name))
      throw new StageError('sample', `--compare: unknown policy "${name}"; expected one of ${POLICY_NAMES.join(', ')} (inverse-frequency may take :alpha)`);
    if (arg === undefined) return { name: name as PolicyName };
    const alpha = Number(arg);
    if (name !== 'inverse-frequency' || !(alpha >= 0))
      throw new StageError('sample', `--compare: "${item}" is not valid; only inverse-frequency takes a parameter, as inverse-frequency:<alpha >= 0>`);
    return { name: 'inverse-frequency', alpha };
  });
}
