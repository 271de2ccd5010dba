import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseTrain, TRAIN_DEFAULTS, type RawTrain } from '../../src/config/sections/train.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { CHECKPOINT_FILE, trainWith, type CheckpointMeta } from '../../src/train/loop.js';
import { memoryTileSource } from '../../src/train/tiles.js';
import { synthStats, synthTiles, tinyTestTrain } from './synthetic.js';

// The KoLeo term enters the training loss as koleo_weight * KoLeo(student global CLS): the first
// step (lr 0 in warm-up, so identical weights and batches) must differ from the plain DINO loss by
// an amount linear in the weight.
const RAW: RawTrain = tinyTestTrain({ steps: 2, seed: 5 });
const tiles = synthTiles({ count: 4, size: 24, seed: 2 });
const stats = synthStats(tiles);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'terrafm-koleo-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function firstLoss(koleo: number): Promise<number> {
  const dir = path.join(tmp, `k${koleo}`);
  await trainWith(memoryTileSource(tiles, stats), normaliseTrain({ ...RAW, koleo_weight: koleo }), { outDir: dir });
  return readCheckpoint<CheckpointMeta>(path.join(dir, CHECKPOINT_FILE)).meta.history[0].loss;
}

describe('KoLeo in the training loss', () => {
  it('is off by default and adds koleo_weight * KoLeo to the first step loss', async () => {
    expect(TRAIN_DEFAULTS.koleoWeight).toBe(0);
    expect(normaliseTrain({ koleo_weight: 0.25 }).koleoWeight).toBe(0.25);
    const l0 = await firstLoss(0);
    const l1 = await firstLoss(0.1);
    const l5 = await firstLoss(0.5);
    expect(Math.abs(l1 - l0)).toBeGreaterThan(1e-4);
    expect((l5 - l0) / (l1 - l0)).toBeCloseTo(5, 3);
  });
});
