// validate must name each kind of damage: truncated shard, flipped byte, missing shard, extra shard,
// duplicate tile, tampered statistics.
import { cpSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, ExitCode } from '../../src/errors.js';
import { assertValidCorpus, geoProblems, validateCorpus } from '../../src/shard/validate.js';
import { geoMetadata } from '../../src/shard/schema.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { mergeStats, statsFromJson, statsToJson } from '../../src/shard/stats.js';
import { cleanupTempDirs, tempDir, writeCorpus } from './helpers.js';

const tiles = Array.from({ length: 9 }, (_, i) => syntheticTile(i, { size: 16 }));
let pristine: string;

beforeAll(async () => {
  pristine = tempDir('valid');
  await writeCorpus(pristine, tiles, { max_rows: 3, row_group_rows: 2 });
});
afterAll(() => cleanupTempDirs());

/** A fresh copy of the good corpus to damage. */
function copy(tag: string): string {
  const d = tempDir(tag);
  cpSync(pristine, d, { recursive: true });
  return d;
}

describe('validate', () => {
  it('finds nothing wrong in a freshly written corpus', async () => {
    const r = await validateCorpus(pristine);
    expect(r.problems).toEqual([]);
    expect(r.shardsChecked).toBe(3);
    expect(r.tilesChecked).toBe(9);
    await expect(assertValidCorpus(pristine)).resolves.toMatchObject({ tilesChecked: 9 });
  });

  it('reports a truncated shard by name', async () => {
    const d = copy('trunc');
    const f = join(d, 'shard-00001.parquet');
    truncateSync(f, statSync(f).size - 100);
    const { problems } = await validateCorpus(d);
    expect(problems).toContain(`shard-00001.parquet: size ${statSync(f).size} bytes, manifest.json says ${statSync(f).size + 100} (truncated or rewritten)`);
    expect(problems.some((p) => p.startsWith('shard-00001.parquet: sha256 checksum mismatch'))).toBe(true);
    expect(problems.some((p) => p.startsWith('shard-00001.parquet: not a readable shard'))).toBe(true);
    expect(problems.some((p) => p.startsWith('shard-00000') || p.startsWith('shard-00002'))).toBe(false);
  });

  it('reports a flipped byte by name', async () => {
    const d = copy('flip');
    const f = join(d, 'shard-00002.parquet');
    const b = readFileSync(f);
    b[Math.floor(b.length / 3)] ^= 0x40;
    writeFileSync(f, b);
    const { problems } = await validateCorpus(d);
    expect(problems[0]).toMatch(/^shard-00002\.parquet: sha256 checksum mismatch \(file [0-9a-f]{64}, manifest\.json [0-9a-f]{64}\)$/);
    expect(problems.every((p) => p.includes('shard-00002.parquet') || p.startsWith('stats.json'))).toBe(true);
  });

  it('reports a missing shard and an extra one', async () => {
    const d = copy('missing');
    renameSync(join(d, 'shard-00002.parquet'), join(d, 'stray.parquet'));
    const { problems } = await validateCorpus(d);
    expect(problems).toContain('missing shard shard-00002.parquet: listed in manifest.json but not found');
    expect(problems).toContain(`extra shard stray.parquet: present in ${d} but not listed in manifest.json`);
    expect(problems).toContain('stats.json: not compared with the data because some shards could not be read');
  });

  it('reports an interrupted write', async () => {
    const d = copy('tmp');
    writeFileSync(join(d, 'shard-00003.parquet.tmp'), 'PAR1');
    const { problems } = await validateCorpus(d);
    expect(problems).toEqual(['unfinished file shard-00003.parquet.tmp: a write was interrupted (delete it or rewrite the corpus)']);
  });

  it('reports a tile id that appears in two shards', async () => {
    // a second corpus whose only shard repeats tile T000004, added to the first corpus's manifest with
    // consistent checksum and statistics, so the duplicate is the one thing wrong
    const d = copy('dup');
    const other = tempDir('dup-src');
    await writeCorpus(other, [syntheticTile(4, { size: 16 })], {});
    cpSync(join(other, 'shard-00000.parquet'), join(d, 'shard-00003.parquet'));
    const manifest = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
    const extra = JSON.parse(readFileSync(join(other, 'manifest.json'), 'utf8')).shards[0];
    manifest.shards.push({ ...extra, file: 'shard-00003.parquet' });
    manifest.tiles += 1;
    manifest.bytes += extra.bytes;
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(manifest));
    const a = statsFromJson(JSON.parse(readFileSync(join(d, 'stats.json'), 'utf8')), 'a');
    const b = statsFromJson(JSON.parse(readFileSync(join(other, 'stats.json'), 'utf8')), 'b');
    writeFileSync(join(d, 'stats.json'), JSON.stringify(statsToJson(mergeStats(a, b))));
    const { problems } = await validateCorpus(d);
    expect(problems).toEqual(['duplicate tile id T000004: in shard-00003.parquet row 0 and in shard-00001.parquet row 1']);
  });

  it('reports statistics that do not match the pixels', async () => {
    const d = copy('stats');
    const s = JSON.parse(readFileSync(join(d, 'stats.json'), 'utf8'));
    s.modalities.s2_l2a.per_band[3].max += 1;
    s.classes.pixel_counts[1] += 5;
    writeFileSync(join(d, 'stats.json'), JSON.stringify(s));
    const { problems } = await validateCorpus(d);
    const max = s.modalities.s2_l2a.per_band[3].max;
    expect(problems).toContain(`stats.json: differs from the statistics recomputed from the shards: s2_l2a.B04 max ${max} stored vs ${max - 1} recomputed`);
    expect(problems.some((p) => /^stats\.json: .*class 10 pixel count/.test(p))).toBe(true);
  });

  it('reports a missing manifest', async () => {
    const d = copy('nomanifest');
    rmSync(join(d, 'manifest.json'));
    const { problems } = await validateCorpus(d);
    expect(problems).toEqual([`${join(d, 'manifest.json')} is missing (not a finished corpus?)`]);
  });

  it('throws ValidationError with exit code 5 and the list', async () => {
    const d = copy('throw');
    rmSync(join(d, 'shard-00000.parquet'));
    const e = await assertValidCorpus(d).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).exitCode).toBe(ExitCode.invalid);
    expect((e as ValidationError).message).toContain('  - missing shard shard-00000.parquet: listed in manifest.json but not found');
  });

  it('checks the manifest checksum is the sha256 of the file', () => {
    const m = JSON.parse(readFileSync(join(pristine, 'manifest.json'), 'utf8'));
    for (const s of m.shards) expect(s.sha256).toBe(createHash('sha256').update(readFileSync(join(pristine, s.file))).digest('hex'));
  });

  it('checks the GeoParquet metadata fields', () => {
    const v1 = '{"version":"1.1.0","primary_column":"geometry","columns":{"geometry":{"encoding":"WKB","geometry_types":["Polygon"]}}}';
    expect(geoProblems('s.parquet', v1, 1)).toEqual([]);
    // v2 declares the bbox covering column
    expect(geoProblems('s.parquet', v1, 2)).toEqual(['s.parquet: geo.columns.geometry.covering.bbox is undefined, expected {"xmin":["bbox","xmin"],"ymin":["bbox","ymin"],"xmax":["bbox","xmax"],"ymax":["bbox","ymax"]}']);
    expect(geoProblems('s.parquet', JSON.stringify(geoMetadata([1, 2, 3, 4])), 2)).toEqual([]);
    expect(geoProblems('s.parquet', '{"version":"2.0","primary_column":"geom","columns":{"geometry":{"encoding":"WKT"}}}', 1)).toEqual([
      's.parquet: geo.version is "2.0", expected 1.x',
      's.parquet: geo.primary_column is "geom", expected "geometry"',
      's.parquet: geo.columns.geometry.encoding is "WKT", expected "WKB"',
      's.parquet: geo.columns.geometry.geometry_types is undefined, expected ["Polygon"]',
    ]);
    expect(geoProblems('s.parquet', 'nope', 2)).toEqual(['s.parquet: file metadata "geo" is not valid JSON']);
  });
});
