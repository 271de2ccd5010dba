// The sampling report's quicklooks of the drawn cells: which tiles are shown per dominant class, that the
// picture carries the shards' own PNG bytes, and that the publish stage writes it beside the report.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import gdal from 'gdal-async';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineFile } from '../../src/config/load.js';
import { logger } from '../../src/log/logger.js';
import { decodePngRgb } from '../../src/image/png.js';
import type { TileRecord } from '../../src/model/types.js';
import { DrawnTileSelection, drawnQuicklooksSvg, writeDrawnQuicklooks, type StoredQuicklooks } from '../../src/publish/drawn-quicklooks.js';
import { publishStage } from '../../src/publish/adapter.js';
import { writeColumns } from '../../src/sample/parquet-columns.js';
import { openShard, readQuicklooks, readTileMetadata, type TileMetadata } from '../../src/shard/reader.js';
import { classHistogram } from '../../src/landcover/worldcover.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { REPO_ROOT } from '../support/fixtures.js';
import { cleanupTempDirs, tempDir, writeCorpus } from '../shard/helpers.js';

/** Tile i with all its land cover in one WorldCover class (0: all nodata). */
function tileOfClass(i: number, code: number, omit: ('s1' | 's2_l2a' | 's2_l1c')[] = []): TileRecord {
  const t = syntheticTile(i, { size: 16, omit });
  t.landcover = new Uint8Array(256).fill(code);
  t.classHistogram = classHistogram(t.landcover);
  return t;
}

// dominant classes: 40 40 10 40 40 (not drawn) 0 40
const CLASSES = [40, 40, 10, 40, 40, 0, 40];
const tiles = CLASSES.map((c, i) => tileOfClass(i, c, i === 2 ? ['s1'] : []));
const DRAWN = new Set(tiles.filter((_, i) => i !== 4).map((t) => t.cellId));

async function metadata(dir: string): Promise<TileMetadata[]> {
  const out: TileMetadata[] = [];
  for (const f of ['shard-00000.parquet', 'shard-00001.parquet']) {
    const s = await openShard(join(dir, f));
    for await (const t of readTileMetadata(s)) out.push(t);
    await s.close();
  }
  return out;
}

let dir: string;
beforeAll(async () => {
  dir = tempDir('drawn');
  await writeCorpus(dir, tiles, { max_rows: 4 });
});
afterAll(() => cleanupTempDirs());

describe('quicklooks of the drawn cells', () => {
  it('keeps the first tiles of drawn cells per dominant class, nodata-only tiles last', async () => {
    const sel = new DrawnTileSelection(DRAWN, 2);
    for (const t of await metadata(dir)) sel.add(t);
    expect(sel.classRows()).toEqual([
      { code: 10, name: 'tree cover', tiles: 1, shown: ['T000002'] },
      { code: 40, name: 'cropland', tiles: 4, shown: ['T000000', 'T000001'] }, // T000004's cell was not drawn
      { code: 0, name: 'nodata', tiles: 1, shown: ['T000005'] },
    ]);
    expect([...sel.shownByShard()].map(([f, s]) => [f, [...s]])).toEqual([['shard-00000.parquet', ['T000000', 'T000001', 'T000002']], ['shard-00001.parquet', ['T000005']]]);
  });

  it('draws the stored PNGs as they are, grey where a modality is absent', () => {
    const png = (n: number) => Uint8Array.from([n, n + 1, n + 2]);
    const images = new Map<string, StoredQuicklooks>([['A', { s2: png(1), s1: png(7) }], ['B', { s2: png(4), s1: null }]]);
    const svg = drawnQuicklooksSvg([{ code: 30, name: 'grassland', tiles: 5, shown: ['A', 'B'] }], images, 32);
    expect(svg).toContain(`href="data:image/png;base64,${Buffer.from(png(1)).toString('base64')}"`);
    expect(svg).toContain(`href="data:image/png;base64,${Buffer.from(png(7)).toString('base64')}"`);
    expect(svg).toContain(`href="data:image/png;base64,${Buffer.from(png(4)).toString('base64')}"`);
    expect(svg.match(/<image /g)).toHaveLength(3);
    expect(svg.match(/<rect x=[^>]*fill="#dddddd"/g)).toHaveLength(1); // B has no S1
    expect(svg).toContain('>30 grassland</text>');
    expect(svg).toContain('>5 tiles drawn</text>');
    // label column, then two pairs of 32 px images (4 px between the pair, 12 px after it)
    expect(svg).toMatch(/^<svg [^>]*width="350" height="88"/);
  });

  it('writes the picture and its index from the shards\' quicklook columns', async () => {
    const sel = new DrawnTileSelection(DRAWN, 2);
    for (const t of await metadata(dir)) sel.add(t);
    const out = join(dir, 'sample');
    mkdirSync(out);
    const r = await writeDrawnQuicklooks(dir, sel, out);
    expect(r?.png).toBe(join(out, 'quicklooks.png'));
    const index = JSON.parse(readFileSync(join(out, 'quicklooks.json'), 'utf8'));
    expect(index.classes).toEqual([
      { code: 10, name: 'tree cover', tiles_drawn: 1, shown: [{ tile_id: 'T000002', s2: true, s1: false }] },
      { code: 40, name: 'cropland', tiles_drawn: 4, shown: [{ tile_id: 'T000000', s2: true, s1: true }, { tile_id: 'T000001', s2: true, s1: true }] },
      { code: 0, name: 'nodata', tiles_drawn: 1, shown: [{ tile_id: 'T000005', s2: true, s1: true }] },
    ]);
    // the picture: the SVG of the stored PNGs (64 px quicklooks by default) rendered at 1.5x
    const stored = new Map<string, StoredQuicklooks>();
    for (const f of ['shard-00000.parquet', 'shard-00001.parquet']) {
      const s = await openShard(join(dir, f));
      for await (const q of readQuicklooks(s)) stored.set(q.tileId, { s2: q.s2, s1: q.s1 });
      await s.close();
    }
    const svg = drawnQuicklooksSvg(r!.rows, stored, 64);
    const [w, h] = svg.match(/width="(\d+)" height="(\d+)"/)!.slice(1).map(Number);
    expect(svg).toContain(Buffer.from(stored.get('T000001')!.s1!).toString('base64'));
    // resvg writes RGBA: read it with GDAL's PNG driver
    const pic = gdal.open(r!.png);
    expect([pic.rasterSize.x, pic.rasterSize.y]).toEqual([w * 1.5, h * 1.5]);
    // the S2 quicklook of T000002 (first row, first image) is drawn where the layout puts it
    const q = decodePngRgb(stored.get('T000002')!.s2!);
    const [x, y] = [Math.round((190 + 32.5) * 1.5), Math.round((44 + 4 + 32.5) * 1.5)];
    const drawn = [1, 2, 3].map((b) => pic.bands.get(b).pixels.get(x, y));
    pic.close();
    const want = [0, 1, 2].map((c) => q.rgb[(32 * q.width + 32) * 3 + c]);
    drawn.forEach((v, c) => expect(Math.abs(v - want[c])).toBeLessThanOrEqual(12)); // resampled at 1.5x; white (not drawn) would be far off
  });

  it('writes nothing when the shards carry no quicklooks', async () => {
    const plain = tempDir('drawn-plain');
    await writeCorpus(plain, tiles.slice(0, 2), { quicklooks: false });
    const sel = new DrawnTileSelection(DRAWN);
    for (const s of ['shard-00000.parquet']) {
      const f = await openShard(join(plain, s));
      for await (const t of readTileMetadata(f)) sel.add(t);
      await f.close();
    }
    expect(await writeDrawnQuicklooks(plain, sel, plain)).toBeUndefined();
    expect(existsSync(join(plain, 'quicklooks.png'))).toBe(false);
  });

  it('the publish stage writes them beside the sampling report and the card points to them', async () => {
    const runDir = tempDir('drawn-run');
    await writeCorpus(join(runDir, 'corpus'), tiles);
    mkdirSync(join(runDir, 'sample'));
    const drawn = [...DRAWN];
    writeColumns(join(runDir, 'sample', 'sample.parquet'), [{ name: 'cell_id', type: 'STRING', data: drawn }, { name: 'sample_weight', type: 'DOUBLE', data: drawn.map(() => 1) }]);
    const config = loadPipelineFile(join(REPO_ROOT, 'pipelines/demo.yaml'), { outDir: runDir });
    const outcome = await publishStage.run({ config, runDir, log: logger(), failFast: false });
    expect(outcome.status).toBe('ok');
    expect((outcome.summary as { pictures: string[] }).pictures).toContain(join('sample', 'quicklooks.png'));
    const index = JSON.parse(readFileSync(join(runDir, 'sample', 'quicklooks.json'), 'utf8'));
    expect(index.classes.map((c: { code: number; tiles_drawn: number }) => [c.code, c.tiles_drawn])).toEqual([[10, 1], [40, 4], [0, 1]]);
    expect(readFileSync(join(runDir, 'corpus', 'README.md'), 'utf8')).toContain('a row per dominant WorldCover class, are in `../sample/quicklooks.png` (run directory');
  });
});
