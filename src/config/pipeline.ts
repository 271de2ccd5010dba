// The whole pipeline configuration: every section in one list, the JSON Schema built from them
// (also written to schemas/pipeline.schema.json for editor completion) and the typed result.
import type { ConfigIssue } from '../errors.js';
import type { ConfigSection, JsonSchema } from './section.js';
import { areaSection, type AreaConfig } from './sections/area.js';
import { discoverSection, type DiscoverConfig } from './sections/discover.js';
import { gridSection, type GridConfig } from './sections/grid.js';
import { outputSection, type OutputConfig } from './sections/output.js';
import { pairingSection, requireIssues, type PairingConfig } from './sections/pairing.js';
import { samplingSection, type SamplingConfig } from './sections/sampling.js';
import { shardSection, type ShardConfig } from './sections/shard.js';
import { sourcesSection, type SourcesConfig } from './sections/sources.js';
import { tileSection, type TileConfig } from './sections/tile.js';
import { timeSection, type TimeConfig } from './sections/time.js';
import { trainSection, type TrainConfig } from './sections/train.js';

export interface PipelineConfig {
  version: 1;
  /** Pipeline name; names the default run directory. */
  name: string;
  /** Absolute path of the pipeline file this came from. */
  file: string;
  area: AreaConfig;
  time: TimeConfig;
  grid: GridConfig;
  sources: SourcesConfig;
  discover: DiscoverConfig;
  pairing: PairingConfig;
  /** Absent: every discovered cell is tiled (no sample stage). */
  sampling?: SamplingConfig;
  tile: TileConfig;
  shard: ShardConfig;
  /** Absent: no train stage. */
  train?: TrainConfig;
  output: OutputConfig;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SECTIONS: ConfigSection<any, any>[] = [
  areaSection,
  timeSection,
  gridSection,
  sourcesSection,
  discoverSection,
  pairingSection,
  samplingSection,
  tileSection,
  shardSection,
  trainSection,
  outputSection,
];

export function pipelineSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    $schema: { type: 'string', description: 'Path or URL of this JSON Schema (for editors).' },
    version: { const: 1, description: 'Pipeline file format version.' },
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Pipeline name: letters, digits, dot, dash, underscore.' },
  };
  for (const s of SECTIONS) properties[s.key] = s.schema;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/terrafm-pipeline/terrafm-pipeline/schemas/pipeline.schema.json',
    title: 'terrafm-pipeline pipeline definition',
    type: 'object',
    additionalProperties: false,
    required: ['name', ...SECTIONS.filter((s) => s.required).map((s) => s.key)],
    properties,
  };
}

/** Rules that span sections; run after every section's own rules passed. */
export const CROSS_RULES: ((c: PipelineConfig) => ConfigIssue[])[] = [(c) => requireIssues(c.pairing.require, c.sources)];
