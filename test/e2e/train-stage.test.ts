// The train stage inside `terrafm run`: pretrains on the run's corpus, writes the checkpoint, the
// exported encoder and knn.json (pretrained vs random init, same split), records both accuracies in
// run.json, and is skipped by a rerun with the same `train:` section.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cleanupTempDirs, cli, demoEntries, startStacServer, tempDir, writePipeline } from './helpers.js';

let stop: () => Promise<void>;
let stacUrl: string;
beforeAll(async () => {
  const stac = await startStacServer({ entries: await demoEntries() });
  stop = stac.close;
  stacUrl = stac.url;
}, 120_000);
afterAll(async () => {
  await stop?.();
  cleanupTempDirs();
});

const TRAIN = `train:
  size: tiny
  steps: 2
  batch_size: 4
  warmup_steps: 1
  out_dim: 32
  crops: { global_size: 16, local_size: 8, local_count: 1 }
  checkpoint_every: 1
  backend: wasm
`;

describe('train stage in terrafm run', () => {
  it('trains without the held-out tiles, reports kNN and cross-modal figures of the pretrained encoder and of its random init, and skips on rerun', async () => {
    const dir = tempDir('train');
    const file = writePipeline(dir, { stacUrl, maxRows: 4, extra: TRAIN });
    const runDir = path.join(dir, 'run');
    const first = await cli(['run', file, '--out', runDir]);
    expect(first.code, first.stderr).toBe(0);
    const train = path.join(runDir, 'train');
    for (const f of ['checkpoint.tfmc', 'train.json', 'metrics.jsonl', 'knn.json', path.join('encoder', 'model.json')]) {
      expect(existsSync(path.join(train, f)), f).toBe(true);
    }
    expect(readFileSync(path.join(train, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    const knn = JSON.parse(readFileSync(path.join(train, 'knn.json'), 'utf8'));
    for (const r of [knn.random, knn.trained]) {
      expect(r.test + r.train).toBe(9); // the 9 Lake Constance cells, split by tile-id hash
      expect(r.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.accuracy).toBeLessThanOrEqual(1);
    }
    expect(knn.random.test).toBe(knn.trained.test);
    const doc = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    const stage = doc.stages.find((s: { stage: string }) => s.stage === 'train');
    expect(stage.outcome.summary).toMatchObject({ backend: 'wasm', steps: 2, knnRandom: knn.random.accuracy, knnPretrained: knn.trained.accuracy });
    expect(first.stderr).toContain('kNN, random initialisation');
    expect(first.stderr).toContain('kNN, pretrained encoder');

    const again = await cli(['run', file, '--out', runDir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('kNN, pretrained encoder');
    expect(readFileSync(path.join(train, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    // two `terrafm run`s of ~30 s each on 2 shared cores; the default 60 s is too tight under load
  }, 180_000);
});
