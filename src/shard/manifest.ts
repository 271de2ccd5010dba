// manifest.json and stats.json: the corpus index. Written last and atomically, so a directory with a
// manifest is a finished corpus; both are plain JSON without timestamps (identical inputs, identical files).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { ShardError } from '../errors.js';
import { layoutFromJson, type CorpusLayout, type LayoutJson } from './layout.js';
import { checkSchemaVersion } from './schema.js';
import { statsFromJson, type CorpusStats, type StatsJson } from './stats.js';

export const MANIFEST_FILE = 'manifest.json';
export const STATS_FILE = 'stats.json';
/** The corpus's STAC items (stac-geoparquet, written by the publish stage): a Parquet file that is not a shard. */
export const ITEMS_TABLE = 'items.parquet';

export interface ManifestShard {
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  tile_id_min: string;
  tile_id_max: string;
  row_groups: number;
}

export interface Manifest {
  format: 'terrafm-shard';
  schema_version: number;
  tiles: number;
  bytes: number;
  layout: LayoutJson;
  shards: ManifestShard[];
}

/** Writes a corpus file atomically; a failure is a ShardError naming the file. */
export function writeCorpusFile(path: string, text: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (e) {
    throw new ShardError(`cannot write ${path}: ${(e as Error).message}`, e);
  }
}

export function writeManifest(dir: string, m: Manifest): void {
  writeCorpusFile(join(dir, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`);
}

export function writeStats(dir: string, s: StatsJson): void {
  writeCorpusFile(join(dir, STATS_FILE), `${JSON.stringify(s, null, 2)}\n`);
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ShardError(code === 'ENOENT' ? `${path} is missing (not a finished corpus?)` : `cannot read ${path}: ${(e as Error).message}`, e);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ShardError(`${path} is not valid JSON: ${(e as Error).message}`, e);
  }
}

/** Reads and checks manifest.json; throws ShardError naming the field that is wrong. */
export function readManifest(dir: string): { manifest: Manifest; layout: CorpusLayout } {
  const path = join(dir, MANIFEST_FILE);
  const j = readJson(path) as Partial<Manifest>;
  if (j?.format !== 'terrafm-shard') throw new ShardError(`${path}: format is ${JSON.stringify(j?.format)}, expected "terrafm-shard"`);
  const version = checkSchemaVersion(j.schema_version, path);
  if (!Array.isArray(j.shards)) throw new ShardError(`${path}: shards is not a list`);
  j.shards.forEach((s, i) => {
    if (typeof s?.file !== 'string' || typeof s.rows !== 'number' || typeof s.bytes !== 'number' || typeof s.sha256 !== 'string') {
      throw new ShardError(`${path}: shards[${i}] needs file, rows, bytes and sha256`);
    }
    if (s.file.includes('/') || s.file.includes('\\') || s.file.startsWith('.')) throw new ShardError(`${path}: shards[${i}].file ${JSON.stringify(s.file)} is not a plain file name`);
  });
  const layout = layoutFromJson(j.layout, path);
  if (layout.schemaVersion !== version) throw new ShardError(`${path}: layout.schema_version is ${layout.schemaVersion}, schema_version is ${version}`);
  return { manifest: j as Manifest, layout };
}

export function readStats(dir: string): { json: StatsJson; stats: CorpusStats } {
  const path = join(dir, STATS_FILE);
  const j = readJson(path);
  return { json: j as StatsJson, stats: statsFromJson(j, path) };
}
