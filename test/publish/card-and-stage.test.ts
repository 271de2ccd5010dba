// The publish stage on a small corpus: dataset card, pictures, STAC files; and the pieces it is made
// of (PNG encoder, quicklook stretch, map clustering), each checked on what it computes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import gdal from 'gdal-async';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineFile } from '../../src/config/load.js';
import { ScenesTableWriter } from '../../src/discover/scenes-table.js';
import { logger } from '../../src/log/logger.js';
import { clusterCells } from '../../src/publish/map-svg.js';
import { publishStage } from '../../src/publish/adapter.js';
import { decodePngRgb, encodePngRgb } from '../../src/image/png.js';
import { mosaic, s1Quicklook, s2Quicklook } from '../../src/image/quicklook.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { validateCorpus } from '../../src/shard/validate.js';
import { REPO_ROOT } from '../support/fixtures.js';
import { cleanupTempDirs, tempDir, writeCorpus } from '../shard/helpers.js';

/** Pixels of a PNG as GDAL's PNG driver reads them (an independent decoder): 8-bit, three bands, interleaved. */
function readPng(buf: Buffer): { width: number; height: number; rgb: Uint8Array } {
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const name = `/vsimem/card-test-${++pngReads}.png`;
  gdal.vsimem.set(Buffer.from(buf), name);
  const ds = gdal.open(name);
  try {
    expect([ds.driver.description, ds.bands.count()]).toEqual(['PNG', 3]);
    const { x: width, y: height } = ds.rasterSize;
    const rgb = new Uint8Array(width * height * 3);
    for (let b = 0; b < 3; b++) {
      const band = ds.bands.get(b + 1);
      expect(band.dataType).toBe(gdal.GDT_Byte);
      const px = band.pixels.read(0, 0, width, height) as Uint8Array;
      for (let i = 0; i < px.length; i++) rgb[i * 3 + b] = px[i];
    }
    return { width, height, rgb };
  } finally {
    ds.close();
    gdal.vsimem.release(name);
  }
}
let pngReads = 0;

describe('pictures', () => {
  it('encodes RGB PNGs that decode to the same pixels', () => {
    const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) % 256);
    expect(readPng(encodePngRgb(5, 3, rgb))).toEqual({ width: 5, height: 3, rgb });
    expect(() => encodePngRgb(5, 3, new Uint8Array(4))).toThrow('PNG: 4 bytes for 5x3 RGB, expected 45');
  });

  it('writes stored (undeflated) PNGs that GDAL reads, over several deflate blocks', () => {
    // 200 x 120 RGB: 72,120 bytes of scanlines, more than one stored block (65,535 bytes at most)
    const rgb = Uint8Array.from({ length: 200 * 120 * 3 }, (_, i) => (i * 7 + (i >> 9)) % 256);
    const stored = encodePngRgb(200, 120, rgb, { deflate: false });
    expect(stored.length).toBeGreaterThan(72_120);
    expect(readPng(stored)).toEqual({ width: 200, height: 120, rgb });
    expect(decodePngRgb(stored)).toEqual({ width: 200, height: 120, rgb });
    expect(encodePngRgb(200, 120, rgb).length).toBeLessThan(stored.length);
  });

  it('refuses a row filter PNG does not define, naming the row', () => {
    // a stored 2 x 2 PNG: signature 8 + IHDR 25 + IDAT length/type 8 + zlib header 2 + block header 5,
    // then row 0's filter byte; the zlib checksum (Adler-32 of the rows) is patched to match
    const png = Buffer.from(encodePngRgb(2, 2, new Uint8Array(12).fill(7), { deflate: false }));
    const rows = png.subarray(48, 48 + 14);
    rows[0] = 5;
    let a = 1, b = 0;
    for (const v of rows) b = (b + (a = (a + v) % 65521)) % 65521;
    png.writeUInt32BE(((b << 16) | a) >>> 0, 48 + 14);
    expect(() => decodePngRgb(png)).toThrow('PNG: row 0 uses filter 5; filters are 0-4');
  });

  it('decodes the PNGs other software writes (libpng through GDAL, with its adaptive row filters)', () => {
    const [w, h] = [48, 40];
    const mem = gdal.open('mem', 'w', 'MEM', w, h, 3, gdal.GDT_Byte);
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let b = 0; b < 3; b++) {
      // flat rows, ramps and noise, so libpng's adaptive filtering picks different filters per row
      const v = y % 4 === 0 ? 40 * b : y % 4 === 1 ? x * 5 + b * y : y % 4 === 2 ? (x * y * 37 + b * 101) % 251 : (x + y) * 3 + b;
      rgb[(y * w + x) * 3 + b] = v & 0xff;
    }
    for (let b = 0; b < 3; b++) mem.bands.get(b + 1).pixels.write(0, 0, w, h, Uint8Array.from({ length: w * h }, (_, i) => rgb[i * 3 + b]));
    const name = '/vsimem/libpng-written.png';
    gdal.drivers.get('PNG').createCopy(name, mem).close();
    mem.close();
    const png = gdal.vsimem.release(name);
    expect(decodePngRgb(png)).toEqual({ width: w, height: h, rgb });
    // the filters libpng chose (Sub, Up and Paeth with libpng 1.6): the test needs more than None and Sub
    const idat = png.subarray(png.indexOf('IDAT') + 4, png.indexOf('IEND') - 8);
    const raw = inflateSync(idat);
    const filters = new Set(Array.from({ length: h }, (_, y) => raw[y * (w * 3 + 1)]));
    expect([...filters].filter((f) => f >= 2).length).toBeGreaterThan(0);
  });

  it('stretches S2 true colour between the 2nd and 98th percentiles, nodata black', () => {
    const t = syntheticTile(0, { size: 16 }).modalities.s2_l2a!;
    const img = s2Quicklook(t, 8)!;
    expect([img.width, img.height, img.rgb.length]).toEqual([8, 8, 192]);
    const red = Array.from({ length: 64 }, (_, i) => img.rgb[i * 3]);
    expect(Math.min(...red)).toBe(0);
    expect(Math.max(...red)).toBe(255);
    expect(red.filter((v) => v > 0 && v < 255).length).toBeGreaterThan(40); // a stretch, not a threshold
    const noBands = { ...t, bands: t.bands.map((b) => (b === 'B03' ? 'X' : b)) };
    expect(s2Quicklook(noBands, 8)).toBeUndefined();
  });

  it('colours S1 as VV, VH, VV/VH in dB', () => {
    const t = syntheticTile(2, { size: 16 }).modalities.s1!; // VV's first row is NaN
    const img = s1Quicklook(t, 16, true)!;
    const first = Array.from({ length: 16 }, (_, x) => [img.rgb[x * 3], img.rgb[x * 3 + 1], img.rgb[x * 3 + 2]]);
    expect(first.every(([r, , b]) => r === 0 && b === 0)).toBe(true); // no VV there: red (VV) and blue (VV/VH) are empty
    expect(first.some(([, g]) => g > 0)).toBe(true); // VH is there
    expect(Array.from(img.rgb.subarray(48)).filter((v, i) => i % 3 === 0 && v > 0).length).toBeGreaterThan(100);
  });

  it('lays images out in a grid with white gaps', () => {
    const a = { width: 2, height: 2, rgb: new Uint8Array(12) };
    const m = mosaic([a, a, a], 2, 1);
    expect([m.width, m.height]).toEqual([7, 7]);
    expect(m.rgb[0]).toBe(255);
    expect(m.rgb[(1 * 7 + 1) * 3]).toBe(0);
  });

  it('puts far-apart cells on separate map panels', () => {
    const sq = (x: number, y: number) => ({ ring: [[x, y], [x + 0.03, y], [x + 0.03, y + 0.03], [x, y + 0.03], [x, y]] as [number, number][], sampled: true });
    const groups = clusterCells([sq(9, 47), sq(39.9, -7.8), sq(9.03, 47), sq(18.5, 68.3), sq(39.93, -7.8)]);
    expect(groups.map((g) => g.length)).toEqual([2, 1, 2]);
  });
});

describe('publish stage', () => {
  let runDir: string;
  beforeAll(async () => {
    runDir = tempDir('publish');
    const tiles = Array.from({ length: 6 }, (_, i) => syntheticTile(i, { size: 16 }));
    await writeCorpus(join(runDir, 'corpus'), tiles);
    // the scenes table: the tiles' cells plus two the corpus lacks
    const w = new ScenesTableWriter(join(runDir, 'scenes.parquet'));
    w.append(Array.from({ length: 8 }, (_, i) => ({
      cell: { id: i < 6 ? tiles[i].cellId : `9${i}U_1R`, row: 0, col: 0, lon: 9, lat: 45, epsg: 32632, extent: [500000 + i * 160, 5000000, 500160 + i * 160, 5000160] as [number, number, number, number], resolution: 10, sizePx: 16 },
      scenes: {}, coverage: {}, missing: [], s1GapDays: null, complete: true,
    })));
    w.finish();
    const config = loadPipelineFile(join(REPO_ROOT, 'pipelines/demo.yaml'), { outDir: runDir });
    const outcome = await publishStage.run({ config, runDir, log: logger(), failFast: false });
    expect(outcome.status).toBe('ok');
  });
  afterAll(() => cleanupTempDirs());

  it('writes the card with figures, licences, the pipeline file and how to read a row', () => {
    const card = readFileSync(join(runDir, 'corpus', 'README.md'), 'utf8');
    expect(card).toMatch(/^# demo: a TerraFM pretraining corpus\n\n6 co-registered tiles of 256 × 256 pixels/);
    expect(card).toContain('| grid cells tiled / discovered | 6 / 8 |');
    expect(card).toContain('| acquisitions (UTC) | 2021-06-01T10:20:31Z .. 2021-06-07T05:40:00Z |');
    expect(card).toContain('Contains modified Copernicus Sentinel data 2021');
    expect(card).toContain('[CC-BY 4.0](https://creativecommons.org/licenses/by/4.0/)');
    expect(card).toContain(readFileSync(join(REPO_ROOT, 'pipelines/demo.yaml'), 'utf8').trimEnd());
    expect(card).toContain('No land-cover-aware sampling'); // no sample/report.json in this run
    expect(card).toMatch(/\| B04 \| \d+\.\d\d \| \d+\.\d\d \| \d+\.00 \| \d+\.00 \| \d+ \|/);
    for (const f of ['map.png', 'class-shares.png', 'quicklooks.png', 'SHARDS.md']) expect(card).toContain(`(${f})`);
    expect(card).not.toContain(runDir);
  });

  it('writes the pictures as PNG, a copy of SHARDS.md, and STAC files that leave the corpus valid', async () => {
    const ql = readPng(readFileSync(join(runDir, 'corpus', 'quicklooks.png')));
    expect([ql.width, ql.height]).toEqual([8 * 96 + 9 * 2, 2 * 96 + 3 * 2]); // 6 tiles x (S2, S1) in rows of 8
    for (const f of ['map.png', 'class-shares.png']) expect(readFileSync(join(runDir, 'corpus', f)).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(join(runDir, 'corpus', 'map.svg'), 'utf8')).toContain('demo: 6 of 8 discovered cells in the corpus');
    expect(readFileSync(join(runDir, 'corpus', 'SHARDS.md'), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'schemas/SHARDS.md'), 'utf8'));
    expect(existsSync(join(runDir, 'corpus', 'collection.json'))).toBe(true);
    expect((await validateCorpus(join(runDir, 'corpus'))).problems).toEqual([]); // items.parquet is not taken for a stray shard
  });
});
