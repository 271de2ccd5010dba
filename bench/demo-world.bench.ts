// Demo-world generation: wall time and CPU time of a reduced world (one place, one scene: 6 items,
// 64 files) and, outside quick mode, of the full world (48 items, 507 files), plus size on disk and
// peak RSS. Target: full world < 60 s on the 2-core development machine.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { generateWorld } from '../src/demo/generate.js';
import type { BenchContext } from './harness.js';

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath ?? e.path, e.name))).size;
  }
  return total;
}

async function measure(ctx: BenchContext, label: string, opts: Parameters<typeof generateWorld>[1], reps: number): Promise<void> {
  const wall: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  let items = 0;
  for (let r = 0; r < reps; r++) {
    const dir = join(ctx.tmpDir, `world-${label}-${r}`);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const stamp = await generateWorld(dir, opts);
    wall.push(Math.round((performance.now() - t0) / 100) / 10);
    const c = process.cpuUsage(c0);
    cpu.push(Math.round((c.user + c.system) / 1e5) / 10);
    bytes = await folderBytes(dir);
    items = stamp.itemCount;
    await rm(dir, { recursive: true, force: true });
  }
  ctx.record({ name: `generate ${label} (${items} items)`, unit: 's wall', values: wall, note: 'target for the full world: < 60 s on 2 cores' });
  ctx.record({ name: `generate ${label} CPU (JS thread + GDAL threads)`, unit: 's CPU', values: cpu });
  ctx.record({ name: `${label} size on disk`, unit: 'MB', values: [Math.round(bytes / 1e5) / 10] });
}

export default async function (ctx: BenchContext): Promise<void> {
  await measure(ctx, 'reduced world (radolfzell, 1 scene)', { places: ['radolfzell'], maxScenesPerPlace: 1 }, ctx.quick ? 1 : 3);
  if (!ctx.quick) await measure(ctx, 'full demo world', {}, 1);
  ctx.record({ name: 'demo world generation peak RSS', unit: 'MiB', values: [Math.round(ctx.peakRssMiB())] });
}
