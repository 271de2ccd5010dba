// Backward compatibility: the reader opens corpora of schema v1 (string datetimes, no bbox column), here a
// fixture written by the v1 writer (data/fixtures/shard-v1), and the writers refuse to mix versions.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { normalise } from '../../src/config/sections/shard.js';
import type { TileRecord } from '../../src/model/types.js';
import { mergeCorpora } from '../../src/shard/merge.js';
import { iterateTiles, openCorpus, openShard, readShardFile } from '../../src/shard/reader.js';
import { openShardSink } from '../../src/shard/sink.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { validateCorpus } from '../../src/shard/validate.js';
import { FIXTURES_DIR } from '../support/fixtures.js';
import { cleanupTempDirs, tempDir, writeCorpus } from './helpers.js';

const V1 = join(FIXTURES_DIR, 'shard-v1');
/** What the fixture was written from (see its README). */
const v1Tiles = () => [0, 1, 2].map((i) => syntheticTile(i, { size: 8, omit: i === 2 ? ['s1'] : [] }));
afterAll(() => cleanupTempDirs());

describe('schema v1 corpus', () => {
  it('opens with its version and decodes every tile to what was written', async () => {
    const c = openCorpus(V1);
    expect(c.manifest.schema_version).toBe(1);
    expect(c.layout.schemaVersion).toBe(1);
    const shard = await openShard(join(V1, 'shard-00000.parquet'));
    expect(shard.schemaVersion).toBe(1);
    await shard.close();
    const got: TileRecord[] = [];
    for await (const t of iterateTiles(V1)) {
      const { shard: _s, rowIndex: _r, ...rest } = t;
      got.push(rest);
    }
    expect(got).toEqual(v1Tiles());
  });

  it('validates as v1, and a v2 corpus of the same tiles decodes to the same records', async () => {
    expect((await validateCorpus(V1)).problems).toEqual([]);
    const dir = tempDir('v2same');
    await writeCorpus(dir, v1Tiles(), { row_group_rows: 2 });
    expect(openCorpus(dir).manifest.schema_version).toBe(2);
    const a: TileRecord[] = [];
    const b: TileRecord[] = [];
    for await (const { shard: _s, ...t } of iterateTiles(V1)) a.push(t);
    for await (const { shard: _s, ...t } of iterateTiles(dir)) b.push(t);
    expect(b).toEqual(a);
  });

  it('has no bbox column to read', async () => {
    const it = readShardFile(join(V1, 'shard-00000.parquet'), { columns: ['bbox'] });
    await expect(it.next()).rejects.toThrow(/unknown column\(s\) bbox; schema v1 has tile_id, /);
  });

  it('is read by DuckDB with string datetimes', async () => {
    const con = await (await DuckDBInstance.create(':memory:')).connect();
    const r = await con.runAndReadAll(`SELECT column_type AS t FROM (DESCRIBE SELECT * FROM read_parquet('${V1}/*.parquet')) WHERE column_name = 's1_datetime'`);
    expect(r.getRowObjectsJson()).toEqual([{ t: 'VARCHAR' }]);
    con.closeSync();
  });

  it('is not merged with a v2 corpus, and a v2 writer does not add to it', async () => {
    const v2 = tempDir('v2');
    await writeCorpus(v2, [syntheticTile(7, { size: 8 })]);
    const v1copy = tempDir('v1copy');
    cpSync(V1, v1copy, { recursive: true });
    await expect(mergeCorpora(tempDir('merged'), [v1copy, v2])).rejects.toThrow(`${v2}: shard schema v2, the other inputs are v1; partitions of one corpus must be written by the same version`);
    const { layout } = openCorpus(v1copy);
    expect(() => openShardSink(tempDir('resume'), normalise({}), { layout })).toThrow(/its shards are schema v1; this writer writes v2 and cannot add to them/);
  });
});
