import path from 'node:path';
import type { ConfigIssue } from '../../errors.js';
import { strictObject, type ConfigSection, type JsonSchema, schemaDefaults } from '../section.js';
import { WORLDCOVER_CLASSES } from '../../landcover/worldcover.js';

/** `sampling:` land-cover pass and land-cover-aware cell sampling (terrafm landcover / terrafm sample). */
export interface SamplingConfig {
  /** Policy for `terrafm sample`. Default 'inverse-frequency' (alpha 0.5: most of the balance, little ESS lost). */
  policy: 'uniform' | 'inverse-frequency' | 'stratified' | 'target';
  /** Cells to draw, without replacement. Default 1000. */
  count: number;
  /** PRNG seed: the same seed and inputs give the same sample. Default 0. */
  seed: number;
  /** inverse-frequency temperature: class weight ∝ frequency^-alpha (0 = uniform, 1 = equal shares). Default 0.5. */
  alpha: number;
  stratified: {
    /** Per-class quotas (n of the top_k cells richest in the class). Default null: derived from count. */
    classes: { code: number; topK: number; n: number }[] | null;
    /** Diversity quota (n of the top_m cells with most classes). Default null: the rest of count. */
    diversity: { n: number; topM: number } | null;
  };
  /**
   * target policy: wanted class pixel share keyed by WorldCover code (any scale, normalised; classes
   * left out get 0). Default null: uniform over the 11 classes.
   */
  target: Record<string, number> | null;
  filters: {
    /** Drop cells whose nodata share exceeds this (0..1). Default 0.5 (keeps partly covered coastal cells). */
    maxNodataFraction: number;
    /** Drop cells whose valid pixels are all permanent water. Default true (open ocean teaches little). */
    excludeAllWater: boolean;
    /** Drop cells whose cloud cover (percent, from discovery) exceeds this. Default 100 (keep all). */
    maxCloud: number;
  };
  landcover: {
    /** Resolution of the land-cover pass in metres; read through the map's overviews. Default 80. */
    resolutionM: number;
    /** Class-preserving resampling. Default 'nearest' (unbiased shares; 'mode' favours the dominant class). */
    resampling: 'nearest' | 'mode';
    /**
     * Where the map comes from. Default { kind: 'stac' }: the landcover scenes discovery chose
     * (Planetary Computer `esa-worldcover`). { kind: 'raster', path }: one local raster or VRT.
     * { kind: 'hrefs', hrefs }: WorldCover tile hrefs, matched to cells by tile name.
     */
    source: { kind: 'stac' } | { kind: 'raster'; path: string } | { kind: 'hrefs'; hrefs: string[] };
    /** Cells read at once. Default 2. */
    concurrency: number;
  };
}

interface RawSampling {
  policy?: SamplingConfig['policy'];
  count?: number;
  seed?: number;
  alpha?: number;
  stratified?: { classes?: { code: number; top_k: number; n: number }[]; diversity?: { n: number; top_m: number } };
  target?: Record<string, number>;
  filters?: { max_nodata_fraction?: number; exclude_all_water?: boolean; max_cloud?: number };
  landcover?: {
    resolution_m?: number;
    resampling?: 'nearest' | 'mode';
    source?: 'stac' | { raster: string } | { hrefs: string[] };
    concurrency?: number;
  };
}

const classCodes = WORLDCOVER_CLASSES.slice(1) as readonly number[];

/** The schema's defaults, typed (every key the schema gives a default). */
type SamplingDefaults = Required<Omit<RawSampling, 'filters' | 'landcover'>> & { filters: Required<NonNullable<RawSampling['filters']>>; landcover: Required<NonNullable<RawSampling['landcover']>> };

const schema: JsonSchema = strictObject(
  {
    policy: { enum: ['uniform', 'inverse-frequency', 'stratified', 'target'], default: 'inverse-frequency', description: 'Sampling policy. Default inverse-frequency.' },
    count: { type: 'integer', minimum: 1, default: 1000, description: 'Cells to draw without replacement. Default 1000.' },
    seed: { type: 'integer', minimum: 0, default: 0, description: 'PRNG seed. Default 0.' },
    alpha: { type: 'number', minimum: 0, maximum: 4, default: 0.5, description: 'inverse-frequency temperature (0 uniform, 1 equal class shares). Default 0.5.' },
    stratified: strictObject(
      {
        classes: {
          type: 'array',
          description: 'Per-class quotas: n cells at random from the top_k cells richest in the class. Default: derived from count.',
          items: strictObject(
            {
              code: { enum: classCodes, description: 'WorldCover class code.' },
              top_k: { type: 'integer', minimum: 1 },
              n: { type: 'integer', minimum: 0 },
            },
            { required: ['code', 'top_k', 'n'] },
          ),
        },
        diversity: strictObject(
          { n: { type: 'integer', minimum: 0 }, top_m: { type: 'integer', minimum: 1 } },
          { required: ['n', 'top_m'], description: 'n cells at random from the top_m cells with the most classes present.' },
        ),
      },
      { description: "Clay-style quotas for the 'stratified' policy." },
    ),
    target: {
      type: 'object',
      description: "Class pixel share for the 'target' policy, keyed by WorldCover code. Default uniform.",
      propertyNames: { enum: classCodes.map(String) },
      additionalProperties: { type: 'number', minimum: 0 },
    },
    filters: strictObject(
      {
        max_nodata_fraction: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
        exclude_all_water: { type: 'boolean', default: true },
        max_cloud: { type: 'number', minimum: 0, maximum: 100, default: 100, description: 'Percent.' },
      },
      { description: 'Filters applied before any policy.' },
    ),
    landcover: strictObject(
      {
        resolution_m: { type: 'number', exclusiveMinimum: 0, maximum: 10000, default: 80 },
        resampling: { enum: ['nearest', 'mode'], default: 'nearest' },
        source: {
          description: "'stac' (discovery's landcover scenes), {raster: path} or {hrefs: [...]}. Default stac.",
          oneOf: [
            { const: 'stac' },
            strictObject({ raster: { type: 'string', minLength: 1 } }, { required: ['raster'] }),
            strictObject({ hrefs: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } }, { required: ['hrefs'] }),
          ],
        },
        concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 2 },
      },
      { description: 'The land-cover pass (WorldCover class histograms per cell).' },
    ),
  },
  { description: 'Land-cover pass and land-cover-aware sampling.' },
);

function normaliseSource(raw: NonNullable<RawSampling['landcover']>['source'], baseDir: string): SamplingConfig['landcover']['source'] {
  if (raw === undefined || raw === 'stac') return { kind: 'stac' };
  if ('raster' in raw) return { kind: 'raster', path: /^(https?:|\/vsi)/.test(raw.raster) ? raw.raster : path.resolve(baseDir, raw.raster) };
  return { kind: 'hrefs', hrefs: raw.hrefs.map((h) => (/^(https?:|\/vsi)/.test(h) ? h : path.resolve(baseDir, h))) };
}

/** Normalise raw YAML (already schema-validated) into SamplingConfig with every default filled in. */
export function normalise(raw: RawSampling | undefined, baseDir = '.'): SamplingConfig {
  const r = raw ?? {};
  const D = schemaDefaults<SamplingDefaults>(schema);
  return {
    policy: r.policy ?? D.policy,
    count: r.count ?? D.count,
    seed: r.seed ?? D.seed,
    alpha: r.alpha ?? D.alpha,
    stratified: {
      classes: r.stratified?.classes?.map((c) => ({ code: c.code, topK: c.top_k, n: c.n })) ?? null,
      diversity: r.stratified?.diversity ? { n: r.stratified.diversity.n, topM: r.stratified.diversity.top_m } : null,
    },
    target: r.target ? { ...r.target } : null,
    filters: {
      maxNodataFraction: r.filters?.max_nodata_fraction ?? D.filters.max_nodata_fraction,
      excludeAllWater: r.filters?.exclude_all_water ?? D.filters.exclude_all_water,
      maxCloud: r.filters?.max_cloud ?? D.filters.max_cloud,
    },
    landcover: {
      resolutionM: r.landcover?.resolution_m ?? D.landcover.resolution_m,
      resampling: r.landcover?.resampling ?? D.landcover.resampling,
      source: normaliseSource(r.landcover?.source, baseDir),
      concurrency: r.landcover?.concurrency ?? D.landcover.concurrency,
    },
  };
}

function rules(s: SamplingConfig | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!s) return issues;
  if (s.target) {
    const sum = Object.values(s.target).reduce((a, b) => a + b, 0);
    if (!(sum > 0)) issues.push({ path: 'sampling.target', message: 'shares sum to 0; expected at least one class with a share > 0' });
  }
  const seen = new Set<number>();
  s.stratified.classes?.forEach((c, i) => {
    if (seen.has(c.code)) issues.push({ path: `sampling.stratified.classes.${i}.code`, message: `class ${c.code} has two quotas; expected one per class` });
    seen.add(c.code);
    if (c.n > c.topK) issues.push({ path: `sampling.stratified.classes.${i}.n`, message: `n ${c.n} > top_k ${c.topK}; a quota cannot draw more cells than its top-K list holds` });
  });
  const d = s.stratified.diversity;
  if (d && d.n > d.topM) issues.push({ path: 'sampling.stratified.diversity.n', message: `n ${d.n} > top_m ${d.topM}; expected n <= top_m` });
  return issues;
}

/** Pipeline section: absent means no sample stage (every discovered cell is tiled). */
export const samplingSection: ConfigSection<RawSampling, SamplingConfig | undefined> = {
  key: 'sampling',
  required: false,
  schema,
  normalise: (raw, ctx) => (raw === undefined ? undefined : normalise(raw, ctx.baseDir)),
  rules,
};
