// Scheduling of runTiles with a stand-in BandReader: order, bounded work in flight, fail-fast.
import { describe, expect, it } from 'vitest';
import { normalise } from '../../src/config/sections/tile.js';
import { planTiles, type BandSource, type TileSourceInput } from '../../src/tile/plan.js';
import { runTiles, tileAll } from '../../src/tile/run-tiles.js';
import type { BandReader } from '../../src/tile/warp.js';
import type { TargetGrid } from '../../src/tile/warp-args.js';
import type { TypedPixels } from '../../src/model/types.js';
import { TileStepError } from '../../src/tile/failure.js';
import { cell, scene } from './helpers.js';

const cfg = normalise({ bands: { s2_l2a: ['B02', 'B04'] } });
function inputs(n: number): TileSourceInput[] {
  // Ids in reverse so the output order (sorted) differs from the input order.
  return Array.from({ length: n }, (_, i) => ({
    cell: cell(`t${String(n - i).padStart(2, '0')}`, 32629, 250000 + i * 1000, 2760000, 10, 4),
    scenes: { s2_l2a: [scene(`s${i}`, { B02: `/x/${i}/B02.tif`, B04: `/x/${i}/B04.tif` })] },
  }));
}

/** Resolves reads after a random-ish delay, counting concurrent reads and distinct tiles touched. */
class FakeReader implements BandReader {
  active = 0;
  maxActive = 0;
  tilesTouched = new Set<number>();
  constructor(private fail?: (s: BandSource) => boolean) {}
  async read(source: BandSource, grid: TargetGrid): Promise<TypedPixels> {
    this.tilesTouched.add(grid.extent[0]);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((r) => setTimeout(r, (grid.extent[0] / 1000) % 3));
    this.active--;
    if (this.fail?.(source)) throw new TileStepError(source.href, 'open', 'gone');
    return new Uint16Array(grid.width * grid.height).fill(source.band === 'B02' ? 2 : 4);
  }
}

describe('runTiles scheduling', () => {
  it('emits in tile-id order, keeps at most `concurrency` reads and `concurrency + 1` tiles in flight', async () => {
    const reader = new FakeReader();
    const plan = planTiles(inputs(12), cfg);
    const ids: string[] = [];
    const it = runTiles(plan, { config: cfg, reader, concurrency: 2 });
    const first = await it.next();
    // Before the consumer asks for more, only the window of tiles has been started.
    expect(reader.tilesTouched.size).toBeLessThanOrEqual(3);
    ids.push((first.value as { tileId: string }).tileId);
    for await (const r of it) ids.push(r.tileId);
    expect(ids).toEqual(plan.tiles.map((t) => t.tileId));
    expect(ids[0]).toBe('t01');
    expect(reader.maxActive).toBeLessThanOrEqual(2);
    expect(reader.maxActive).toBe(2);
  });

  it('records a failing tile and continues; fail-fast stops with a StageError naming the tile', async () => {
    const bad = (s: BandSource) => s.href === '/x/3/B04.tif';
    const summary = await tileAll(planTiles(inputs(6), cfg), { config: cfg, reader: new FakeReader(bad), concurrency: 2 });
    expect(summary.ok).toBe(5);
    expect(summary.failures).toEqual([{ kind: 'failure', tileId: 't03', cellId: 't03', href: '/x/3/B04.tif', stage: 'open', error: 'gone' }]);
    await expect(tileAll(planTiles(inputs(6), cfg), { config: cfg, reader: new FakeReader(bad), concurrency: 2, failFast: true })).rejects.toThrow(
      'tile t03 failed at open (/x/3/B04.tif): gone; stopping (fail-fast)',
    );
  });

  it('rejects a concurrency below 1', async () => {
    const it = runTiles(planTiles(inputs(1), cfg), { config: cfg, reader: new FakeReader(), concurrency: 0 });
    await expect(it.next()).rejects.toThrow('tile concurrency 0 is not valid; expected an integer >= 1');
  });
});
