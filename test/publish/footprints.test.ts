// `terrafm footprints`: each format is written from a small corpus and read back with the real GDAL
// command-line tool (ogrinfo, spawned), as a GIS user on Debian's GDAL 3.6 (no Parquet driver) would.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { footprintsCommand } from '../../src/cli/commands/footprints.js';
import { UsageError } from '../../src/errors.js';
import { writeFootprints, type FootprintFormat } from '../../src/publish/footprints.js';
import { classHistogram } from '../../src/landcover/worldcover.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { cleanupTempDirs, tempDir, writeCorpus } from '../shard/helpers.js';

function ogrinfo(...args: string[]): string {
  const r = spawnSync('ogrinfo', ['-ro', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ogrinfo ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** `name (Type) = value` lines of the one feature ogrinfo prints. */
function fields(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^ {2}(\w+) \((\w+)\) = (.*)$/gm)].map((m) => [m[1], `${m[2]}: ${m[3]}`]));
}

const N = 5;
let dir: string;
let out: string;
beforeAll(async () => {
  dir = tempDir('footprints');
  out = tempDir('footprints-out');
  const tiles = Array.from({ length: N }, (_, i) => syntheticTile(i, { size: 8, omit: i === 1 ? ['s1'] : [] }));
  // tile 0: a known land cover, 3/4 cropland (40) and 1/4 tree cover (10), one row of nodata
  const lc = new Uint8Array(64).fill(40);
  lc.fill(10, 8, 8 + 14);
  lc.fill(0, 0, 8);
  tiles[0].landcover = lc;
  tiles[0].classHistogram = classHistogram(lc);
  await writeCorpus(dir, tiles, { max_rows: 3 });
});
afterAll(() => cleanupTempDirs());

const FORMATS: [FootprintFormat, string, string][] = [
  ['geojson', 'geojson', 'GeoJSON'],
  ['flatgeobuf', 'fgb', 'FlatGeobuf'],
  ['gpkg', 'gpkg', 'GPKG'],
];

describe('footprints', () => {
  for (const [format, ext, driver] of FORMATS) {
    it(`${format}: ogrinfo opens it: one polygon per tile in EPSG:4326 with the tile's attributes`, async () => {
      const file = join(out, `tiles.${ext}`);
      const r = await writeFootprints(dir, { format, out: file });
      expect(r).toEqual({ file, format, features: N });
      expect(statSync(file).isFile()).toBe(true); // one file (FlatGeobuf writes a directory for a name without .fgb)
      const summary = ogrinfo('-al', '-so', file);
      expect(summary).toContain(`using driver \`${driver}' successful`);
      expect(summary).toMatch(/^Layer name: footprints$/m);
      expect(summary).toMatch(/^Geometry: Polygon$/m);
      expect(summary).toMatch(/^Feature Count: 5$/m);
      expect(summary).toContain('Extent: (9.000000, 45.000000) - (9.049000, 45.009000)');
      expect(summary).toMatch(/ID\["EPSG",4326\]\]\s*Data axis to CRS axis mapping: 2,1/); // lon/lat order on disk
      expect(summary).toMatch(/^s1_datetime: DateTime/m);
      expect(summary).toMatch(/^cloud_cover: Real/m);
      expect(summary).toMatch(/^share_100: Real/m);

      const t0 = fields(ogrinfo('-al', '-where', "tile_id = 'T000000'", file));
      expect(t0).toMatchObject({
        cell_id: 'String: 100U_200R', shard: 'String: shard-00000.parquet', row: 'Integer: 0', epsg: 'Integer: 32632',
        modalities: 'String: s2_l2a,s2_l1c,s1', dominant_class: 'Integer: 40', dominant_name: 'String: cropland',
        dominant_share: 'Real: 0.75', share_10: 'Real: 0.25', share_40: 'Real: 0.75', share_20: 'Real: 0',
        datetime: 'DateTime: 2021/06/01 10:20:31+00', s1_datetime: 'DateTime: 2021/06/02 05:40:00+00',
      });
      // GPKG prints an unset field as (null), GeoJSON and FlatGeobuf leave it out
      expect(t0.cloud_cover ?? 'Real: (null)').toBe('Real: (null)'); // no SCL for tile 0: cloud cover unknown
      const t1 = ogrinfo('-al', '-where', "tile_id = 'T000001'", file);
      expect(fields(t1)).toMatchObject({ shard: 'String: shard-00000.parquet', row: 'Integer: 1', modalities: 'String: s2_l2a,s2_l1c', cloud_cover: 'Real: 5', sample_weight: 'Real: 1.25' });
      expect(fields(t1).s1_datetime ?? 'DateTime: (null)').toBe('DateTime: (null)'); // no S1 in this tile
      expect(t1).toContain('POLYGON ((9.01 45.0,9.019 45.0,9.019 45.009,9.01 45.009,9.01 45.0))');
      const t4 = fields(ogrinfo('-al', '-where', "tile_id = 'T000004'", file));
      expect(t4).toMatchObject({ shard: 'String: shard-00001.parquet', row: 'Integer: 1' });
      expect(readdirSync(out).filter((f) => f.includes('.tmp'))).toEqual([]);
    });
  }

  it('writes beside the shards by default and refuses to replace a file unless asked', async () => {
    const file = join(dir, 'footprints.geojson');
    expect((await writeFootprints(dir, { format: 'geojson' })).file).toBe(file);
    const before = readFileSync(file, 'utf8');
    expect(JSON.parse(before).features).toHaveLength(N);
    await expect(writeFootprints(dir, { format: 'geojson' })).rejects.toThrow(`footprints: ${file} exists; pass --overwrite to replace it, or --out <file> for another file`);
    writeFileSync(file, 'old');
    await writeFootprints(dir, { format: 'geojson', overwrite: true });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('writes one file whatever the name given (FlatGeobuf to a name without .fgb)', async () => {
    const file = join(out, 'tiles-flatgeobuf.data');
    await writeFootprints(dir, { format: 'flatgeobuf', out: file });
    expect(statSync(file).isFile()).toBe(true);
    const summary = ogrinfo('-al', '-so', file);
    expect(summary).toContain("using driver `FlatGeobuf' successful");
    expect(summary).toMatch(/^Feature Count: 5$/m);
  });

  it('the command parses its options, writes and says what it wrote', async () => {
    const file = join(out, 'cli.gpkg');
    const opts = footprintsCommand.parse({ format: 'gpkg', out: file, overwrite: true }, [dir]);
    expect(opts).toEqual({ dir, format: 'gpkg', out: file, overwrite: true });
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (b) => (text += b));
    expect(await footprintsCommand.run(opts, { stdout })).toBe(0);
    expect(text).toBe(`wrote ${file}: 5 tile footprints (gpkg, EPSG:4326, layer footprints)\n`);
    expect(ogrinfo('-al', '-so', file)).toMatch(/^Feature Count: 5$/m);
  });

  it('names an unknown or missing format, and a folder that is not a corpus', async () => {
    expect(() => footprintsCommand.parse({ format: 'shp' }, [dir])).toThrow('--format: "shp" is not valid; expected one of: geojson, flatgeobuf, gpkg');
    expect(() => footprintsCommand.parse({}, [dir])).toThrow('footprints: missing --format <geojson|flatgeobuf|gpkg>');
    await expect(writeFootprints(dir, { format: 'kml' as FootprintFormat })).rejects.toThrow('footprints: format "kml" is not known; expected one of: geojson, flatgeobuf, gpkg');
    const notCorpus = join(out, 'plain');
    mkdirSync(notCorpus);
    const err = await writeFootprints(notCorpus, { format: 'gpkg' }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`footprints: ${notCorpus} is not a corpus: it has no manifest.json; expected the corpus directory of a run (e.g. runs/demo/corpus)`);
    expect(existsSync(join(notCorpus, 'footprints.gpkg'))).toBe(false);
    await expect(writeFootprints(join(out, 'absent'), { format: 'gpkg' })).rejects.toThrow(`footprints: ${join(out, 'absent')} is not a directory; expected a corpus directory (with manifest.json)`);
    await expect(writeFootprints(dir, { format: 'gpkg', out: join(dir, 'manifest.json', 'x.gpkg') })).rejects.toThrow('is a file, not a directory');
    await expect(writeFootprints(dir, { format: 'gpkg', out, overwrite: true })).rejects.toThrow(`footprints: --out ${out} is a directory; expected a file path such as ${join(out, 'footprints.gpkg')}`);
  });
});
