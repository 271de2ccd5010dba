// Tile stage throughput and memory against the gdalwarp command line, in the same run.
// Ours: planTiles + runTiles (gdal.warpAsync into MEM, typed arrays out) for 12 L2A bands + SCL per
// tile. Peer: a loop of `gdalwarp` calls producing the same 13 rasters per tile (same grid, same -r,
// same nodata) as GeoTIFFs in a scratch directory, run 1 or 2 processes at a time.
// Source: the real Sentinel-2 29RKH rasters (6 of the 12 bands exist; real files on the same grid
// stand in for the others, so every tile reads 12 band files + SCL like a real L2A tile).
// Run alone: npx tsx bench/run.ts tile   (BENCH_QUICK=1 for reduced sizes)
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { normalise, S2_L2A_BANDS } from '../src/config/sections/tile.js';
import { planTiles, type TileSourceInput } from '../src/tile/plan.js';
import { runTiles } from '../src/tile/run-tiles.js';
import type { GridCell, SceneItem } from '../src/model/types.js';
import type { BenchContext } from './harness.js';
import { realFixture } from '../test/support/fixtures.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const S2 = realFixture('raster/s2_l2a_29RKH_20200219');
const FILE: Record<string, string> = { B01: 'B01', B02: 'B02', B03: 'B03', B04: 'B04', B05: 'B04', B06: 'B04', B07: 'B08', B08: 'B08', B8A: 'B08', B09: 'B01', B11: 'B11', B12: 'B11' };

const item: SceneItem = {
  id: 'S2A_29RKH_20200219_0_L2A',
  collection: 'sentinel-2-l2a',
  sceneKey: 'S2A_29RKH_20200219',
  datetime: '2020-02-19T11:34:25Z',
  bbox: [-12, 24, -10.8, 25.3],
  geometry: null,
  epsg: 32629,
  processingBaseline: '02.14',
  assets: Object.fromEntries([...S2_L2A_BANDS.map((b) => [b, { href: path.join(S2, `${FILE[b]}.tif`) }]), ['SCL', { href: path.join(S2, 'SCL.tif') }]]),
};

/** `n` distinct 10 m cells of `size` px inside the 29RKH footprint, on a lattice. */
function cells(n: number, size: number): TileSourceInput[] {
  const side = size * 10;
  const perRow = Math.floor(100_000 / side);
  const out: TileSourceInput[] = [];
  for (let i = 0; i < n; i++) {
    const minx = 205_000 + (i % perRow) * side;
    const maxy = 2_795_000 - Math.floor(i / perRow) * side;
    const cell: GridCell = { id: `c${String(i).padStart(3, '0')}`, row: 0, col: i, lon: 0, lat: 0, epsg: 32629, extent: [minx, maxy - side, minx + side, maxy], resolution: 10, sizePx: size };
    out.push({ cell, scenes: { s2_l2a: [item] } });
  }
  return out;
}

/** CPU seconds used by this process (user + system, all threads: GDAL's included). */
function selfCpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds of finished child processes (Linux /proc: cutime + cstime, in clock ticks of 1/100 s). */
function childrenCpuS(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: field 3 is index 0, so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Samples RSS while `fn` runs; returns the peak in MiB. */
async function peakRssDuring(fn: () => Promise<void>): Promise<number> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage.rss()) / 2 ** 20;
}

async function ours(inputs: TileSourceInput[], concurrency: number, onTile?: (i: number) => void): Promise<void> {
  const cfg = normalise({ concurrency, harmonize_offset: false });
  let i = 0;
  for await (const r of runTiles(planTiles(inputs, cfg), { config: cfg })) {
    if ('stage' in r) throw new Error(`bench tile failed: ${JSON.stringify(r)}`);
    onTile?.(++i);
  }
}

/** The same 13 warps per tile with the gdalwarp command line, `concurrency` processes at a time. */
async function peer(inputs: TileSourceInput[], concurrency: number, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const limit = pLimit(concurrency);
  const jobs: Promise<unknown>[] = [];
  for (const { cell } of inputs) {
    const [minx, miny, maxx, maxy] = cell.extent;
    const base = ['-q', '-overwrite', '-t_srs', 'EPSG:32629', '-te', `${minx}`, `${miny}`, `${maxx}`, `${maxy}`, '-tr', '10', '10'];
    for (const b of S2_L2A_BANDS) {
      jobs.push(limit(() => run('gdalwarp', [...base, '-r', 'bilinear', '-srcnodata', '0', '-dstnodata', '0', path.join(S2, `${FILE[b]}.tif`), path.join(dir, `${cell.id}_${b}.tif`)])));
    }
    jobs.push(limit(() => run('gdalwarp', [...base, '-r', 'nearest', '-srcnodata', '0', '-dstnodata', '0', path.join(S2, 'SCL.tif'), path.join(dir, `${cell.id}_SCL.tif`)])));
  }
  await Promise.all(jobs);
  rmSync(dir, { recursive: true, force: true });
}

export default async function tileBench(ctx: BenchContext): Promise<void> {
  // Sized so the default run stays under 2 minutes on 2 shared cores (the gdalwarp loop dominates).
  const sizes = ctx.quick ? [{ px: 256, tiles: 4 }, { px: 1068, tiles: 2 }] : [{ px: 256, tiles: 6 }, { px: 1068, tiles: 3 }];
  const reps = ctx.quick ? 1 : 2;
  for (const { px, tiles } of sizes) {
    const inputs = cells(tiles, px);
    for (const concurrency of [1, 2]) {
      await ours(inputs.slice(0, 1), concurrency); // warm-up: GDAL driver and file opens
      const oursRate: number[] = [];
      const oursRss: number[] = [];
      const oursCpu: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        const c0 = selfCpuS();
        oursRss.push(await peakRssDuring(() => ours(inputs, concurrency)));
        oursRate.push(tiles / ((performance.now() - t0) / 1000));
        oursCpu.push(((selfCpuS() - c0) * 1000) / tiles);
      }
      const peerRate: number[] = [];
      const peerCpu: number[] = [];
      for (let r = 0; r < 1; r++) {
        const t0 = performance.now();
        const c0 = childrenCpuS();
        await peer(inputs, concurrency, path.join(ctx.tmpDir, `peer_${px}_${concurrency}_${r}`));
        peerRate.push(tiles / ((performance.now() - t0) / 1000));
        peerCpu.push(((childrenCpuS() - c0) * 1000) / tiles);
      }
      const what = `${tiles} tiles of ${px}x${px} px at 10 m, 12 L2A bands + SCL each (13 warps/tile), real 29RKH COGs`;
      ctx.record({ name: `tile ${px} px, concurrency ${concurrency}: terrafm (gdal-async)`, unit: 'tiles/s', values: oursRate, note: what });
      ctx.record({ name: `tile ${px} px, concurrency ${concurrency}: gdalwarp CLI loop`, unit: 'tiles/s', values: peerRate, note: `${what}; ${concurrency} gdalwarp process(es) at a time, GeoTIFF outputs` });
      if (concurrency === 1) {
        // CPU time per tile does not depend on how busy the machine is: the fairest cost comparison.
        ctx.record({ name: `tile ${px} px: terrafm CPU per tile`, unit: 'ms', values: oursCpu, note: 'user+system CPU of this process per tile' });
        ctx.record({ name: `tile ${px} px: gdalwarp CLI loop CPU per tile`, unit: 'ms', values: peerCpu, note: 'user+system CPU of the gdalwarp processes per tile' });
      }
      ctx.record({ name: `tile ${px} px, concurrency ${concurrency}: terrafm peak RSS during run`, unit: 'MiB', values: oursRss, note: 'process RSS sampled every 10 ms (includes GDAL block cache, 256 MB cap)' });
    }
  }
  // Bounded memory: peak RSS over the first third of a longer run vs over its last third (sampled
  // every 10 ms). Tile records are dropped as they arrive, as a shard writer would after writing.
  const n = ctx.quick ? 6 : 9;
  const third = n / 3;
  const peaks = [0, 0, 0];
  let done = 0;
  const timer = setInterval(() => {
    const w = Math.min(2, Math.floor(done / third));
    peaks[w] = Math.max(peaks[w], process.memoryUsage.rss() / 2 ** 20);
  }, 10);
  try {
    await ours(cells(n, 1068), 2, (i) => (done = i));
  } finally {
    clearInterval(timer);
  }
  const note = 'process RSS sampled every 10 ms; must not grow with the tile count';
  ctx.record({ name: `tile 1068 px, concurrency 2: peak RSS during tiles 1-${third}`, unit: 'MiB', values: [peaks[0]], note });
  ctx.record({ name: `tile 1068 px, concurrency 2: peak RSS during tiles ${2 * third + 1}-${n}`, unit: 'MiB', values: [peaks[2]], note });
}
