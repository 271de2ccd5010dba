// inspect: a summary of a corpus from its index files alone (no pixel reads), as JSON and as text.
import { openCorpus } from './reader.js';
import { bandMoments } from './stats.js';
import { WORLDCOVER_CLASSES, WORLDCOVER_NAMES } from '../landcover/worldcover.js';

export interface InspectSummary {
  dir: string;
  schemaVersion: number;
  shards: { file: string; rows: number; bytes: number; rowGroups: number; tileIdMin: string; tileIdMax: string }[];
  tiles: number;
  bytes: number;
  classes: { code: number; name: string; pixels: number; share: number; tiles: number }[];
  modalities: { modality: string; dtype: string; tiles: number; bands: { band: string; mean: number | null; std: number | null; min: number | null; max: number | null; validPixels: number }[] }[];
}

export function inspectCorpus(dir: string): InspectSummary {
  const c = openCorpus(dir);
  const total = c.stats.classPixelCounts.reduce((a, b) => a + b, 0);
  const fin = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    dir,
    schemaVersion: c.manifest.schema_version,
    shards: c.manifest.shards.map((s) => ({ file: s.file, rows: s.rows, bytes: s.bytes, rowGroups: s.row_groups, tileIdMin: s.tile_id_min, tileIdMax: s.tile_id_max })),
    tiles: c.manifest.tiles,
    bytes: c.manifest.bytes,
    classes: WORLDCOVER_CLASSES.map((code, k) => ({ code, name: WORLDCOVER_NAMES[code], pixels: c.stats.classPixelCounts[k], share: total ? c.stats.classPixelCounts[k] / total : 0, tiles: c.stats.classTileCounts[k] })),
    modalities: Object.entries(c.stats.modalities).map(([m, ms]) => ({
      modality: m,
      dtype: ms!.dtype,
      tiles: ms!.tiles,
      bands: ms!.perBand.map((b, i) => {
        const { mean, std } = bandMoments(b);
        return { band: ms!.bands[i], mean: fin(mean), std: fin(std), min: fin(b.min), max: fin(b.max), validPixels: b.count };
      }),
    })),
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const num = (v: number | null, digits = 1) => (v === null ? '-' : v.toFixed(digits));

export function formatInspect(s: InspectSummary): string {
  const parts = [
    `corpus ${s.dir} (schema v${s.schemaVersion}): ${s.shards.length} shards, ${s.tiles} tiles, ${mb(s.bytes)}`,
    '',
    table(['shard', 'tiles', 'size', 'row groups', 'tile ids'], s.shards.map((x) => [x.file, String(x.rows), mb(x.bytes), String(x.rowGroups), `${x.tileIdMin}..${x.tileIdMax}`])),
    '',
    table(['class', 'code', 'pixel share', 'tiles'], s.classes.filter((c) => c.pixels > 0 || c.tiles > 0).map((c) => [c.name, String(c.code), `${(c.share * 100).toFixed(2)}%`, String(c.tiles)])),
  ];
  for (const m of s.modalities) {
    parts.push('', `${m.modality} (${m.dtype}, ${m.tiles} tiles)`);
    parts.push(table(['band', 'mean', 'std', 'min', 'max', 'valid px'], m.bands.map((b) => [b.band, num(b.mean, 3), num(b.std, 3), num(b.min, 3), num(b.max, 3), String(b.validPixels)])));
  }
  return parts.join('\n');
}
