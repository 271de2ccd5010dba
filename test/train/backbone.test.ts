import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseTrain, type RawTrain } from '../../src/config/sections/train.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { CHECKPOINT_FILE, trainWith, type CheckpointMeta } from '../../src/train/loop.js';
import { initParamValues } from '../../src/train/params.js';
import { memoryTileSource } from '../../src/train/tiles.js';
import { trainSpecs } from '../../src/train/trainer.js';
import { synthStats, synthTiles, tinyTestTrain } from './synthetic.js';

// backbone.freeze_steps: during those steps only the projection head moves; the student encoder
// keeps its initial values exactly (the teacher follows the student, so it keeps them up to rounding).
const RAW: RawTrain = tinyTestTrain({ steps: 3, seed: 4 });
const tiles = synthTiles({ count: 4, size: 24, seed: 1 });
const stats = synthStats(tiles);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'terrafm-backbone-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function trainedTensors(backbone: RawTrain['backbone']): Promise<Map<string, Float32Array>> {
  const dir = path.join(tmp, JSON.stringify(backbone).replace(/\W/g, '_'));
  await trainWith(memoryTileSource(tiles, stats), normaliseTrain({ ...RAW, backbone }), { outDir: dir });
  return readCheckpoint<CheckpointMeta>(path.join(dir, CHECKPOINT_FILE)).tensors;
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('backbone freeze and lr scale', () => {
  it('keeps the encoder at its initialisation for freeze_steps while the head learns', async () => {
    const cfg = normaliseTrain(RAW);
    const init = initParamValues(trainSpecs(cfg).specs, cfg.seed);
    const frozen = await trainedTensors({ freeze_steps: 3 });
    const free = await trainedTensors({ freeze_steps: 0 });
    const encoderNames = [...init.keys()].filter((k) => !k.startsWith('head.'));
    const headNames = [...init.keys()].filter((k) => k.startsWith('head.') && !k.endsWith('.b'));
    expect(encoderNames.length).toBeGreaterThan(10);
    for (const k of encoderNames) {
      expect(same(frozen.get(`student/${k}`)!, init.get(k)!), k).toBe(true);
      // the EMA m*t + (1-m)*s of equal values only rounds
      expect(maxDiff(frozen.get(`teacher/${k}`)!, init.get(k)!), k).toBeLessThan(1e-6);
    }
    for (const k of headNames) expect(same(frozen.get(`student/${k}`)!, init.get(k)!), k).toBe(false);
    // without the freeze the encoder moves
    expect(encoderNames.some((k) => !same(free.get(`student/${k}`)!, init.get(k)!))).toBe(true);
  });
});
