// The held-out split: training never sees a held-out tile, by the same hash `eval` scores on, and the
// run records it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseTrain } from '../../src/config/sections/train.js';
import { deriveSeed } from '../../src/train/rng.js';
import { BatchLoader } from '../../src/train/loader.js';
import { trainWith } from '../../src/train/loop.js';
import { DEFAULT_SPLIT, isHeldOut, withoutHeldOut } from '../../src/train/split.js';
import { memoryTileSource } from '../../src/train/tiles.js';
import { synthStats, synthTiles, tinyTestTrain } from './synthetic.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'terrafm-split-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const tiles = synthTiles({ count: 24, size: 16, seed: 5 });
const stats = synthStats(tiles);
const held = tiles.filter((t) => isHeldOut(t.tileId));

describe('held-out split', () => {
  it('is the tile-id hash eval uses: deriveSeed(seed, "heldout", id) % 100 < percent', () => {
    expect(DEFAULT_SPLIT).toEqual({ percent: 30, seed: 0 });
    for (const t of tiles) expect(isHeldOut(t.tileId)).toBe(deriveSeed(0, 'heldout', t.tileId) % 100 < 30);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(tiles.length);
    // another seed gives another split
    expect(tiles.map((t) => isHeldOut(t.tileId, { percent: 30, seed: 1 }))).not.toEqual(tiles.map((t) => isHeldOut(t.tileId)));
  });

  it('withoutHeldOut streams only the other tiles, from any position', async () => {
    const s = await withoutHeldOut(memoryTileSource(tiles, stats), DEFAULT_SPLIT);
    const kept = tiles.filter((t) => !isHeldOut(t.tileId)).map((t) => t.tileId);
    expect(s.trainTiles).toBe(kept.length);
    expect(s.heldOutTiles).toBe(held.length);
    expect(await s.source.tileIds()).toEqual(kept);
    const read = async (from: number) => {
      const out: string[] = [];
      for await (const t of s.source.read(from)) out.push(t.tileId);
      return out;
    };
    expect(await read(0)).toEqual(kept);
    expect(await read(3)).toEqual(kept.slice(3));
    expect(await read(kept.length)).toEqual([]);
  });

  it('the batch loader over the training split never draws a held-out tile, over several epochs', async () => {
    const cfg = normaliseTrain(tinyTestTrain({ batch_size: 4 }));
    const s = await withoutHeldOut(memoryTileSource(tiles, stats), cfg.heldOut);
    const loader = new BatchLoader(s.source, cfg, 8, stats, 0);
    const seen = new Set<string>();
    for (let i = 0; i < 15; i++) for (const id of (await loader.next()).tileIds) seen.add(id);
    await loader.close();
    expect([...seen].filter((id) => isHeldOut(id))).toEqual([]);
    expect(seen.size).toBe(tiles.length - held.length); // every training tile was drawn
  });

  it('trainWith excludes the split by default, records it in train.json, and refuses a corpus that is all held out', async () => {
    const out = path.join(tmp, 'run');
    const r = await trainWith(memoryTileSource(tiles, stats), normaliseTrain(tinyTestTrain({ steps: 1 })), { outDir: out });
    const record = { percent: 30, seed: 0, excluded: true, trainTiles: tiles.length - held.length, heldOutTiles: held.length };
    expect(r.split).toEqual(record);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'train.json'), 'utf8')).split).toEqual(record);
    const all = await trainWith(memoryTileSource(tiles, stats), normaliseTrain(tinyTestTrain({ steps: 1, held_out: { exclude: false } })), { outDir: path.join(tmp, 'all') });
    expect(all.split).toEqual({ ...record, excluded: false, trainTiles: tiles.length });
    await expect(trainWith(memoryTileSource(held, stats), normaliseTrain(tinyTestTrain({ steps: 1 })), { outDir: path.join(tmp, 'none') })).rejects.toThrow(
      `all ${held.length} tiles are in the held-out split (30 %, seed 0); nothing is left to train on`,
    );
  });

  it('a resume with another split is refused (the data position counts training tiles)', async () => {
    const out = path.join(tmp, 'resume');
    await trainWith(memoryTileSource(tiles, stats), normaliseTrain(tinyTestTrain({ steps: 2 })), { outDir: out, stopAfter: 1 });
    await expect(
      trainWith(memoryTileSource(tiles, stats), normaliseTrain(tinyTestTrain({ steps: 2, held_out: { percent: 40 } })), { outDir: out, resume: true }),
    ).rejects.toThrow('cannot resume, held-out split 30 % seed 0 excluded in the checkpoint, 40 % seed 0 excluded now');
  });
});
