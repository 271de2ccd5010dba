// Options of the shard stage (YAML key `shard`). The JSON-schema fragment checks types and ranges; `normalise`
// turns the snake_case YAML into the camelCase object the writer takes, filling defaults and checking
// cross-field rules that a schema cannot express.
import { ConfigError, type ConfigIssue } from '../../errors.js';
import { MODALITIES, type Modality } from '../../model/types.js';
import { SectionIssues, type ConfigSection } from '../section.js';

export type ShardCompression = 'zstd' | 'snappy' | 'none';

/** Normalised shard options. Defaults are the values of SHARD_DEFAULTS. */
export interface ShardConfig {
  /** Most tiles in one shard file. Default 10240 (TerraMesh-sized shards: few large files, not millions of small ones). */
  maxRows: number;
  /**
   * Most bytes in one shard file. Default 512 MiB. Counted conservatively (tiles still in memory count
   * at their uncompressed size), so files end at or below it unless a single tile is larger.
   */
  maxBytes: number;
  /** Most tiles in one row group (the unit a trainer reads and decompresses at once). Default 32, or maxRows if smaller. */
  rowGroupRows: number;
  /** Most uncompressed tensor bytes in one row group; also bounds the writer's memory. Default 64 MiB, or maxBytes if smaller. */
  rowGroupBytes: number;
  /** Page codec. Default 'zstd' (what DuckDB, pyarrow and GeoPandas all read). */
  compression: ShardCompression;
  /** zstd level, 1 (fastest) to 19. Default 3, zstd's and DuckDB's own default. */
  compressionLevel: number;
  /** Bins of each band's fixed-range histogram in the statistics. Default 256. */
  histogramBins: number;
  /**
   * Fixed histogram range [lo, hi) per modality. Values outside count as below/above. Defaults by dtype
   * when absent: uint16 [0, 20000] (S2 reflectance x 10000 with headroom), int16 [-32768, 32768],
   * uint8 [0, 256], float32 [-50, 50] (S1 backscatter in dB or linear).
   */
  histogramRanges: Partial<Record<Modality, [number, number]>>;
  /** File names are `<namePrefix>-00000.parquet`. Default 'shard'. */
  namePrefix: string;
  /** Write a small RGB PNG preview per tile (S2 true colour, S1 false colour) into the shard. Default true. */
  quicklooks: boolean;
  /** Side of each quicklook in pixels. Default 64 (a few KB per PNG). */
  quicklookPx: number;
}

export const SHARD_DEFAULTS: ShardConfig = {
  maxRows: 10240,
  maxBytes: 512 * 1024 * 1024,
  rowGroupRows: 32,
  rowGroupBytes: 64 * 1024 * 1024,
  compression: 'zstd',
  compressionLevel: 3,
  histogramBins: 256,
  histogramRanges: {},
  namePrefix: 'shard',
  quicklooks: true,
  quicklookPx: 64,
};

const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(B|KB|MB|GB|KiB|MiB|GiB)?\\s*$';
const sizeSchema = { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: SIZE_PATTERN }] };

/** JSON-schema fragment for the YAML key `shard`. */
export const shardSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max_rows: { type: 'integer', minimum: 1, description: 'Most tiles per shard file (default 10240).' },
    max_bytes: { ...sizeSchema, description: 'Most bytes per shard file: bytes or a size such as "512 MB" (default 512 MiB).' },
    row_group_rows: { type: 'integer', minimum: 1, description: 'Most tiles per row group (default 32).' },
    row_group_bytes: { ...sizeSchema, description: 'Most uncompressed bytes per row group (default 64 MiB).' },
    compression: { enum: ['zstd', 'snappy', 'none'], description: 'Page compression (default zstd).' },
    compression_level: { type: 'integer', minimum: 1, maximum: 19, description: 'zstd level (default 3).' },
    histogram_bins: { type: 'integer', minimum: 1, maximum: 65536, description: 'Bins per band histogram (default 256).' },
    histogram_ranges: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        MODALITIES.map((m) => [m, { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: `[lo, hi) of ${m} histograms` }]),
      ),
    },
    name_prefix: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', description: "Shard file name prefix (default 'shard')." },
    quicklooks: { type: 'boolean', description: 'Store a PNG quicklook per tile (S2 true colour, S1 VV/VH false colour) in the shards (default true).' },
    quicklook_px: { type: 'integer', minimum: 8, maximum: 512, description: 'Quicklook side in pixels (default 64).' },
  },
} as const;

const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3 };

/** Bytes of a size given as a number or "512 MB"-style string; undefined when it is neither. */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(v);
  if (!m) return undefined;
  const unit = UNITS[(m[2] || 'B').toUpperCase()];
  if (unit === undefined) return undefined;
  const n = Math.round(Number(m[1]) * unit);
  return n > 0 ? n : undefined;
}

/**
 * Normalised options from the raw `shard` mapping (undefined = all defaults). Throws ConfigError listing
 * every bad key; `file` names the pipeline file in the message.
 */
export function normalise(raw: unknown, file = 'pipeline'): ShardConfig {
  const { config, issues } = collect(raw);
  issues.push(...crossFieldIssues(config));
  if (issues.length) throw new ConfigError(file, issues);
  return config;
}

/** Raw YAML mapping of the `shard` key (snake_case, as written). */
export type RawShard = Record<string, unknown>;

/** The section as the config loader consumes it (schema -> normalise -> rules). */
export const shardSection: ConfigSection<RawShard, ShardConfig> = {
  key: 'shard',
  required: false,
  schema: shardSchema,
  normalise: (raw) => {
    const { config, issues } = collect(raw);
    if (issues.length) throw new SectionIssues(issues);
    return config;
  },
  rules: (value) => crossFieldIssues(value),
};

/** Row groups must fit in a shard: checked after normalising because it involves two keys. */
function crossFieldIssues(cfg: ShardConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (cfg.rowGroupRows > cfg.maxRows) {
    issues.push({ path: 'shard.row_group_rows', message: `${cfg.rowGroupRows} is larger than max_rows (${cfg.maxRows}); a row group cannot span shards` });
  }
  if (cfg.rowGroupBytes > cfg.maxBytes) {
    issues.push({ path: 'shard.row_group_bytes', message: `${cfg.rowGroupBytes} is larger than max_bytes (${cfg.maxBytes})` });
  }
  return issues;
}

function collect(raw: unknown): { config: ShardConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  if (raw === undefined || raw === null) return { config: { ...SHARD_DEFAULTS, histogramRanges: {} }, issues };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { config: { ...SHARD_DEFAULTS, histogramRanges: {} }, issues: [{ path: 'shard', message: 'expected a mapping' }] };
  const r = raw as Record<string, unknown>;
  const known = new Set(Object.keys(shardSchema.properties));
  for (const k of Object.keys(r)) if (!known.has(k)) issues.push({ path: `shard.${k}`, message: `unknown key; allowed: ${[...known].join(', ')}` });
  const int = (key: string, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = r[key];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      issues.push({ path: `shard.${key}`, message: `got ${JSON.stringify(v)}, expected an integer from ${min} to ${max}` });
      return def;
    }
    return v;
  };
  const size = (key: string, def: number): number => {
    if (r[key] === undefined) return def;
    const n = parseSize(r[key]);
    if (n === undefined) issues.push({ path: `shard.${key}`, message: `got ${JSON.stringify(r[key])}, expected a positive byte count or a size like "512 MB"` });
    return n ?? def;
  };
  const cfg: ShardConfig = {
    maxRows: int('max_rows', SHARD_DEFAULTS.maxRows, 1),
    maxBytes: size('max_bytes', SHARD_DEFAULTS.maxBytes),
    rowGroupRows: int('row_group_rows', SHARD_DEFAULTS.rowGroupRows, 1),
    rowGroupBytes: size('row_group_bytes', SHARD_DEFAULTS.rowGroupBytes),
    compression: SHARD_DEFAULTS.compression,
    compressionLevel: int('compression_level', SHARD_DEFAULTS.compressionLevel, 1, 19),
    histogramBins: int('histogram_bins', SHARD_DEFAULTS.histogramBins, 1, 65536),
    histogramRanges: {},
    namePrefix: SHARD_DEFAULTS.namePrefix,
    quicklooks: SHARD_DEFAULTS.quicklooks,
    quicklookPx: int('quicklook_px', SHARD_DEFAULTS.quicklookPx, 8, 512),
  };
  if (r.quicklooks !== undefined) {
    if (typeof r.quicklooks === 'boolean') cfg.quicklooks = r.quicklooks;
    else issues.push({ path: 'shard.quicklooks', message: `got ${JSON.stringify(r.quicklooks)}, expected true or false` });
  }
  // a row group never spans shards: unset row-group sizes shrink to the shard limits instead of failing
  if (r.row_group_rows === undefined) cfg.rowGroupRows = Math.min(cfg.rowGroupRows, cfg.maxRows);
  if (r.row_group_bytes === undefined) cfg.rowGroupBytes = Math.min(cfg.rowGroupBytes, cfg.maxBytes);
  if (r.compression !== undefined) {
    if (r.compression === 'zstd' || r.compression === 'snappy' || r.compression === 'none') cfg.compression = r.compression;
    else issues.push({ path: 'shard.compression', message: `got ${JSON.stringify(r.compression)}, expected one of zstd, snappy, none` });
  }
  if (r.name_prefix !== undefined) {
    if (typeof r.name_prefix === 'string' && /^[A-Za-z0-9_.-]+$/.test(r.name_prefix)) cfg.namePrefix = r.name_prefix;
    else issues.push({ path: 'shard.name_prefix', message: `got ${JSON.stringify(r.name_prefix)}, expected letters, digits, '_', '.' or '-'` });
  }
  const ranges = r.histogram_ranges;
  if (ranges !== undefined) {
    if (typeof ranges !== 'object' || ranges === null || Array.isArray(ranges)) {
      issues.push({ path: 'shard.histogram_ranges', message: 'expected a mapping of modality to [lo, hi]' });
    } else {
      for (const [m, v] of Object.entries(ranges as Record<string, unknown>)) {
        if (!(MODALITIES as readonly string[]).includes(m)) {
          issues.push({ path: `shard.histogram_ranges.${m}`, message: `unknown modality; allowed: ${MODALITIES.join(', ')}` });
        } else if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || !(v[0] < v[1])) {
          issues.push({ path: `shard.histogram_ranges.${m}`, message: `got ${JSON.stringify(v)}, expected [lo, hi] with finite lo < hi` });
        } else cfg.histogramRanges[m as Modality] = [v[0], v[1]];
      }
    }
  }
  return { config: cfg, issues };
}
