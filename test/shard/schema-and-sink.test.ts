// Schema description file, shard config, and the sink's refusals (bad tiles, duplicates, existing corpus)
// and size-based cutting.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { normalise, parseSize, SHARD_DEFAULTS, shardSection } from '../../src/config/sections/shard.js';
import { describeSchema, columnsOf, COLUMN_NAMES } from '../../src/shard/schema.js';
import { openShardSink } from '../../src/shard/sink.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { polygonToWkb, wkbToPolygon } from '../../src/parquet/wkb.js';
import { fromLittleEndianBytes, toLittleEndianBytes } from '../../src/shard/tensor-bytes.js';
import { inspectCorpus, formatInspect } from '../../src/shard/inspect.js';
import { validateCorpus } from '../../src/shard/validate.js';
import { isoToMicros, microsToIso } from '../../src/parquet/timestamps.js';
import { cleanupTempDirs, tempDir, writeCorpus } from './helpers.js';

afterAll(() => cleanupTempDirs());
const repoRoot = resolve(import.meta.dirname, '../..');

describe('schema descriptions', () => {
  it.each([1, 2] as const)('schemas/shard-v%i.json matches the code', (v) => {
    const file = JSON.parse(readFileSync(join(repoRoot, `schemas/shard-v${v}.json`), 'utf8'));
    // after changing src/shard/schema.ts, regenerate with:
    // npx tsx -e "import('./src/shard/schema.ts').then(m => [1, 2].forEach(v => require('fs').writeFileSync('schemas/shard-v' + v + '.json', JSON.stringify(m.describeSchema(v), null, 2) + '\n')))"
    expect(file, `schemas/shard-v${v}.json is stale; see the regenerate command above`).toEqual(JSON.parse(JSON.stringify(describeSchema(v))));
    expect(file.columns.map((c: { name: string }) => c.name)).toEqual(columnsOf(v).map((c) => c.name));
  });
  it('v2 differs from v1 by timestamp datetimes, the bbox covering column and the quicklooks only', () => {
    const v1 = columnsOf(1);
    const v2 = columnsOf(2);
    expect(v2.map((c) => c.name)).toEqual([...v1.map((c) => c.name), 'bbox', 's2_quicklook', 's1_quicklook']);
    expect(v2.filter((c, i) => v1[i] && c.kind !== v1[i].kind).map((c) => `${c.name}:${v1[v2.indexOf(c)].kind}->${c.kind}`)).toEqual(
      ['s2_l2a_datetime:string->timestamp', 's2_l1c_datetime:string->timestamp', 's1_datetime:string->timestamp'],
    );
    expect(COLUMN_NAMES).toEqual(v2.map((c) => c.name));
  });
  it('SHARDS.md names every column', () => {
    const page = readFileSync(join(repoRoot, 'schemas/SHARDS.md'), 'utf8');
    for (const c of COLUMN_NAMES) expect(page, c).toContain(`\`${c}\``);
  });
});

describe('shard config', () => {
  it('fills defaults and converts sizes', () => {
    expect(normalise(undefined)).toEqual(SHARD_DEFAULTS);
    expect(normalise({ max_bytes: '512 MB', row_group_bytes: '32MiB', max_rows: 100, histogram_ranges: { s1: [-30, 5] } })).toMatchObject({
      maxBytes: 512e6,
      rowGroupBytes: 32 * 1024 * 1024,
      maxRows: 100,
      histogramRanges: { s1: [-30, 5] },
    });
    expect(parseSize('1.5 GB')).toBe(1.5e9);
    expect(parseSize('12 parsecs')).toBeUndefined();
  });
  it('lists every bad key', () => {
    let e: unknown;
    try {
      normalise({ max_rows: 0, compression: 'lz4', row_group_rows: 5, histogram_ranges: { s1: [5, 1] }, colour: 'red' }, 'p.yaml');
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues.map((i) => i.path)).toEqual(['shard.colour', 'shard.max_rows', 'shard.compression', 'shard.histogram_ranges.s1']);
    expect((e as ConfigError).message).toContain('shard.compression: got "lz4", expected one of zstd, snappy, none');
  });
  it('reports row groups larger than shards through the section rules', () => {
    const cfg = shardSection.normalise({ max_rows: 4, row_group_rows: 8 }, { baseDir: '.' });
    expect(shardSection.rules!(cfg)).toEqual([{ path: 'shard.row_group_rows', message: '8 is larger than max_rows (4); a row group cannot span shards' }]);
  });
});

describe('byte helpers', () => {
  it('round-trips a WKB polygon and closes an open ring', () => {
    const wkb = polygonToWkb([[1, 2], [3, 2], [3, 4]]);
    expect(wkb.byteLength).toBe(13 + 4 * 16);
    expect(wkbToPolygon(wkb)).toEqual([[1, 2], [3, 2], [3, 4], [1, 2]]);
    expect(() => wkbToPolygon(wkb.subarray(0, 40))).toThrow('WKB ring declares 4 points but only 1 fit');
  });
  it('decodes unaligned little-endian tensors and checks their length', () => {
    const a = new Float32Array([1.5, -2, NaN]);
    const bytes = new Uint8Array(13);
    bytes.set(toLittleEndianBytes(a), 1);
    expect(Array.from(fromLittleEndianBytes(bytes.subarray(1), 'float32', 3, 't'))).toEqual([1.5, -2, NaN]);
    expect(() => fromLittleEndianBytes(bytes, 'uint16', 3, 'tile X s2_l2a')).toThrow('tile X s2_l2a: tensor has 13 bytes, expected 3 x 2 (uint16)');
  });
});

describe('sink', () => {
  it('refuses a duplicate tile id, naming the shard that has it', async () => {
    const sink = openShardSink(tempDir('dup'), normalise({}));
    await sink.write(syntheticTile(1, { size: 8 }));
    await expect(sink.write(syntheticTile(1, { size: 8 }))).rejects.toThrow('duplicate tile id "T000001": already written to shard-00000.parquet');
    await sink.abort();
  });

  it('refuses a tile whose layout differs from the first tile', async () => {
    const sink = openShardSink(tempDir('layout'), normalise({}));
    await sink.write(syntheticTile(1, { size: 8 }));
    await expect(sink.write(syntheticTile(2, { size: 8, l1cBands: 12 }))).rejects.toThrow(
      'tile "T000002": s2_l1c bands [B01, B02, B03, B04, B05, B06, B07, B08, B8A, B09, B11, B12], expected [B01, B02, B03, B04, B05, B06, B07, B08, B8A, B09, B10, B11, B12] (the corpus layout is fixed by its first tile)',
    );
    const t = syntheticTile(3, { size: 8 });
    t.classHistogram[1] += 1;
    await expect(sink.write(t)).rejects.toThrow(/^tile "T000003": classHistogram\[1\] \(class 10\) is \d+ but the landcover raster has \d+ such pixels$/);
    const u = syntheticTile(4, { size: 8 });
    u.modalities.s1!.data = new Float32Array(5);
    await expect(sink.write(u)).rejects.toThrow('tile "T000004": s1 has 5 values, shape 2x8x8 needs 128');
    const w = syntheticTile(5, { size: 8 });
    w.modalities.s1!.datetime = '2021-06-31';
    await expect(sink.write(w)).rejects.toThrow('tile "T000005": s1 datetime "2021-06-31" is not an RFC 3339 date-time (e.g. 2021-06-01T10:20:31Z)');
    await sink.abort();
  });

  it('refuses to write over an existing corpus unless asked, and leaves no temp files', async () => {
    const d = tempDir('exists');
    await writeCorpus(d, [syntheticTile(0, { size: 8 })]);
    expect(() => openShardSink(d, normalise({}))).toThrow(`${d} already holds a corpus (manifest.json, shard-00000.parquet, stats.json); use an empty directory or overwrite`);
    const sink = openShardSink(d, normalise({}), { overwrite: true });
    await sink.write(syntheticTile(5, { size: 8 }));
    expect(readdirSync(d)).toEqual(['shard-00000.parquet.tmp']);
    await sink.abort();
    expect(readdirSync(d)).toEqual([]);
  });

  it('cuts shards by bytes, keeping each file under max_bytes', async () => {
    const d = tempDir('bytes');
    const tiles = Array.from({ length: 10 }, (_, i) => syntheticTile(i, { size: 32 }));
    const r = await writeCorpus(d, tiles, { max_bytes: 200_000, row_group_bytes: 100_000 });
    expect(r.manifest.shards.length).toBeGreaterThan(2);
    for (const s of r.manifest.shards) expect(statSync(join(d, s.file)).size).toBeLessThanOrEqual(200_000);
    expect(r.manifest.shards.reduce((n, s) => n + s.rows, 0)).toBe(10);
    expect((await validateCorpus(d)).problems).toEqual([]);
  });

  it('writes snappy and uncompressed shards that validate too', async () => {
    for (const compression of ['snappy', 'none']) {
      const d = tempDir(compression);
      await writeCorpus(d, [syntheticTile(0, { size: 16 }), syntheticTile(1, { size: 16 })], { compression });
      expect((await validateCorpus(d)).problems).toEqual([]);
    }
  });
});

describe('inspect', () => {
  it('summarises shards, classes and band statistics', async () => {
    const d = tempDir('inspect');
    await writeCorpus(d, Array.from({ length: 5 }, (_, i) => syntheticTile(i, { size: 16 })), { max_rows: 2 });
    const s = inspectCorpus(d);
    expect(s.tiles).toBe(5);
    expect(s.shards.map((x) => x.rows)).toEqual([2, 2, 1]);
    expect(s.classes.reduce((a, c) => a + c.pixels, 0)).toBe(5 * 256);
    expect(s.classes.reduce((a, c) => a + c.share, 0)).toBeCloseTo(1, 12);
    const vv = s.modalities.find((m) => m.modality === 's1')!.bands[0];
    expect(vv.mean).toBeGreaterThan(0.02);
    expect(vv.mean).toBeLessThan(0.22);
    const text = formatInspect(s);
    expect(text.split('\n')[0]).toBe(`corpus ${d} (schema v2): 3 shards, 5 tiles, ${(s.bytes / 1e6).toFixed(1)} MB`);
    expect(text).toContain('shard-00002.parquet');
    expect(text).toMatch(/\nB04 +\d+\.\d{3} +\d+\.\d{3} /);
    expect(existsSync(join(d, 'stats.json'))).toBe(true);
  });
  it('fails clearly on a directory that is not a corpus', () => {
    const d = tempDir('empty');
    writeFileSync(join(d, 'manifest.json'), '{"format":"other"}');
    expect(() => inspectCorpus(d)).toThrow(`${join(d, 'manifest.json')}: format is "other", expected "terrafm-shard"`);
  });
});

describe('zstd compressed ahead', () => {
  it('hands over a prepared page only when the bytes are identical', async () => {
    const { AheadCompressor } = await import('../../src/shard/codec.js');
    const { readCompressors } = await import('../../src/shard/codec.js');
    const c = new AheadCompressor(3);
    const value = Uint8Array.from({ length: 5000 }, (_, i) => (i * 13) % 97);
    c.prepare(value);
    await c.settle();
    const page = new Uint8Array(5004);
    new DataView(page.buffer).setUint32(0, 5000, true);
    page.set(value, 4);
    const other = page.slice();
    other[100] ^= 1;
    const a = c.compress(other); // same length, different bytes: compressed on the spot
    const b = c.compress(page);
    expect([c.hits, c.misses]).toEqual([1, 1]);
    const unzstd = readCompressors().ZSTD;
    expect(Buffer.compare(Buffer.from(unzstd(b, 5004)), Buffer.from(page))).toBe(0);
    expect(Buffer.compare(Buffer.from(unzstd(a, 5004)), Buffer.from(other))).toBe(0);
  });

  it('writes full-size (256 px) tiles whose tensors span whole pages, and reads them back', async () => {
    const d = tempDir('big');
    const tiles = [0, 1, 2].map((i) => syntheticTile(i, { size: 256 }));
    await writeCorpus(d, tiles, { row_group_rows: 2 });
    expect((await validateCorpus(d)).problems).toEqual([]);
    const { iterateTiles } = await import('../../src/shard/reader.js');
    let i = 0;
    for await (const t of iterateTiles(d, { columns: ['s2_l1c_data'] })) {
      expect(Buffer.compare(Buffer.from(t.modalities.s2_l1c!.data.buffer, t.modalities.s2_l1c!.data.byteOffset, t.modalities.s2_l1c!.data.byteLength), Buffer.from(tiles[i].modalities.s2_l1c!.data.buffer))).toBe(0);
      i++;
    }
    expect(i).toBe(3);
  });
});

describe('acquisition timestamps', () => {
  it('keep microseconds and offsets, and read back as canonical UTC text', () => {
    expect(isoToMicros('2021-06-01T10:20:31Z')).toBe(1622542831000000n);
    expect(isoToMicros('2023-06-15T10:36:29.123456789Z')).toBe(1686825389123456n);
    expect(isoToMicros('2020-01-01T01:00:00+01:00')).toBe(1577836800000000n);
    expect(microsToIso(1686825389024000n)).toBe('2023-06-15T10:36:29.024Z');
    expect(microsToIso(1577836800000000n)).toBe('2020-01-01T00:00:00Z');
    expect(microsToIso(-500000n)).toBe('1969-12-31T23:59:59.5Z');
  });
});
