// Peer reader: DuckDB (a different Parquet implementation) must read what we write, byte for byte.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODALITIES, type TileRecord } from '../../src/model/types.js';
import { iterateTiles, openCorpus, readShardFile, columnsFor, listRowGroups } from '../../src/shard/reader.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { toLittleEndianBytes } from '../../src/shard/tensor-bytes.js';
import type { CorpusResult } from '../../src/shard/sink.js';
import { cleanupTempDirs, tempDir, writeCorpus } from './helpers.js';

/** Independent WKB polygon parser (deliberately not src/shard/wkb.ts). */
function parseWkbPolygon(b: Uint8Array): number[][][] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = v.getUint8(0) === 1;
  expect(v.getUint8(0)).toBeLessThanOrEqual(1);
  expect(v.getUint32(1, le)).toBe(3);
  const rings: number[][][] = [];
  let o = 9;
  for (let r = 0, nr = v.getUint32(5, le); r < nr; r++) {
    const n = v.getUint32(o, le);
    o += 4;
    const ring: number[][] = [];
    for (let i = 0; i < n; i++, o += 16) ring.push([v.getFloat64(o, le), v.getFloat64(o + 8, le)]);
    rings.push(ring);
  }
  expect(o).toBe(b.byteLength);
  return rings;
}

const N = 11;
let dir: string;
let tiles: TileRecord[];
let result: CorpusResult;
let con: DuckDBConnection;

beforeAll(async () => {
  dir = tempDir('duck');
  tiles = Array.from({ length: N }, (_, i) => syntheticTile(i, { size: 32, omit: i === 4 ? ['s1'] : i === 7 ? ['s2_l1c', 's1'] : [] }));
  result = await writeCorpus(dir, tiles, { max_rows: 4, row_group_rows: 2 });
  con = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => {
  con?.closeSync();
  cleanupTempDirs();
});

describe('DuckDB reads the shards', () => {
  it('cuts 11 tiles into shards of 4 rows with row groups of 2', () => {
    expect(result.manifest.shards.map((s) => [s.file, s.rows, s.row_groups])).toEqual([
      ['shard-00000.parquet', 4, 2],
      ['shard-00001.parquet', 4, 2],
      ['shard-00002.parquet', 3, 2],
    ]);
    expect(result.manifest.tiles).toBe(N);
  });

  it('sees the row count of every shard, and zstd column chunks', async () => {
    for (const s of result.manifest.shards) {
      const r = await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${join(dir, s.file)}')`);
      expect(r.getRowObjectsJson()[0].n).toBe(s.rows);
    }
    const codecs = await con.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${dir}/*.parquet')`);
    expect(codecs.getRowObjectsJson().map((x) => String(x.compression))).toEqual(['ZSTD']);
  });

  it('sums every class histogram to width x height and matches what was written', async () => {
    const r = await con.runAndReadAll(`SELECT tile_id, list_sum(class_histogram)::BIGINT AS s, width * height AS px, class_histogram::VARCHAR AS h FROM read_parquet('${dir}/*.parquet') ORDER BY tile_id`);
    const rows = r.getRowObjectsJson();
    expect(rows).toHaveLength(N);
    rows.forEach((row, i) => {
      expect(row.tile_id).toBe(tiles[i].tileId);
      expect(Number(row.s)).toBe(32 * 32);
      expect(row.h).toBe(`[${tiles[i].classHistogram.join(', ')}]`);
    });
  });

  it('returns every tensor byte-exact, and NULL for a missing modality', async () => {
    const r = await con.runAndReadAll(`SELECT tile_id, s2_l2a_data, s2_l1c_data, s1_data, landcover, s1_item_ids, epoch_us(s2_l2a_datetime) AS s2_l2a_us, geotransform FROM read_parquet('${dir}/*.parquet') ORDER BY tile_id`);
    const rows = r.getRowObjects();
    rows.forEach((row, i) => {
      const t = tiles[i];
      for (const m of MODALITIES) {
        const cell = row[`${m}_data`] as { bytes: Uint8Array } | null;
        const x = t.modalities[m];
        if (!x) expect(cell, `${t.tileId} ${m}`).toBeNull();
        else expect(Buffer.compare(Buffer.from(cell!.bytes), Buffer.from(toLittleEndianBytes(x.data))), `${t.tileId} ${m}`).toBe(0);
      }
      expect(Buffer.compare(Buffer.from((row.landcover as { bytes: Uint8Array }).bytes), Buffer.from(t.landcover))).toBe(0);
      expect(row.s2_l2a_us).toBe(BigInt(Date.parse(t.modalities.s2_l2a!.datetime)) * 1000n);
    });
    const j = r.getRowObjectsJson();
    expect(j[0].s1_item_ids).toEqual(tiles[0].modalities.s1!.itemIds);
    expect(j[0].geotransform).toEqual([...tiles[0].geotransform]);
  });

  it('finds valid WKB polygons in the footprint column and the GeoParquet metadata', async () => {
    await con.run('SET enable_geoparquet_conversion = false');
    const r = await con.runAndReadAll(`SELECT tile_id, geometry FROM read_parquet('${dir}/*.parquet') ORDER BY tile_id`);
    r.getRowObjects().forEach((row, i) => {
      const rings = parseWkbPolygon((row.geometry as { bytes: Uint8Array }).bytes);
      expect(rings).toEqual([tiles[i].footprint]);
    });
    await con.run('SET enable_geoparquet_conversion = true');
    const kv = await con.runAndReadAll(`SELECT decode(value) AS v FROM parquet_kv_metadata('${join(dir, 'shard-00000.parquet')}') WHERE decode(key) = 'geo'`);
    const geo = JSON.parse(String(kv.getRowObjectsJson()[0].v));
    expect(geo).toMatchObject({ version: '1.1.0', primary_column: 'geometry', columns: { geometry: { encoding: 'WKB', geometry_types: ['Polygon'] } } });
    expect(geo.columns.geometry.bbox).toEqual([9, 45, 9.039, 45.009]);
    // with conversion on, DuckDB types the column from the `geo` key and can render it
    const t = await con.runAndReadAll(`SELECT typeof(geometry) AS t, ST_AsText(geometry) AS wkt FROM read_parquet('${join(dir, 'shard-00000.parquet')}') LIMIT 1`);
    const row = t.getRowObjectsJson()[0];
    expect(String(row.t)).toMatch(/^GEOMETRY/);
    expect(row.wkt).toBe('POLYGON ((9 45, 9.009 45, 9.009 45.009, 9 45.009, 9 45))');
  });

  it('exposes dtype, band names and shape in the file metadata', async () => {
    const kv = await con.runAndReadAll(`SELECT decode(value) AS v FROM parquet_kv_metadata('${join(dir, 'shard-00002.parquet')}') WHERE decode(key) = 'terrafm'`);
    const meta = JSON.parse(String(kv.getRowObjectsJson()[0].v));
    expect(meta.modalities.s2_l2a).toMatchObject({ dtype: 'uint16', numpy_dtype: '<u2', shape: [12, 32, 32], nodata: 0, byte_order: 'little' });
    expect(meta.modalities.s1).toMatchObject({ dtype: 'float32', bands: ['VV', 'VH'], nodata: 'NaN' });
    expect(meta.modalities.s2_l1c.bands).toHaveLength(13);
  });
});

describe('our reader', () => {
  it('decodes every tile back to what was written', async () => {
    const got: TileRecord[] = [];
    for await (const t of iterateTiles(dir)) got.push(t);
    expect(got.map((t) => t.tileId)).toEqual(tiles.map((t) => t.tileId));
    got.forEach((g, i) => {
      const { shard: _s, rowIndex: _r, ...rest } = g as TileRecord & { shard: string; rowIndex: number };
      expect(rest).toEqual(tiles[i]);
    });
  });

  it('reads selected row groups and columns only', async () => {
    const rows = [];
    for await (const t of readShardFile(join(dir, 'shard-00001.parquet'), { rowGroups: [1], columns: columnsFor(['s1'], []) })) rows.push(t);
    expect(rows.map((r) => [r.tileId, r.rowIndex])).toEqual([['T000006', 2], ['T000007', 3]]);
    expect(Object.keys(rows[0].modalities)).toEqual(['s1']);
    expect(rows[0].landcover).toBeUndefined();
    expect(rows[1].modalities).toEqual({}); // T000007 has no s1
  });

  it('lists row groups for a shuffling data loader', async () => {
    const groups = await listRowGroups(dir);
    expect(groups.map((g) => `${g.file}#${g.rowGroup}:${g.rows}`)).toEqual([
      'shard-00000.parquet#0:2', 'shard-00000.parquet#1:2', 'shard-00001.parquet#0:2', 'shard-00001.parquet#1:2', 'shard-00002.parquet#0:2', 'shard-00002.parquet#1:1',
    ]);
  });

  it('opens the corpus index with dataset statistics', () => {
    const c = openCorpus(dir);
    expect(c.stats.tiles).toBe(N);
    expect(c.stats.modalities.s1!.tiles).toBe(N - 2);
    expect(c.manifest.shards).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')).tiles).toBe(N);
  });
});
