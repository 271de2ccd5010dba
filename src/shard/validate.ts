// validate: everything a consumer relies on, checked against the bytes on disk. Each problem is one line
// that names the shard (and tile) concerned; the CLI turns a non-empty list into a ValidationError.
import { join } from 'node:path';
import { ShardError, ValidationError } from '../errors.js';
import { MODALITIES, type Modality } from '../model/types.js';
import { layoutMismatch, type CorpusLayout } from './layout.js';
import { MANIFEST_FILE, STATS_FILE, readManifest, readStats, type Manifest } from './manifest.js';
import { openShard, readShardRows } from './reader.js';
import { footerCountProblems, listingProblems, momentProblems, shardFileProblems } from './verify.js';
import { BBOX_COLUMN, BBOX_FIELDS, parquetSchema, type SchemaVersion } from './schema.js';
import { addLandcover, addTensor, diffStats, emptyModalityStats, emptyStats, mergeStats, type CorpusStats, type StatsJson } from './stats.js';
import { WORLDCOVER_CLASSES, classHistogram } from '../landcover/worldcover.js';

/** Problems with a shard's Parquet schema compared with its schema version (names, types, repetition). */
function schemaProblems(file: string, schema: { name: string; type?: string; repetition_type?: string; num_children?: number }[], version: SchemaVersion): string[] {
  const want = parquetSchema(version);
  const fmt = (e: { name: string; type?: string; repetition_type?: string; num_children?: number }) => `${e.name}:${e.type ?? 'group'}:${e.repetition_type ?? ''}:${e.num_children ?? 0}`;
  const a = want.map(fmt);
  const b = schema.map(fmt);
  if (a.length !== b.length) return [`${file}: schema has ${b.length} elements, schema v${version} has ${a.length}`];
  const i = a.findIndex((x, k) => x !== b[k]);
  return i < 0 ? [] : [`${file}: schema element ${i} is ${b[i]}, schema v${version} expects ${a[i]}`];
}

/** Layout entries in a shard footer that disagree with the corpus manifest. */
function layoutProblems(file: string, shard: CorpusLayout, corpus: CorpusLayout): string[] {
  const out: string[] = [];
  for (const m of MODALITIES) {
    const s = shard.modalities[m];
    if (!s) continue;
    const c = corpus.modalities[m];
    if (!c) out.push(`${file}: footer declares a ${m} layout that manifest.json lacks`);
    else {
      const why = layoutMismatch(c, s);
      if (why) out.push(`${file}: ${m} layout in the footer has ${why} (manifest.json)`);
    }
  }
  return out;
}

/** The GeoParquet `geo` metadata must describe the footprint column (and from v2 its bbox covering) as written. */
export function geoProblems(file: string, text: string | undefined, version: SchemaVersion): string[] {
  let geo: any;
  try {
    geo = JSON.parse(text ?? '');
  } catch {
    return [`${file}: file metadata "geo" is not valid JSON`];
  }
  const col = geo?.columns?.geometry;
  const out: string[] = [];
  if (typeof geo?.version !== 'string' || !geo.version.startsWith('1.')) out.push(`${file}: geo.version is ${JSON.stringify(geo?.version)}, expected 1.x`);
  if (geo?.primary_column !== 'geometry') out.push(`${file}: geo.primary_column is ${JSON.stringify(geo?.primary_column)}, expected "geometry"`);
  if (col?.encoding !== 'WKB') out.push(`${file}: geo.columns.geometry.encoding is ${JSON.stringify(col?.encoding)}, expected "WKB"`);
  if (JSON.stringify(col?.geometry_types) !== '["Polygon"]') out.push(`${file}: geo.columns.geometry.geometry_types is ${JSON.stringify(col?.geometry_types)}, expected ["Polygon"]`);
  if (version >= 2) {
    const want = Object.fromEntries(BBOX_FIELDS.map((f) => [f, [BBOX_COLUMN, f]]));
    if (JSON.stringify(col?.covering?.bbox) !== JSON.stringify(want)) out.push(`${file}: geo.columns.geometry.covering.bbox is ${JSON.stringify(col?.covering?.bbox)}, expected ${JSON.stringify(want)}`);
  }
  return out;
}

export interface ValidateReport {
  dir: string;
  problems: string[];
  shardsChecked: number;
  tilesChecked: number;
}

/**
 * Checks a corpus directory: manifest vs files (missing, extra, unfinished), sizes and sha256, Parquet
 * schema and footer metadata, row counts, tile ids (unique across shards, within the recorded range),
 * class histograms vs land-cover rasters, and every statistic recomputed from the pixels vs the stored
 * per-shard and dataset statistics.
 */
export async function validateCorpus(dir: string): Promise<ValidateReport> {
  const problems: string[] = [];
  let manifest: Manifest;
  let layout: CorpusLayout;
  try {
    ({ manifest, layout } = readManifest(dir));
  } catch (e) {
    return { dir, problems: [e instanceof ShardError ? e.message : String(e)], shardsChecked: 0, tilesChecked: 0 };
  }
  problems.push(...listingProblems(dir, manifest));
  let stored: CorpusStats | undefined;
  let storedJson: StatsJson | undefined;
  try {
    ({ stats: stored, json: storedJson } = readStats(dir));
  } catch (e) {
    problems.push(e instanceof ShardError ? e.message : String(e));
  }

  const firstSeen = new Map<string, string>();
  const recomputedShards: CorpusStats[] = [];
  let shardsChecked = 0;
  let tilesChecked = 0;
  let allRead = true;
  for (const entry of manifest.shards) {
    const name = entry.file;
    const path = join(dir, name);
    const f = await shardFileProblems(dir, entry, true);
    problems.push(...f.problems);
    if (f.missing) {
      allRead = false;
      continue;
    }
    let shard;
    try {
      shard = await openShard(path);
    } catch (e) {
      problems.push(`${name}: not a readable shard: ${(e as Error).message}`);
      allRead = false;
      continue;
    }
    shardsChecked++;
    try {
      if (shard.schemaVersion !== manifest.schema_version) problems.push(`${name}: footer says schema v${shard.schemaVersion}, ${MANIFEST_FILE} says v${manifest.schema_version}`);
      problems.push(...schemaProblems(name, shard.metadata.schema, shard.schemaVersion));
      problems.push(...layoutProblems(name, shard.layout, layout));
      problems.push(...geoProblems(name, shard.kv.geo, shard.schemaVersion));
      problems.push(...footerCountProblems(entry, shard));
      // recompute this shard's statistics from its pixels, in row order (as the writer did)
      const acc = emptyStats();
      for await (const t of readShardRows(shard)) {
        tilesChecked++;
        const prev = firstSeen.get(t.tileId);
        if (prev !== undefined) problems.push(`duplicate tile id ${t.tileId}: in ${name} row ${t.rowIndex} and in ${prev}`);
        else firstSeen.set(t.tileId, `${name} row ${t.rowIndex}`);
        if (t.tileId < entry.tile_id_min || t.tileId > entry.tile_id_max) problems.push(`${name}: tile ${t.tileId} is outside the manifest's tile id range ${entry.tile_id_min}..${entry.tile_id_max}`);
        const counts = classHistogram(t.landcover);
        const k = counts.findIndex((c, i) => c !== t.classHistogram[i]);
        if (k >= 0) problems.push(`${name} tile ${t.tileId}: class_histogram[${k}] (class ${WORLDCOVER_CLASSES[k]}) is ${t.classHistogram[k]}, the landcover raster has ${counts[k]}`);
        addLandcover(acc, counts);
        for (const m of Object.keys(t.modalities) as Modality[]) {
          const x = t.modalities[m]!;
          const ref = shard.stats.modalities[m];
          let ms = acc.modalities[m];
          if (!ms) {
            if (!ref) {
              problems.push(`${name}: has ${m} pixels but its footer statistics have no ${m} entry`);
              continue;
            }
            ms = acc.modalities[m] = emptyModalityStats(x.dtype, x.bands, ref.lo, ref.hi, ref.bins);
          }
          addTensor(ms, x.data, x.nodata);
        }
      }
      recomputedShards.push(acc);
      for (const d of diffStats(shard.stats, acc, 0)) problems.push(`${name}: footer statistics differ from the data: ${d}`);
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message}`);
      allRead = false;
    } finally {
      await shard.close();
    }
  }
  if (storedJson) problems.push(...momentProblems(storedJson));
  if (stored && allRead) {
    const merged = recomputedShards.reduce((a, b) => mergeStats(a, b), emptyStats());
    // merged in manifest order like the writer, so equal up to nothing; the tolerance only forgives a
    // stats.json produced by merging in another order (e.g. by a separate tool)
    for (const d of diffStats(stored, merged, 1e-12)) problems.push(`${STATS_FILE}: differs from the statistics recomputed from the shards: ${d}`);
  } else if (stored && !allRead) {
    problems.push(`${STATS_FILE}: not compared with the data because some shards could not be read`);
  }
  return { dir, problems, shardsChecked, tilesChecked };
}

/** validateCorpus, throwing ValidationError (exit code 5) with the list when anything is wrong. */
export async function assertValidCorpus(dir: string): Promise<ValidateReport> {
  const report = await validateCorpus(dir);
  if (report.problems.length) throw new ValidationError(dir, report.problems);
  return report;
}
