// STAC output of a corpus: collection.json and items.parquet (stac-geoparquet). The items read back from
// the table equal the items built from the tiles, and they and the Collection pass stac-node-validator
// offline (schemas from data/fixtures/stac-schemas, as test/demo/stac-validate.test.ts runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCorpusStac } from '../../src/publish/stac-collection.js';
import { itemFromRow, tileItem, type StacItem } from '../../src/publish/stac-items.js';
import { openShard, readTileMetadata } from '../../src/shard/reader.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { validateStac } from '../support/stac-validator.js';
import { cleanupTempDirs, tempDir, writeCorpus } from '../shard/helpers.js';

const validate = (files: string[]) => validateStac(files, { verbose: true });

const N = 7;
let dir: string;
let built: StacItem[];
beforeAll(async () => {
  dir = tempDir('stac');
  await writeCorpus(dir, Array.from({ length: N }, (_, i) => syntheticTile(i, { size: 8, omit: i === 3 ? ['s1'] : i === 5 ? ['s2_l2a', 's2_l1c'] : [] })), { max_rows: 4 });
  built = [];
  for (const f of ['shard-00000.parquet', 'shard-00001.parquet']) {
    const s = await openShard(join(dir, f));
    for await (const t of readTileMetadata(s)) built.push(tileItem(t, 'demo'));
    await s.close();
  }
});
afterAll(() => cleanupTempDirs());

describe('corpus STAC', () => {
  it('writes a stac-geoparquet table whose rows are the tiles\' items', async () => {
    const r = await writeCorpusStac(dir, { id: 'demo', description: 'test corpus' });
    expect(r.items).toBe(N);
    const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(r.table), utf8: false, geoparquet: false, parsers: { timestampFromMicroseconds: (us: bigint) => us } })) as Record<string, unknown>[];
    const back = rows.map(itemFromRow);
    expect(back).toEqual(built);
    expect(back[1]).toMatchObject({
      id: 'T000001', collection: 'demo',
      properties: { datetime: '2021-06-02T10:20:31Z', start_datetime: '2021-06-02T10:20:31Z', end_datetime: '2021-06-03T05:40:00Z', 'proj:epsg': 32632, 'proj:shape': [8, 8], 'eo:cloud_cover': 5, 'terrafm:modalities': ['s2_l2a', 's2_l1c', 's1'] },
      assets: { data: { href: './shard-00000.parquet', 'terrafm:row': 1 } },
    });
    expect(back[5].properties).toMatchObject({ datetime: '2021-06-07T05:40:00Z', 'terrafm:modalities': ['s1'] }); // S1 only
    expect(back[4].assets.data).toMatchObject({ href: './shard-00001.parquet', 'terrafm:row': 0 });
  });

  it('is read by DuckDB as GeoParquet with timestamp properties', async () => {
    const con = await (await DuckDBInstance.create(':memory:')).connect();
    const t = await con.runAndReadAll(`SELECT column_name AS c, column_type AS t FROM (DESCRIBE SELECT * FROM read_parquet('${join(dir, 'items.parquet')}')) WHERE column_name IN ('datetime', 'geometry', 'proj:epsg')`);
    const types = Object.fromEntries(t.getRowObjectsJson().map((r) => [r.c, String(r.t)]));
    expect(types.datetime).toBe('TIMESTAMP WITH TIME ZONE');
    expect(types['proj:epsg']).toBe('INTEGER');
    expect(types.geometry).toMatch(/^GEOMETRY/);
    const n = await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${join(dir, 'items.parquet')}') WHERE datetime < TIMESTAMPTZ '2021-06-04 00:00:00+00'`);
    expect(n.getRowObjectsJson()[0].n).toBe(3);
    con.closeSync();
  });

  it('writes a Collection with extent, summaries, licences and links', () => {
    const c = JSON.parse(readFileSync(join(dir, 'collection.json'), 'utf8'));
    expect(c.extent.temporal.interval).toEqual([['2021-06-01T10:20:31Z', '2021-06-08T05:40:00Z']]);
    expect(c.extent.spatial.bbox[0]).toEqual([9, 45, 9.069, 45.009]);
    expect(c.summaries['terrafm:modalities']).toEqual(['s2_l2a', 's2_l1c', 's1']);
    expect(c.summaries['classification:classes'][0]).toEqual({ value: 10, name: 'tree-cover', description: 'tree cover' });
    expect(c.license).toBe('other');
    expect(c.links.filter((l: { rel: string }) => l.rel === 'license').map((l: { title: string }) => l.title)).toEqual(['Legal notice on the use of Copernicus Sentinel data', 'ESA WorldCover: CC-BY 4.0']);
    expect(c.links.find((l: { rel: string }) => l.rel === 'describedby').href).toBe('./README.md');
    expect(c.assets.items).toMatchObject({ href: './items.parquet', roles: ['collection-mirror'] });
    expect(JSON.stringify(c)).not.toContain(dir); // every href relative
  });

  it('the Collection and every item pass stac-node-validator offline; a broken item fails', async () => {
    const files = [join(dir, 'collection.json')];
    built.forEach((it, i) => {
      const f = join(dir, `item-${i}.json`);
      writeFileSync(f, JSON.stringify(it));
      files.push(f);
    });
    const { code, out } = await validate(files);
    expect(out).toContain(`Passed: ${files.length}`);
    expect(out).toContain('Invalid: 0');
    expect(out).toContain('https://stac-extensions.github.io/projection/v1.1.0/schema.json: passed');
    expect(out).toContain('https://stac-extensions.github.io/classification/v1.0.0/schema.json: passed');
    expect(code).toBe(0);
    const broken = { ...built[0], properties: { ...built[0].properties, 'proj:epsg': 'EPSG:32632' } };
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
    const b = await validate([join(dir, 'broken.json')]);
    expect(b.code).toBe(1);
    expect(b.out).toMatch(/proj:epsg/);
  });
});
