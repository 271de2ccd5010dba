// Filterable shards (schema v2): DuckDB types the acquisition times as TIMESTAMP WITH TIME ZONE and skips
// row groups on a time range and on the GeoParquet `bbox` covering column. Which row groups a query read
// is taken from DuckDB's own file-system log (offset of every read) mapped onto the column-chunk byte
// ranges of parquet_metadata, next to the filters the profiler (EXPLAIN ANALYZE) shows pushed into the scan.
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { cleanupTempDirs, tempDir, writeCorpus } from './helpers.js';

// 40 tiles in one shard, row groups of 4: tile i has lon 9 + 0.01 i and acquisition day 1 + (i mod 28) of June 2021
const N = 40;
let file: string;
let con: DuckDBConnection;
let chunks: { rowGroup: number; start: number; end: number }[];

const rows = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJson();

beforeAll(async () => {
  const dir = tempDir('prune');
  await writeCorpus(dir, Array.from({ length: N }, (_, i) => syntheticTile(i, { size: 8 })), { row_group_rows: 4 });
  file = join(dir, 'shard-00000.parquet');
  con = await (await DuckDBInstance.create(':memory:')).connect();
  chunks = (await rows(`SELECT row_group_id AS g, coalesce(least(dictionary_page_offset, data_page_offset), data_page_offset) AS o, total_compressed_size AS n FROM parquet_metadata('${file}')`))
    .map((r) => ({ rowGroup: Number(r.g), start: Number(r.o), end: Number(r.o) + Number(r.n) }));
  await con.run(`CALL enable_logging('FileSystem')`);
});
afterAll(() => {
  con?.closeSync();
  cleanupTempDirs();
});

/** Runs `SELECT tile_id ... WHERE where`; returns the tiles, the row groups whose column chunks DuckDB read, and the scan's profile. */
async function scan(where: string): Promise<{ tiles: string[]; rowGroupsRead: number[]; filters: string }> {
  await rows(`SELECT count(*) FROM parquet_metadata('${file}')`); // footer cached before the log starts
  await con.run('CALL truncate_duckdb_logs()');
  const tiles = (await rows(`SELECT tile_id FROM read_parquet('${file}') WHERE ${where} ORDER BY tile_id`)).map((r) => String(r.tile_id));
  const reads = (await rows(`SELECT message FROM duckdb_logs WHERE type = 'FileSystem'`)).map((r) => JSON.parse(String(r.message)) as { op: string; pos?: string; bytes?: string });
  const read = new Set<number>();
  for (const r of reads) {
    if (r.op !== 'READ' || Number(r.bytes) === 0) continue;
    const c = chunks.find((k) => Number(r.pos) >= k.start && Number(r.pos) < k.end);
    if (c) read.add(c.rowGroup);
  }
  const plan = JSON.parse(String((await rows(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT tile_id FROM read_parquet('${file}') WHERE ${where}`))[0].explain_value));
  const find = (n: any): any => (n.operator_name === 'PARQUET_SCAN' || n.operator_type === 'TABLE_SCAN' ? n : (n.children ?? []).map(find).find(Boolean));
  return { tiles, rowGroupsRead: [...read].sort((a, b) => a - b), filters: String(find(plan)?.extra_info?.Filters ?? '') };
}

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `T${String(from + k).padStart(6, '0')}`);

describe('DuckDB on schema v2 shards', () => {
  it('types the acquisition times as TIMESTAMP WITH TIME ZONE and reads them back in UTC', async () => {
    const types = await rows(`SELECT column_name AS c, column_type AS t FROM (DESCRIBE SELECT * FROM read_parquet('${file}')) WHERE column_name LIKE '%datetime' OR column_name = 'bbox'`);
    expect(types).toEqual([
      { c: 's2_l2a_datetime', t: 'TIMESTAMP WITH TIME ZONE' },
      { c: 's2_l1c_datetime', t: 'TIMESTAMP WITH TIME ZONE' },
      { c: 's1_datetime', t: 'TIMESTAMP WITH TIME ZONE' },
      { c: 'bbox', t: 'STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)' },
    ]);
    const [r] = await rows(`SELECT strftime(s2_l2a_datetime AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS t, bbox.xmin AS x, bbox.ymax AS y FROM read_parquet('${file}') WHERE tile_id = 'T000030'`);
    expect(r).toEqual({ t: syntheticTile(30, { size: 8 }).modalities.s2_l2a!.datetime, x: 9.3, y: 45.009 });
  });

  it('keeps min/max statistics on the time and bbox columns of every row group', async () => {
    const s = await rows(`SELECT row_group_id AS g, stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('${file}') WHERE path_in_schema = 'bbox, xmin' ORDER BY g`);
    expect(s).toHaveLength(N / 4);
    expect(s[5]).toEqual({ g: '5', lo: '9.2', hi: '9.23' });
    const t = await rows(`SELECT stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('${file}') WHERE path_in_schema = 's2_l2a_datetime' AND row_group_id = 3`);
    expect(t).toEqual([{ lo: '2021-06-13 10:20:31+00', hi: '2021-06-16 10:20:31+00' }]);
  });

  it('reads every row group without a filter', async () => {
    const r = await scan('true');
    expect(r.tiles).toHaveLength(N);
    expect(r.rowGroupsRead).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('skips the row groups outside a time range', async () => {
    const r = await scan(`s2_l2a_datetime >= TIMESTAMPTZ '2021-06-13 00:00:00+00' AND s2_l2a_datetime < TIMESTAMPTZ '2021-06-17 00:00:00+00'`);
    expect(r.tiles).toEqual(ids(12, 15));
    expect(r.filters).toContain('s2_l2a_datetime>=');
    expect(r.rowGroupsRead).toEqual([3]);
  });

  it('skips the row groups outside a bbox', async () => {
    // tiles intersecting [9.2, 9.235] x [45, 46]: the GeoParquet covering-column test
    const r = await scan('bbox.xmin <= 9.235 AND bbox.xmax >= 9.2 AND bbox.ymin <= 46 AND bbox.ymax >= 45');
    expect(r.tiles).toEqual(ids(20, 23));
    expect(r.filters).toContain('bbox.xmin<=9.235');
    expect(r.rowGroupsRead).toEqual([5]);
  });

  it('cannot skip anything on a datetime it has to convert per row (what v1 strings forced)', async () => {
    const r = await scan(`strftime(s2_l2a_datetime, '%Y-%m-%d') BETWEEN '2021-06-13' AND '2021-06-16'`);
    expect(r.tiles).toEqual(ids(12, 15));
    expect(r.rowGroupsRead).toHaveLength(N / 4);
  });
});
