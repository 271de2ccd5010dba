import { schemaDefaults, strictObject, type ConfigSection, type JsonSchema } from '../section.js';

/** `discover:` how STAC requests are made. */
export interface DiscoverConfig {
  /** Concurrent HTTP requests (p-limit). Default 4. */
  concurrency: number;
  /** Per-request timeout in seconds. Default 30. */
  timeoutS: number;
  /** Attempts per request before giving up (429, 5xx, resets, timeouts are retried). Default 6. */
  maxAttempts: number;
  /** Cache responses on disk under the run directory so a rerun makes no requests. Default true. */
  cache: boolean;
  /** Grid cells per STAC query group. Default 64. */
  batchCells: number;
}
interface RawDiscover {
  concurrency?: number;
  timeout_s?: number;
  max_attempts?: number;
  cache?: boolean;
  batch_cells?: number;
}

const discoverSchema: JsonSchema = strictObject(
  {
    concurrency: { type: 'integer', minimum: 1, maximum: 256, default: 4 },
    timeout_s: { type: 'number', exclusiveMinimum: 0, default: 30 },
    max_attempts: { type: 'integer', minimum: 1, maximum: 50, default: 6 },
    cache: { type: 'boolean', default: true },
    batch_cells: { type: 'integer', minimum: 1, maximum: 100000, default: 64 },
  },
  { description: 'STAC request behaviour.' },
);
const D = schemaDefaults<Required<RawDiscover>>(discoverSchema);

export const discoverSection: ConfigSection<RawDiscover, DiscoverConfig> = {
  key: 'discover',
  required: false,
  schema: discoverSchema,
  normalise: (raw) => ({
    concurrency: raw?.concurrency ?? D.concurrency,
    timeoutS: raw?.timeout_s ?? D.timeout_s,
    maxAttempts: raw?.max_attempts ?? D.max_attempts,
    cache: raw?.cache ?? D.cache,
    batchCells: raw?.batch_cells ?? D.batch_cells,
  }),
};
