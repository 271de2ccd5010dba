// The run's cell tables are GeoParquet 1.1 that DuckDB opens as geometry, with real list and timestamp
// columns: scenes.parquet (cell footprint polygons) and the land-cover / sample tables (cell anchor points).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenesTableWriter, readScenesTable } from '../../src/discover/scenes-table.js';
import type { CellScenes } from '../../src/discover/types.js';
import type { SceneItem } from '../../src/model/types.js';
import { writeColumns } from '../../src/sample/parquet-columns.js';

let dir: string;
let con: DuckDBConnection;
const rows = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjectsJson();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'terrafm-geotables-'));
  con = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => {
  con?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const item = (id: string, datetime: string, assets: Record<string, string>): SceneItem => ({
  id, collection: 'sentinel-2-l2a', sceneKey: id, datetime, bbox: [9, 47, 10, 48], geometry: null, cloudCover: 3.5,
  assets: Object.fromEntries(Object.entries(assets).map(([b, href]) => [b, { href }])),
});

function cell(k: number, withS2: boolean): CellScenes {
  const x0 = 500000 + k * 2560;
  return {
    cell: { id: `${500 + k}U_${100}R`, row: 500 + k, col: 100, lon: 9 + k * 0.03, lat: 47.5, epsg: 32632, extent: [x0, 5260000, x0 + 2560, 5262560], resolution: 10, sizePx: 256 },
    scenes: withS2 ? { s2_l2a: [item(`S2_${k}`, '2021-06-01T10:20:31.123456Z', { B04: `b04-${k}.tif`, B08: `b08-${k}.tif` }), item(`S2_${k}b`, '2021-06-03T10:20:31Z', { B04: `b04-${k}b.tif` })] } : {},
    coverage: withS2 ? { s2_l2a: 1 } : {},
    missing: withS2 ? [] : ['s2_l2a:none' as never],
    s1GapDays: null,
    complete: withS2,
  };
}

describe('scenes.parquet', () => {
  it('is GeoParquet with polygon footprints, UTC timestamps and list columns, and reads back exactly', async () => {
    const file = join(dir, 'scenes.parquet');
    const cells = [cell(0, true), cell(1, false), cell(2, true)];
    const w = new ScenesTableWriter(file, 2);
    w.append(cells);
    expect(w.finish()).toBe(3);
    const types = Object.fromEntries((await rows(`SELECT column_name AS c, column_type AS t FROM (DESCRIBE SELECT * FROM read_parquet('${file}'))`)).map((r) => [r.c, r.t]));
    expect(types).toMatchObject({ s2_l2a_datetime: 'TIMESTAMP WITH TIME ZONE', s2_l2a_ids: 'VARCHAR[]', s2_l2a_bands: 'VARCHAR[]', s2_l2a_hrefs: 'VARCHAR[]', missing: 'VARCHAR[]', s2_l2a_items: 'JSON', bbox: 'STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)' });
    expect(String(types.geometry)).toMatch(/^GEOMETRY/);
    const [r] = await rows(`SELECT s2_l2a_ids AS ids, list_zip(s2_l2a_bands, s2_l2a_hrefs)::VARCHAR AS assets, epoch_us(s2_l2a_datetime) AS us, ST_AsText(geometry) AS wkt, bbox FROM read_parquet('${file}') WHERE cell_id = '500U_100R'`);
    expect(r.ids).toEqual(['S2_0', 'S2_0b']);
    expect(r.assets).toBe('[(B04, b04-0.tif), (B08, b08-0.tif), (B04, b04-0b.tif)]');
    expect(r.us).toBe(String(Date.parse('2021-06-01T10:20:31Z') * 1000 + 123456));
    expect(String(r.wkt)).toMatch(/^POLYGON \(\(9 47\.49\d+, 9\.00\d+ 47\.49\d+, /);
    const bb = r.bbox as Record<string, number>;
    expect(bb.xmax - bb.xmin).toBeGreaterThan(0.03); // 2.56 km at 47.5 N
    expect(bb.xmax - bb.xmin).toBeLessThan(0.04);
    const [g] = await rows(`SELECT decode(value) AS v FROM parquet_kv_metadata('${file}') WHERE decode(key) = 'geo'`);
    const geo = JSON.parse(String(g.v));
    expect(geo.columns.geometry).toMatchObject({ encoding: 'WKB', geometry_types: ['Polygon'], covering: { bbox: { xmin: ['bbox', 'xmin'] } } });
    expect(geo.columns.geometry.bbox[0]).toBeCloseTo(9, 1);
    expect(await readScenesTable(file)).toEqual(cells);
  });
});

describe('land-cover and sample tables', () => {
  it('carry each cell anchor as a Point geometry with a bbox covering column', async () => {
    const file = join(dir, 'sample.parquet');
    writeColumns(file, [{ name: 'cell_id', type: 'STRING', data: ['a', 'b'] }, { name: 'sample_weight', type: 'DOUBLE', data: [1, 2.5] }], { 'terrafm:seed': '7' }, { lon: [9.5, -3.25], lat: [47, -12.5] });
    const r = await rows(`SELECT cell_id, sample_weight, ST_AsText(geometry) AS wkt, bbox.xmin AS x, bbox.ymax AS y FROM read_parquet('${file}') ORDER BY cell_id`);
    expect(r).toEqual([
      { cell_id: 'a', sample_weight: 1, wkt: 'POINT (9.5 47)', x: 9.5, y: 47 },
      { cell_id: 'b', sample_weight: 2.5, wkt: 'POINT (-3.25 -12.5)', x: -3.25, y: -12.5 },
    ]);
    const [g] = await rows(`SELECT decode(value) AS v FROM parquet_kv_metadata('${file}') WHERE decode(key) = 'geo'`);
    expect(JSON.parse(String(g.v)).columns.geometry).toMatchObject({ geometry_types: ['Point'], bbox: [-3.25, -12.5, 9.5, 47] });
  });
});
