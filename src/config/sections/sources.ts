import { resolve } from 'node:path';
import type { ConfigIssue } from '../../errors.js';
import { strictObject, type ConfigSection, type JsonSchema, schemaDefaults } from '../section.js';

export const PROVIDERS = ['static', 'earth-search', 'planetary-computer', 'stac-api', 'file'] as const;
export type Provider = (typeof PROVIDERS)[number];
export const SOURCE_KEYS = ['s2_l2a', 's2_l1c', 's1', 'landcover'] as const;
export type SourceKey = (typeof SOURCE_KEYS)[number];

/** One source of scenes (or of the land-cover map). */
export interface SourceConfig {
  /** Where items come from: a static STAC catalog, a known STAC API, any STAC API, or (land cover only) a local raster. */
  provider: Provider;
  /** STAC API root; required for `stac-api`, optional override for earth-search / planetary-computer. */
  url?: string;
  /** Static catalog (catalog.json), absolute after normalising; required for `static`. */
  catalog?: string;
  /** Local raster or VRT, absolute after normalising; required for `file` (land cover only). */
  path?: string;
  /** STAC collection id (e.g. sentinel-2-l2a). Required except for `file`. */
  collection?: string;
  /** Further collections holding the same scenes (e.g. sentinel-2-c1-l2a); duplicates are merged. Default []. */
  altCollections: string[];
  /** Logical band name -> STAC asset key; overrides the provider's defaults. Default {}. */
  bandAssets: Record<string, string>;
  /** Maximum `eo:cloud_cover` (percent) in the search filter; S2 only. Default 100 (no filter). */
  cloudMax: number;
  /** Sentinel-1 orbit direction to accept. Default `any`. */
  orbit: 'any' | 'ascending' | 'descending';
  /** Sentinel-1 product kind: geocoded `rtc` or `grd` (GCP-georeferenced or geocoded). Default `grd`. */
  product: 'grd' | 'rtc';
  /** Sentinel-1 polarisations, in tensor order. Default [VV, VH]. */
  polarizations: string[];
  /** Items per page requested from an API (explicit, as APIs default differently). Default 100. */
  limit: number;
  /** Name of the environment variable holding a Planetary Computer subscription key. Optional. */
  subscriptionKeyEnv?: string;
  /** Hosts (`*.suffix` allowed) and s3/gs buckets the items' assets may live on. Default [] = any. */
  assetHosts: string[];
  /** Local directories the items' assets may live under besides a static catalog's own directory
   *  (widening; items from APIs name no local files otherwise). Absolute after normalising. Default []. */
  assetRoots: string[];
}

export type SourcesConfig = Partial<Record<SourceKey, SourceConfig>>;

interface RawSource {
  provider: Provider;
  url?: string;
  catalog?: string;
  path?: string;
  collection?: string;
  alt_collections?: string[];
  bands?: Record<string, string>;
  cloud_max?: number;
  orbit?: 'any' | 'ascending' | 'descending';
  product?: 'grd' | 'rtc';
  polarizations?: string[];
  limit?: number;
  subscription_key_env?: string;
  asset_hosts?: string[];
  asset_roots?: string[];
}

const sourceSchema: JsonSchema = strictObject(
  {
    provider: { enum: [...PROVIDERS], description: 'static | earth-search | planetary-computer | stac-api | file (land cover only).' },
    url: { type: 'string', pattern: '^https?://', description: 'STAC API root URL.' },
    catalog: { type: 'string', description: 'Static STAC catalog.json path, relative to this file.' },
    path: { type: 'string', description: 'Local raster/VRT (land cover with provider file).' },
    collection: { type: 'string', minLength: 1, description: 'STAC collection id.' },
    alt_collections: { type: 'array', items: { type: 'string' }, default: [], description: 'Collections holding the same scenes.' },
    bands: { type: 'object', additionalProperties: { type: 'string' }, description: 'Logical band -> asset key.' },
    cloud_max: { type: 'number', minimum: 0, maximum: 100, default: 100, description: 'Max eo:cloud_cover percent.' },
    orbit: { enum: ['any', 'ascending', 'descending'], default: 'any', description: 'Sentinel-1 orbit direction.' },
    product: { enum: ['grd', 'rtc'], default: 'grd', description: 'Sentinel-1 product kind.' },
    polarizations: { type: 'array', items: { enum: ['VV', 'VH', 'HH', 'HV'] }, minItems: 1, default: ['VV', 'VH'] },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'Items per page.' },
    subscription_key_env: { type: 'string', description: 'Env var with a Planetary Computer subscription key.' },
    asset_hosts: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [],
      description: 'Hosts (or *.suffix) and s3/gs buckets assets may be read from; [] = any remote host.',
    },
    asset_roots: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [],
      description: 'Local directories assets may be read from besides a static catalog\'s own directory (relative to this file).',
    },
  },
  { required: ['provider'] },
);

export const sourcesSection: ConfigSection<Partial<Record<SourceKey, RawSource>>, SourcesConfig> = {
  key: 'sources',
  required: true,
  schema: strictObject(Object.fromEntries(SOURCE_KEYS.map((k) => [k, sourceSchema])), {
    minProperties: 1,
    description: 'Sources per modality: s2_l2a, s2_l1c, s1, landcover.',
  }),
  normalise(raw, ctx) {
    const out: SourcesConfig = {};
    const D = schemaDefaults<Required<RawSource>>(sourceSchema);
    for (const key of SOURCE_KEYS) {
      const r = raw?.[key];
      if (!r) continue;
      out[key] = {
        provider: r.provider,
        url: r.url,
        catalog: r.catalog === undefined ? undefined : resolve(ctx.baseDir, r.catalog),
        path: r.path === undefined ? undefined : resolve(ctx.baseDir, r.path),
        collection: r.collection,
        altCollections: r.alt_collections ?? D.alt_collections,
        bandAssets: r.bands ?? {},
        cloudMax: r.cloud_max ?? D.cloud_max,
        orbit: r.orbit ?? D.orbit,
        product: r.product ?? D.product,
        polarizations: r.polarizations ?? D.polarizations,
        limit: r.limit ?? D.limit,
        subscriptionKeyEnv: r.subscription_key_env,
        assetHosts: r.asset_hosts ?? D.asset_hosts,
        assetRoots: (r.asset_roots ?? D.asset_roots).map((d) => resolve(ctx.baseDir, d)),
      };
    }
    return out;
  },
  rules(sources) {
    const issues: ConfigIssue[] = [];
    if (!sources.s2_l2a && !sources.s2_l1c && !sources.s1) {
      issues.push({ path: 'sources', message: 'no imaging source; expected at least one of s2_l2a, s2_l1c, s1' });
    }
    for (const key of SOURCE_KEYS) {
      const s = sources[key];
      if (!s) continue;
      const at = `sources.${key}`;
      if (s.provider === 'static' && !s.catalog) issues.push({ path: `${at}.catalog`, message: 'missing; provider static needs the path of a catalog.json' });
      if (s.provider === 'stac-api' && !s.url) issues.push({ path: `${at}.url`, message: 'missing; provider stac-api needs the API root URL' });
      if (s.provider === 'file' && key !== 'landcover') issues.push({ path: `${at}.provider`, message: `"file" is only allowed for landcover; expected static, earth-search, planetary-computer or stac-api` });
      if (s.provider === 'file' && !s.path) issues.push({ path: `${at}.path`, message: 'missing; provider file needs a raster or VRT path' });
      if (s.provider !== 'file' && !s.collection) issues.push({ path: `${at}.collection`, message: `missing; provider ${s.provider} needs a STAC collection id` });
      if (s.provider === 'planetary-computer' && key === 's2_l1c') {
        issues.push({ path: `${at}.provider`, message: 'Planetary Computer has no Sentinel-2 L1C collection; expected earth-search, stac-api or static' });
      }
    }
    return issues;
  },
};
