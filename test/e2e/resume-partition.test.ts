// Kill-and-resume and partition-and-merge, end to end: `terrafm run` in child processes on a small demo
// pipeline (one place, 2 tiles per shard), SIGKILLed at several points and rerun, or split 3 ways and
// merged; each result is compared with one uninterrupted single-process run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openCorpus } from '../../src/shard/reader.js';
import { bandMoments } from '../../src/shard/stats.js';
import { cleanupTempDirs, corpusFiles, cli, demoEntries, hasTmpShard, journalLines, killWhen, startStacServer, tempDir, tileDigests, writePipeline, type StacTestServer } from './helpers.js';

let stac: StacTestServer;
let pipeline: string;
let ref: string;
let refFiles: Record<string, string>;

beforeAll(async () => {
  stac = await startStacServer({ entries: await demoEntries() });
  const dir = tempDir('resume');
  pipeline = writePipeline(dir, { stacUrl: stac.url });
  ref = path.join(dir, 'ref');
  const r = await cli(['run', pipeline, '--out', ref]);
  expect(r.code, r.stderr).toBe(0);
  refFiles = corpusFiles(path.join(ref, 'corpus'));
}, 60_000);
afterAll(async () => {
  await stac?.close();
  cleanupTempDirs();
});

describe('terrafm run resumes after SIGKILL with the same corpus', () => {
  it('the reference run has several shards and validates', async () => {
    expect(Object.keys(refFiles).filter((f) => f.endsWith('.parquet')).length).toBeGreaterThanOrEqual(3);
    const v = await cli(['validate', path.join(ref, 'corpus')]);
    expect(v.code, v.stderr).toBe(0);
    // a rerun of a finished run skips every stage
    const again = await cli(['run', pipeline, '--out', ref]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('tile: done earlier (ok); skipped');
    expect(corpusFiles(path.join(ref, 'corpus'))).toEqual(refFiles);
  });

  const cases: [string, (runDir: string) => () => boolean][] = [
    // discovery: the STAC server has answered some but not all searches of this run
    ['during discovery', (runDir) => { const before = stac.searchRequests().length; void runDir; return () => stac.searchRequests().length > before; }],
    ['mid-tiling, after the first journalled shard', (runDir) => () => journalLines(runDir) >= 1],
    ['mid-shard, while a .tmp shard is being written after two finished ones', (runDir) => () => journalLines(runDir) >= 2 && hasTmpShard(runDir)],
  ];
  for (const [when, marker] of cases) {
    it(`killed ${when}`, async () => {
      const runDir = path.join(tempDir('kill'), 'run');
      await killWhen(['run', pipeline, '--out', runDir], marker(runDir));
      // the kill really interrupted the stage in question
      if (when === 'during discovery') expect(existsSync(path.join(runDir, 'scenes.parquet'))).toBe(false);
      else expect(existsSync(path.join(runDir, 'corpus', 'manifest.json'))).toBe(false);
      const r = await cli(['run', pipeline, '--out', runDir]);
      expect(r.code, r.stderr).toBe(0);
      expect(corpusFiles(path.join(runDir, 'corpus'))).toEqual(refFiles);
      expect(readFileSync(path.join(runDir, 'tile-failures.jsonl'), 'utf8')).toBe(readFileSync(path.join(ref, 'tile-failures.jsonl'), 'utf8'));
      if (when.startsWith('mid')) expect(r.stderr).toMatch(/tile: resuming after [1-9]\d* finished shard\(s\)/);
      const v = await cli(['validate', path.join(runDir, 'corpus')]);
      expect(v.code, v.stderr).toBe(0);
    }, 60_000);
  }

  it('--fresh redoes every stage and writes the same corpus', async () => {
    const r = await cli(['run', pipeline, '--out', ref, '--fresh']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('done earlier');
    expect(corpusFiles(path.join(ref, 'corpus'))).toEqual(refFiles);
  }, 60_000);
});

describe('partitioned runs merged equal one run', () => {
  it('3 partitions in separate processes + terrafm merge', async () => {
    const dir = tempDir('part');
    const parts = [0, 1, 2].map((i) => path.join(dir, `p${i}`));
    const runs = await Promise.all(parts.map((p, i) => cli(['run', pipeline, '--out', p, '--partition', `${i}/3`])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // every partition did some of the work, none all of it
    const counts = parts.map((p) => openCorpus(path.join(p, 'corpus')).manifest.tiles);
    const merged = path.join(dir, 'merged');
    const m = await cli(['merge', merged, ...parts]);
    expect(m.code, m.stderr).toBe(0);
    const v = await cli(['validate', merged]);
    expect(v.code, v.stderr).toBe(0);

    const want = await tileDigests(path.join(ref, 'corpus'));
    const got = await tileDigests(merged);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(want.size);
    expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(2);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [id, d] of want) expect(got.get(id), id).toBe(d);

    const a = openCorpus(path.join(ref, 'corpus')).stats;
    const b = openCorpus(merged).stats;
    expect(b.tiles).toBe(a.tiles);
    expect(b.classPixelCounts).toEqual(a.classPixelCounts);
    expect(b.classTileCounts).toEqual(a.classTileCounts);
    for (const mod of Object.keys(a.modalities) as (keyof typeof a.modalities)[]) {
      const x = a.modalities[mod]!;
      const y = b.modalities[mod]!;
      expect(y.perBand.map((p) => [p.count, p.min, p.max, p.below, p.above, p.hist])).toEqual(x.perBand.map((p) => [p.count, p.min, p.max, p.below, p.above, p.hist]));
      x.perBand.forEach((p, i) => {
        expect(bandMoments(y.perBand[i]).mean).toBeCloseTo(bandMoments(p).mean, 9);
        expect(bandMoments(y.perBand[i]).std).toBeCloseTo(bandMoments(p).std, 9);
      });
    }
    expect(existsSync(path.join(merged, 'merge.json'))).toBe(true);
  }, 90_000);

  it('with sampling: partitions given the sample drawn once (--sample-from) merge to the sampled single run', async () => {
    const dir = tempDir('psample');
    const sampled = writePipeline(dir, { stacUrl: stac.url, extra: 'sampling: { policy: inverse-frequency, alpha: 1, count: 5, seed: 7, landcover: { resolution_m: 20 } }\n' });
    const single = path.join(dir, 'single');
    const r = await cli(['run', sampled, '--out', single]);
    expect(r.code, r.stderr).toBe(0);
    const table = path.join(single, 'sample', 'sample.parquet');
    const parts = [0, 1, 2].map((i) => path.join(dir, `p${i}`));
    const runs = await Promise.all(parts.map((p, i) => cli(['run', sampled, '--out', p, '--partition', `${i}/3`, '--sample-from', table])));
    for (const x of runs) expect(x.code, x.stderr).toBe(0);
    expect(runs[0].stderr).toContain(`sample: using the sample drawn in ${table}`);
    const merged = path.join(dir, 'merged');
    expect((await cli(['merge', merged, '--input', parts[0], '--input', parts[1], '--input', parts[2]])).code).toBe(0);
    const want = await tileDigests(path.join(single, 'corpus'));
    const got = await tileDigests(merged);
    expect(want.size).toBe(5);
    expect([...got.entries()].sort()).toEqual([...want.entries()].sort());
    expect((await cli(['validate', merged])).code).toBe(0);
  }, 90_000);

  it('a partitioned run of a pipeline with sampling needs --sample-from (exit 2)', async () => {
    const r = await cli(['run', path.resolve('pipelines/demo.yaml'), '--out', path.join(tempDir('ps'), 'x'), '--partition', '0/3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: cli: --partition 0/3: the pipeline has a sampling section');
    expect(r.stderr).toContain('expected --sample-from <sample.parquet>');
  });
});
