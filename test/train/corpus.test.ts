import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hyparquetRead } from './parquet-read.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { corpusTileSource } from '../../src/train/corpus.js';
import { compareRunKnn, embedCorpus, embedToParquet, evalKnnSource } from '../../src/train/evaluate.js';
import { randomEncoder } from '../../src/train/features.js';
import { knnPredict, knnReport } from '../../src/train/knn.js';
import { trainOnCorpus } from '../../src/train/index.js';
import { normaliseTrain } from '../../src/config/sections/train.js';
import { readEncoder } from '../../src/train/export.js';
import { PassThrough } from 'node:stream';
import { evalCommand, type EvalCommandOptions } from '../../src/cli/commands/eval.js';
import { isHeldOut } from '../../src/train/split.js';
import { cleanupTempDirs, tempDir, writeCorpus } from '../shard/helpers.js';

afterAll(() => cleanupTempDirs());

describe('shard corpus as a TileSource', () => {
  it('reads tiles from any stream index across shards and row groups, with stats.json mean/std', async () => {
    const dir = tempDir('train');
    const tiles = Array.from({ length: 7 }, (_, i) => syntheticTile(i, { size: 16 }));
    await writeCorpus(dir, tiles, { max_rows: 3, row_group_rows: 2 });
    const src = corpusTileSource(dir);
    const all: string[] = [];
    for await (const t of src.read(0)) all.push(t.tileId);
    expect(all).toEqual(tiles.map((t) => t.tileId));
    const tail: string[] = [];
    for await (const t of src.read(4)) tail.push(t.tileId);
    expect(tail).toEqual(all.slice(4));
    const st = await src.stats();
    expect(st.modalities.s2_l1c!.mean).toHaveLength(13);
    expect(st.modalities.s2_l2a!.std.every((s) => s > 0)).toBe(true);
    expect(st.classPixelCounts).toHaveLength(12);

    // embed: one row per tile, list<float> of the embed dim
    const out = path.join(dir, 'emb.parquet');
    const n = await embedToParquet(src, randomEncoder('tiny', 0), out, { backend: 'wasm', inputSize: 16 });
    expect(n).toBe(7);
    const rows = await hyparquetRead(out);
    expect(rows.map((r) => r.tile_id)).toEqual(all);
    expect((rows[0].embedding as number[]).length).toBe(96);
    expect(fs.statSync(out).size).toBeGreaterThan(7 * 96 * 4 * 0.5);

    // embed --random-init: the same vectors as the run's starting point, and the file says so
    const init = path.join(dir, 'init.parquet');
    expect(await embedCorpus(dir, null, init, { size: 'tiny', seed: 0, backend: 'wasm', inputSize: 16 })).toBe(7);
    const initRows = await hyparquetRead(init);
    expect(initRows.map((r) => r.embedding)).toEqual(rows.map((r) => r.embedding));
    expect(fs.readFileSync(init).includes('random init tiny seed 0')).toBe(true);
  });
});

describe('trainOnCorpus', () => {
  it('trains on a shard corpus (13-band L1C, NaN S1 nodata) and exports the encoder', async () => {
    const dir = tempDir('trainrun');
    await writeCorpus(dir, Array.from({ length: 6 }, (_, i) => syntheticTile(i, { size: 16 })));
    const cfg = normaliseTrain({
      steps: 2, batch_size: 2, out_dim: 16, head: { hidden_dim: 8, bottleneck_dim: 4 }, backend: 'wasm', shuffle_buffer: 2,
      crops: { global_size: 16, local_size: 8, local_count: 1 }, held_out: { percent: 50 },
    });
    const run = path.join(dir, 'run');
    const r = await trainOnCorpus(dir, cfg, { outDir: run });
    expect(r).toMatchObject({ steps: 2, stopped: 'done', backend: 'wasm' });
    expect(Number.isFinite(r.finalLoss)).toBe(true);
    expect(readEncoder(r.encoderDir!).step).toBe(2);
    expect(fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    // the held-out half of the tiles was left out of training, and the run says so
    const ids = Array.from({ length: 6 }, (_, i) => syntheticTile(i, { size: 16 }).tileId);
    const held = ids.filter((id) => isHeldOut(id, { percent: 50, seed: 0 }));
    expect(held.length).toBeGreaterThan(0);
    expect(r.split).toEqual({ percent: 50, seed: 0, excluded: true, trainTiles: 6 - held.length, heldOutTiles: held.length });
    expect(JSON.parse(fs.readFileSync(path.join(run, 'train.json'), 'utf8')).split).toEqual(r.split);
    // the done-when comparison: the run's own split (50 %, from train.json, not the eval default) for
    // the run's encoder and its random initialisation
    const c = await compareRunKnn(dir, run, { backend: 'wasm', inputSize: 16, k: 3 });
    expect(c.trained.test).toBe(c.random.test);
    expect(c.trained.test).toBe(held.length);
    expect(c.trained.train + c.trained.test).toBe(6);

    // the commands over the same run: retrieval both ways and cross-modal kNN, on the run's split
    const run1 = async (o: Partial<EvalCommandOptions>) => {
      let text = '';
      const stdout = new PassThrough().on('data', (d) => (text += String(d)));
      const base = evalCommand.parse({ run, 'input-size': '16', k: '3', backend: 'wasm' }, ['retrieval', dir]);
      expect(await evalCommand.run({ ...base, ...o }, { stdout })).toBe(0);
      return text;
    };
    const ret = JSON.parse(await run1({ json: true }));
    for (const side of [ret.random, ret.trained]) {
      expect(side.retrieval.map((x: { query: string; n: number; chance: number }) => [x.query, x.n, x.chance])).toEqual([['s1', held.length, held.length / 2], ['s2_l2a', held.length, held.length / 2]]);
    }
    const text = await run1({ task: 'knn', crossModal: true });
    expect(text).toMatch(/^random initialisation: cross-modal kNN \(k=3\) s1 queries vs s2_l2a reference, each modality centred on its reference mean: .* majority class/m);
    expect(text).toMatch(/^pretrained \(.*\): cross-modal kNN/m);
  });
});

describe('kNN', () => {
  it('votes with exp(sim/T) among the k most similar reference tiles', () => {
    // 2-D features: class 1 near (1, 0), class 2 near (0, 1)
    const train = Float32Array.from([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]);
    const preds = knnPredict(train, [1, 1, 2, 2], Float32Array.from([0.8, 0.3, 0.2, 0.7, 1, 1.01]), 2, 2);
    expect(preds).toEqual([1, 2, 2]);
    const r = knnReport(preds, [1, 2, 1], 2, 4);
    expect(r.accuracy).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.map((c) => [c.code, c.correct, c.count])).toEqual([[10, 1, 2], [20, 1, 1]]);
    expect(r.balancedAccuracy).toBeCloseTo((0.5 + 1) / 2, 12);
  });

  it('evaluates a corpus end to end and refuses a split with an empty side', async () => {
    const dir = tempDir('knn');
    await writeCorpus(dir, Array.from({ length: 6 }, (_, i) => syntheticTile(i, { size: 16 })));
    const src = corpusTileSource(dir);
    const r = await evalKnnSource(src, randomEncoder('tiny', 0), { backend: 'wasm', inputSize: 16, split: { percent: 50, seed: 0 }, k: 3 });
    expect(r.train + r.test).toBe(6);
    expect(r.accuracy).toBeGreaterThanOrEqual(0);
    await expect(evalKnnSource(src, randomEncoder('tiny', 0), { backend: 'wasm', inputSize: 16, split: { percent: 0, seed: 0 } })).rejects.toThrow(/0 held-out tiles/);
  });
});
