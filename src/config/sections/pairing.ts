import type { ConfigIssue } from '../../errors.js';
import { strictObject, type ConfigSection, schemaDefaults, type JsonSchema } from '../section.js';
import { MODALITIES, type Modality } from '../../model/types.js';

/** `pairing:` how scenes are chosen and matched per grid cell. */
export interface PairingConfig {
  /** Max |S1 - S2| time gap in days for the Sentinel-1 scene. Default 15. */
  windowDays: number;
  /** Modalities a cell must have to be kept. Default: every configured imaging source. */
  require: Modality[] | 'all-configured';
  /** Keep cells missing a required modality (they are counted either way). Default false. */
  keepIncomplete: boolean;
  /** Minimum share of a cell a scene (or mosaic) must cover. Default 0.99. */
  minCoverage: number;
}
interface RawPairing {
  window_days?: number;
  require?: Modality[];
  keep_incomplete?: boolean;
  min_coverage?: number;
}

const pairingSchema: JsonSchema = strictObject(
  {
    window_days: { type: 'number', minimum: 0, maximum: 365, default: 15, description: 'Max S1-S2 gap in days.' },
    require: { type: 'array', items: { enum: [...MODALITIES] }, uniqueItems: true, description: 'Modalities a cell must have.' },
    keep_incomplete: { type: 'boolean', default: false, description: 'Keep cells missing a required modality.' },
    min_coverage: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.99, description: 'Min share of the cell covered.' },
  },
  { description: 'Scene choice and S1/S2 pairing per cell.' },
);
const D = schemaDefaults<Required<RawPairing>>(pairingSchema);

export const pairingSection: ConfigSection<RawPairing, PairingConfig> = {
  key: 'pairing',
  required: false,
  schema: pairingSchema,
  normalise: (raw) => ({
    windowDays: raw?.window_days ?? D.window_days,
    require: raw?.require ?? 'all-configured',
    keepIncomplete: raw?.keep_incomplete ?? D.keep_incomplete,
    minCoverage: raw?.min_coverage ?? D.min_coverage,
  }),
};

/** `pairing.require` names only configured sources (a rule across pairing and sources; the one check of it). */
export function requireIssues(require: PairingConfig['require'], sources: Partial<Record<string, unknown>>): ConfigIssue[] {
  if (require === 'all-configured') return [];
  const configured = Object.keys(sources).filter((k) => k !== 'landcover' && sources[k]);
  return require
    .filter((m) => !sources[m])
    .map((m) => ({ path: 'pairing.require', message: `"${m}" is required but sources.${m} is not configured; expected only configured modalities (${configured.join(', ')})` }));
}
