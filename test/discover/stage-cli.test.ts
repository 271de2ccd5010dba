// End to end through `terrafm discover`: pipeline YAML -> config loader -> the real static STAC
// source over a REAL Planetary Computer item collection (9 S2 L2A tiles of one datatake, read in
// place from data/fixtures/real) -> scenes.parquet + discover-summary.json.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { discoverCommand } from '../../src/cli/commands/discover.js';
import { readScenesTable } from '../../src/discover/scenes-table.js';
import { realFixture } from '../support/fixtures.js';

const ITEMS = realFixture('stac/items/pc_sentinel-2-l2a_itemcollection_site1_35MNM_9items.geojson');

describe('terrafm discover', () => {
  it('runs a pipeline over a static item collection and writes the scenes table and summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'discover-cli-'));
    const yaml = join(dir, 'p.yaml');
    writeFileSync(
      yaml,
      [
        'version: 1',
        'name: cli-test',
        'area: {bbox: [27.2, -10.2, 27.5, -9.9]}',
        'time: {start: 2020-06-01, end: 2020-06-30}',
        'grid: {cell_size_km: 10, tile_size_px: 1068, resolution_m: 10}',
        'sources:',
        `  s2_l2a: {provider: static, catalog: ${JSON.stringify(ITEMS)}, collection: sentinel-2-l2a, cloud_max: 50}`,
        'discover: {cache: false, batch_cells: 16}',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'run');
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (c: Buffer) => (text += c.toString()));
    const code = await discoverCommand.run(discoverCommand.parse({ out }, [yaml]), { stdout });
    expect(code).toBe(0);
    const printed = JSON.parse(text);
    expect(printed.scenesTable).toBe(join(out, 'scenes.parquet'));
    expect(existsSync(join(out, 'discover-summary.json'))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'discover-summary.json'), 'utf8'));
    expect(summary.cellsEnumerated).toBeGreaterThan(10);
    expect(summary.cellsComplete).toBe(summary.cellsEnumerated);
    expect(summary.searches).toBe(summary.queryGroups);
    const cells = await readScenesTable(join(out, 'scenes.parquet'));
    expect(cells).toHaveLength(summary.cellsKept);
    // lat -10.2..-9.9 lies in tiles 35LNK (-10.04..-9.04) and 35LNJ (-10.94..-9.95): both of the one datatake.
    const tiles = new Set(cells.flatMap((c) => c.scenes.s2_l2a!.map((s) => s.id.split('_')[4])));
    expect([...tiles].every((t) => t === 'T35LNK' || t === 'T35LNJ')).toBe(true);
  });
});
