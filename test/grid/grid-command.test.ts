import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { gridCommand } from '../../src/cli/commands/grid.js';

async function run(values: Record<string, string | boolean | string[]>): Promise<string> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await gridCommand.run(gridCommand.parse(values, []), { stdout });
  expect(code).toBe(0);
  return Buffer.concat(chunks).toString('utf8');
}

describe('terrafm grid', () => {
  it('prints CSV cells of a bbox', async () => {
    const text = await run({ bbox: ['0,0,0.2,0.1'] });
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('id,row,col,lon,lat,epsg,minx,miny,maxx,maxy,resolution_m,size_px');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['0U_0R', '0U_1R', '0U_2R', '1U_0R', '1U_1R', '1U_2R']);
    const first = lines[1].split(',');
    expect(first[5]).toBe('32631');
    expect(Number(first[8]) - Number(first[6])).toBe(10680);
  });

  it('writes GeoJSON with the nominal cell polygon and the UTM target in properties', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'grid-')), 'cells.geojson');
    await run({ bbox: ['-111.7,40.55,-111.65,40.6'], format: 'geojson', out });
    const fc = JSON.parse(readFileSync(out, 'utf8'));
    expect(fc.type).toBe('FeatureCollection');
    const f = fc.features.find((x: { id: string }) => x.id === '451U_946L');
    expect(f.properties.epsg).toBe(32612);
    expect(f.properties.extent).toEqual([434560, 4484140, 445240, 4494820]);
    expect(f.geometry.coordinates[0][0][0]).toBeCloseTo(-111.768953, 6);
  });

  it('counts the global grid and honours --limit', async () => {
    expect(await run({ global: true, count: true })).toBe('5094350\n');
    const json = JSON.parse(await run({ global: true, limit: '3', format: 'json' }));
    expect(json).toHaveLength(3);
    expect(json[0].lat).toBeGreaterThanOrEqual(-85);
  });

  it('rejects missing or conflicting areas and bad bboxes', () => {
    expect(() => gridCommand.parse({}, [])).toThrow(/give either --bbox \(one or more\) or --global/);
    expect(() => gridCommand.parse({ global: true, bbox: ['1,2,3,4'] }, [])).toThrow(/either --bbox/);
    expect(() => gridCommand.parse({ bbox: ['1,2,3'] }, [])).toThrow(/--bbox: "1,2,3" is not valid; expected west,south,east,north/);
    expect(() => gridCommand.parse({ bbox: ['1,2,3,4'], format: 'kml' }, [])).toThrow(/--format: "kml" is not valid; expected one of: csv, geojson, json/);
  });
});
