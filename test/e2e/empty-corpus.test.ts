// An empty search result with a train section: the run finishes with an empty, valid corpus, the
// train stage is skipped with a warning, and the exit code is 0 (as documented), not 4.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cleanupTempDirs, cli, startStacServer, tempDir, writePipeline } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
  cleanupTempDirs();
});

describe('empty corpus', () => {
  it('skips training with a warning and exits 0', async () => {
    const stac = await startStacServer({ entries: [] });
    closers.push(stac.close);
    const dir = tempDir('empty');
    const run = path.join(dir, 'run');
    const r = await cli(['run', writePipeline(dir, { stacUrl: stac.url, extra: 'train: { steps: 2, backend: cpu }\n' }), '--out', run]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warn: train: skipped: the corpus ${path.join(run, 'corpus')} has no tiles`);
    const doc = JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8'));
    expect(doc.stages.find((s: { stage: string }) => s.stage === 'train').outcome).toEqual({ status: 'skipped', summary: { reason: 'empty corpus' } });
    expect((await cli(['validate', run])).code).toBe(0);
  }, 120_000);
});
