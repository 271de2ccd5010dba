import type { ConfigIssue } from '../../errors.js';
import { strictObject, type ConfigSection, type JsonSchema, schemaDefaults } from '../section.js';

/** GDAL resampling methods the tile stage accepts (names as `gdalwarp -r` spells them). */
export const RESAMPLING_METHODS = ['nearest', 'bilinear', 'cubic', 'cubicspline', 'lanczos', 'average', 'mode'] as const;
export type Resampling = (typeof RESAMPLING_METHODS)[number];
/** Methods that never invent a value: the only ones allowed for categorical layers (SCL, land cover). */
export const CATEGORICAL_RESAMPLING = ['nearest', 'mode'] as const;
export type CategoricalResampling = (typeof CATEGORICAL_RESAMPLING)[number];

/** Major-TOM Core L2A band order (12 bands, no B10: sen2cor drops the cirrus band). */
export const S2_L2A_BANDS = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12'] as const;
/** All 13 L1C bands in the same order convention (B10 between B09 and B11). */
export const S2_L1C_BANDS = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'] as const;
export const S1_BANDS = ['VV', 'VH'] as const;

/** `tile:` how every modality is warped onto the cell's target grid. */
export interface TileConfig {
  /** Band names per modality, in tensor order. Defaults: L2A the 12 Major-TOM bands, L1C all 13
   *  (minus `l1cDropBand`), S1 VV and VH. Asset keys in the STAC items must use these names. */
  bands: { s2L2a: string[]; s2L1c: string[]; s1: string[] };
  /** L1C band removed so L1C has the 12 channels the model expects. Default `B10` (cirrus: almost no
   *  surface signal, and L2A has no B10 either, so L1C and L2A then carry the same bands). `null` keeps 13. */
  l1cDropBand: string | null;
  resampling: {
    /** Default for every S2 band (L2A and L1C). Default `bilinear`: on a 10 m target the 10 m bands
     *  land on whole pixels (any method copies them exactly); for the 20/60 m bands bilinear stays
     *  inside the range of its neighbours, whereas cubic overshoots at sharp edges (coast, cloud
     *  borders), can go below 0 and clamp into the nodata value 0 of UInt16 DN. */
    s2: Resampling;
    /** Per-band override for S2, e.g. `{ B09: cubic }`. Default none. */
    bands: Record<string, Resampling>;
    /** S1 backscatter. Default `bilinear` (continuous values; speckle makes cubic ringing worse). */
    s1: Resampling;
    /** Scene classification layer. Default `nearest`; only `nearest` or `mode` (classes are never interpolated). */
    scl: CategoricalResampling;
    /** Land-cover map. Default `nearest`; only `nearest` or `mode`. `mode` suits a target coarser than the map. */
    landcover: CategoricalResampling;
  };
  /** Transformer for rasters georeferenced only by GCPs (S1 GRD in radar geometry). Default
   *  `polynomial`: what `gdalwarp` uses by default (order chosen from the GCP count), so our output
   *  matches the command line; `tps` (thin plate spline) follows local distortion more closely. */
  gcpTransformer: 'polynomial' | 'tps';
  /** Convert S1 to decibels (10*log10 of linear power) after mosaicking. Default false. Nodata stays NaN. */
  s1Db: boolean;
  /** Subtract the 1000 DN offset from S2 scenes with processing baseline >= 04.00 so they match older
   *  baselines (valid pixels clamped to >= 1, nodata 0 kept). Default true. */
  harmonizeOffset: boolean;
  /** Nodata value used when an asset declares none. Defaults: S2 0, S1 0 (GRD border fill), land cover 0. */
  sourceNodata: { s2: number; s1: number; landcover: number };
  /** SCL classes counted as cloud. Default [3, 8, 9, 10]: cloud shadow, cloud medium and high
   *  probability, thin cirrus. Shadow is counted because a shadowed pixel is as unusable as a
   *  clouded one for reflectance. Pixels with SCL 0 (no data) are not valid and not counted. */
  cloudClasses: number[];
  /** Tiles where every modality has a nodata fraction above this are skipped (recorded, not failed).
   *  Default 0.95: keep partially covered tiles, drop ones that are nearly empty. */
  maxNodataFraction: number;
  /** Concurrent GDAL warp operations (also bounds tiles in memory: concurrency + 1). Default 2. */
  concurrency: number;
  /** GDAL block cache (GDAL_CACHEMAX) in MB. Default 256. */
  gdalCacheMb: number;
  /** GDAL_NUM_THREADS (decoding and warping threads per operation). Default 1: we parallelise across
   *  warps instead, which scales better and keeps each operation's memory small. */
  gdalThreads: number;
  http: {
    /** GDAL_HTTP_MAX_RETRY for /vsicurl/ reads (retries on 429/5xx). Default 3. */
    maxRetry: number;
    /** GDAL_HTTP_RETRY_DELAY in seconds (doubled by GDAL each retry). Default 1. */
    retryDelayS: number;
    /** GDAL_HTTP_TIMEOUT in seconds. Default 30. */
    timeoutS: number;
  };
}

export interface RawTile {
  bands?: { s2_l2a?: string[]; s2_l1c?: string[]; s1?: string[] };
  l1c_drop_band?: string | null;
  resampling?: {
    s2?: Resampling;
    bands?: Record<string, Resampling>;
    s1?: Resampling;
    scl?: CategoricalResampling;
    landcover?: CategoricalResampling;
  };
  gcp_transformer?: 'polynomial' | 'tps';
  s1_db?: boolean;
  harmonize_offset?: boolean;
  source_nodata?: { s2?: number; s1?: number; landcover?: number };
  cloud_classes?: number[];
  max_nodata_fraction?: number;
  concurrency?: number;
  gdal_cache_mb?: number;
  gdal_threads?: number;
  http?: { max_retry?: number; retry_delay_s?: number; timeout_s?: number };
}

const bandList: JsonSchema = { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } };
const method: JsonSchema = { enum: [...RESAMPLING_METHODS] };
const categorical: JsonSchema = { enum: [...CATEGORICAL_RESAMPLING] };

/** The schema's defaults, typed (every key the schema gives a default). */
type TileDefaults = Required<Omit<RawTile, 'resampling' | 'http'>> & { resampling: Required<NonNullable<RawTile['resampling']>>; http: Required<NonNullable<RawTile['http']>> };

export const tileSchema: JsonSchema = strictObject(
  {
    bands: strictObject(
      { s2_l2a: bandList, s2_l1c: bandList, s1: bandList },
      { description: 'Band names per modality in tensor order. Defaults: L2A 12 Major-TOM bands, L1C 13, S1 [VV, VH].' },
    ),
    l1c_drop_band: { type: ['string', 'null'], default: 'B10', description: 'L1C band dropped for a 12-channel model. Default B10; null keeps 13.' },
    resampling: strictObject(
      {
        s2: { ...method, default: 'bilinear', description: 'Default S2 method. Default bilinear.' },
        bands: { type: 'object', additionalProperties: method, description: 'Per-band S2 override, e.g. {B09: cubic}.' },
        s1: { ...method, default: 'bilinear', description: 'S1 method. Default bilinear.' },
        scl: { ...categorical, default: 'nearest', description: 'SCL method: nearest or mode. Default nearest.' },
        landcover: { ...categorical, default: 'nearest', description: 'Land-cover method: nearest or mode. Default nearest.' },
      },
      { description: 'Resampling per modality and per band (gdalwarp -r names).' },
    ),
    gcp_transformer: { enum: ['polynomial', 'tps'], default: 'polynomial', description: 'Transformer for GCP-only rasters. Default polynomial (gdalwarp default).' },
    s1_db: { type: 'boolean', default: false, description: 'Convert S1 to dB. Default false.' },
    harmonize_offset: { type: 'boolean', default: true, description: 'Remove the -1000 DN offset of S2 baseline >= 04.00. Default true.' },
    source_nodata: strictObject(
      { s2: { type: 'number' }, s1: { type: 'number' }, landcover: { type: 'number' } },
      { description: 'Nodata used when an asset declares none. Defaults 0.' },
    ),
    cloud_classes: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'integer', minimum: 1, maximum: 11 },
      default: [3, 8, 9, 10],
      description: 'SCL classes counted as cloud. Default [3, 8, 9, 10].',
    },
    max_nodata_fraction: { type: 'number', minimum: 0, maximum: 1, default: 0.95, description: 'Skip tiles where every modality exceeds this nodata share. Default 0.95.' },
    concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 2, description: 'Concurrent warps. Default 2.' },
    gdal_cache_mb: { type: 'integer', minimum: 8, maximum: 65536, default: 256, description: 'GDAL_CACHEMAX in MB. Default 256.' },
    gdal_threads: { type: 'integer', minimum: 1, maximum: 64, default: 1, description: 'GDAL_NUM_THREADS. Default 1.' },
    http: strictObject(
      {
        max_retry: { type: 'integer', minimum: 0, maximum: 20, default: 3, description: 'GDAL_HTTP_MAX_RETRY. Default 3.' },
        retry_delay_s: { type: 'number', minimum: 0, maximum: 600, default: 1, description: 'GDAL_HTTP_RETRY_DELAY seconds. Default 1.' },
        timeout_s: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 30, description: 'GDAL_HTTP_TIMEOUT seconds. Default 30.' },
      },
      { description: 'Remote (/vsicurl/) read options.' },
    ),
  },
  { description: 'Tile stage: warping every modality and the land-cover map onto each cell grid.' },
);

/** Turns the validated snake_case YAML (or undefined) into the typed config with every default filled. */
export function normalise(raw: RawTile | undefined): TileConfig {
  const r = raw ?? {};
  const D = schemaDefaults<TileDefaults>(tileSchema);
  return {
    bands: {
      s2L2a: [...(r.bands?.s2_l2a ?? S2_L2A_BANDS)],
      s2L1c: [...(r.bands?.s2_l1c ?? S2_L1C_BANDS)],
      s1: [...(r.bands?.s1 ?? S1_BANDS)],
    },
    l1cDropBand: r.l1c_drop_band === undefined ? D.l1c_drop_band : r.l1c_drop_band,
    resampling: {
      s2: r.resampling?.s2 ?? D.resampling.s2,
      bands: { ...(r.resampling?.bands ?? {}) },
      s1: r.resampling?.s1 ?? D.resampling.s1,
      scl: r.resampling?.scl ?? D.resampling.scl,
      landcover: r.resampling?.landcover ?? D.resampling.landcover,
    },
    gcpTransformer: r.gcp_transformer ?? D.gcp_transformer,
    s1Db: r.s1_db ?? D.s1_db,
    harmonizeOffset: r.harmonize_offset ?? D.harmonize_offset,
    sourceNodata: { s2: r.source_nodata?.s2 ?? 0, s1: r.source_nodata?.s1 ?? 0, landcover: r.source_nodata?.landcover ?? 0 },
    cloudClasses: [...(r.cloud_classes ?? D.cloud_classes)],
    maxNodataFraction: r.max_nodata_fraction ?? D.max_nodata_fraction,
    concurrency: r.concurrency ?? D.concurrency,
    gdalCacheMb: r.gdal_cache_mb ?? D.gdal_cache_mb,
    gdalThreads: r.gdal_threads ?? D.gdal_threads,
    http: {
      maxRetry: r.http?.max_retry ?? D.http.max_retry,
      retryDelayS: r.http?.retry_delay_s ?? D.http.retry_delay_s,
      timeoutS: r.http?.timeout_s ?? D.http.timeout_s,
    },
  };
}

/** Cross-field checks a schema cannot express. */
export function rules(c: TileConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (c.l1cDropBand !== null && !c.bands.s2L1c.includes(c.l1cDropBand)) {
    issues.push({
      path: 'tile.l1c_drop_band',
      message: `"${c.l1cDropBand}" is not one of the L1C bands; expected one of: ${c.bands.s2L1c.join(', ')} (or null)`,
    });
  }
  const known = new Set([...c.bands.s2L1c, ...c.bands.s2L2a]);
  for (const band of Object.keys(c.resampling.bands)) {
    if (!known.has(band)) {
      issues.push({ path: `tile.resampling.bands.${band}`, message: `"${band}" is not an S2 band; expected one of: ${[...known].join(', ')}` });
    }
  }
  return issues;
}

export const tileSection: ConfigSection<RawTile, TileConfig> = {
  key: 'tile',
  required: false,
  schema: tileSchema,
  normalise: (raw) => normalise(raw),
  rules,
};

/** The L1C bands after the configured drop (12 with the default). */
export function l1cBands(c: TileConfig): string[] {
  return c.bands.s2L1c.filter((b) => b !== c.l1cDropBand);
}
