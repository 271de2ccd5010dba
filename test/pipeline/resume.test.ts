// Resumability in process: fingerprints, done markers and the runner's skip/redo rule; the shard
// journal (torn lines, other keys); prepareResume (verify, keep a prefix, delete the rest); a sink that
// resumes writes the same bytes as one that never stopped; merge of corpora.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { normalise as normaliseShard } from '../../src/config/sections/shard.js';
import { parsePipeline } from '../../src/config/load.js';
import { runPipeline } from '../../src/runner/run.js';
import type { Stage } from '../../src/pipeline/stage.js';
import { canonicalJson } from '../../src/canonical-json.js';
import { chainFingerprints, readMarker } from '../../src/runner/state.js';
import { sampleFromDigest, sampleTableOf } from '../../src/pipeline/sample-from.js';
import { lockRunDir } from '../../src/runner/lock.js';
import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { appendJournal, journalShard, parseJournal, resetJournal } from '../../src/shard/journal.js';
import { mergeCorpora } from '../../src/shard/merge.js';
import { prepareResume } from '../../src/shard/resume.js';
import { openShardSink } from '../../src/shard/sink.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { validateCorpus } from '../../src/shard/validate.js';

const dirs: string[] = [];
const temp = (tag: string) => {
  const d = mkdtempSync(join(tmpdir(), `terrafm-resume-${tag}-`));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const files = (dir: string) =>
  Object.fromEntries(readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));

describe('fingerprints', () => {
  it('canonical JSON ignores key order and undefined keys', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe('{"a":[1,{"d":2}],"b":1}');
  });
  it('chain: a change upstream changes every later fingerprint, not earlier ones', () => {
    const a = chainFingerprints([{ stage: 'x', config: { k: 1 } }, { stage: 'y', config: 2 }, { stage: 'z', config: 3 }]);
    const b = chainFingerprints([{ stage: 'x', config: { k: 1 } }, { stage: 'y', config: 9 }, { stage: 'z', config: 3 }]);
    expect(b.get('x')).toBe(a.get('x'));
    expect(b.get('y')).not.toBe(a.get('y'));
    expect(b.get('z')).not.toBe(a.get('z'));
  });
});

describe('runner skips finished stages and redoes changed ones', () => {
  const yaml = 'version: 1\nname: t\narea: { bbox: [7, 45, 8, 46] }\ntime: { start: 2021-01-01, end: 2021-02-01 }\nsources: { s2_l2a: { provider: earth-search, collection: sentinel-2-l2a } }\n';
  const stage = (name: string, order: string[], part: (c: any) => unknown, fail?: () => boolean): Stage => ({
    name,
    description: name,
    enabled: () => true,
    configParts: part,
    run: async () => {
      if (fail?.()) throw new Error(`${name} crashed`);
      order.push(name);
      return { status: 'ok', summary: {} };
    },
  });
  it('reruns only what is missing or changed', async () => {
    const out = temp('runner');
    const order: string[] = [];
    let crash = true;
    const reg = (cloud: number) => [stage('a', order, (c) => c.time), stage('b', order, () => cloud), stage('c', order, () => null, () => crash)];
    const config = { ...parsePipeline(yaml, 'p.yaml'), output: { dir: out, redactQueryParams: [] } };
    await expect(runPipeline({ config, registry: reg(10) })).rejects.toThrow('c crashed');
    expect(order).toEqual(['a', 'b']);
    expect(readMarker(out, 'c')).toBeUndefined();
    crash = false;
    const r = await runPipeline({ config, registry: reg(10) });
    expect(order).toEqual(['a', 'b', 'c']);
    expect(r.outcomes.map((o) => o.resumed ?? false)).toEqual([true, true, false]);
    await runPipeline({ config, registry: reg(20) }); // b's config changed: b and c again
    expect(order).toEqual(['a', 'b', 'c', 'b', 'c']);
    await runPipeline({ config, registry: reg(20), fresh: true });
    expect(order).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'b', 'c']);
    await runPipeline({ config, registry: reg(20), resumable: false });
    expect(order.length).toBe(11);
  });

  it('a stage without configParts follows its config section; a partitioned run leaves train out', async () => {
    const out = temp('runner2');
    const order: string[] = [];
    const train: Stage = { name: 'train', description: '', enabled: () => true, run: async () => (order.push('train'), { status: 'ok', summary: {} }) };
    const reg = [stage('a', order, () => 1), train];
    const base = { ...parsePipeline(yaml, 'p.yaml'), output: { dir: out, redactQueryParams: [] } };
    await runPipeline({ config: { ...base, train: { steps: 1 } } as never, registry: reg });
    await runPipeline({ config: { ...base, train: { steps: 1 } } as never, registry: reg });
    await runPipeline({ config: { ...base, train: { steps: 2 } } as never, registry: reg });
    expect(order).toEqual(['a', 'train', 'train']);
    const p = join(temp('runner3'), 'p');
    await runPipeline({ config: { ...base, output: { dir: p, redactQueryParams: [] } }, registry: reg, partition: { index: 1, count: 2 } });
    expect(order).toEqual(['a', 'train', 'train', 'a']);
    await expect(runPipeline({ config: { ...base, output: { dir: p, redactQueryParams: [] } }, registry: reg, stages: ['train'], partition: { index: 1, count: 2 } })).rejects.toThrow(
      '--partition 1/2: stage train needs the whole corpus; run it after terrafm merge, without --partition',
    );
  });
});

describe('the runner is given its stages, its input preparation and --sample-from', () => {
  const yaml = 'version: 1\nname: t\narea: { bbox: [7, 45, 8, 46] }\ntime: { start: 2021-01-01, end: 2021-02-01 }\nsources: { s2_l2a: { provider: earth-search, collection: sentinel-2-l2a } }\n';
  const seen: string[] = [];
  const probe: Stage = {
    name: 'probe',
    description: 'records the sample table it was given',
    enabled: () => true,
    run: async (ctx) => (seen.push(ctx.sampleFrom ?? 'none'), { status: 'ok', summary: {} }),
  };

  it('runs the preparation before the first stage, and checks a --sample-from table before any stage runs', async () => {
    const out = temp('given');
    const config = { ...parsePipeline(yaml, 'p.yaml'), output: { dir: out, redactQueryParams: [] } };
    const calls: string[] = [];
    await runPipeline({ config, registry: [probe], prepare: async (c) => void calls.push(c.name), resumable: false });
    expect(calls).toEqual(['t']);
    expect(seen).toEqual(['none']);
    const missing = join(out, 'nope.parquet');
    await expect(runPipeline({ config, registry: [probe], sampleFrom: missing, resumable: false })).rejects.toThrow(
      `--sample-from: ${missing} does not exist; expected the sample/sample.parquet of an unpartitioned run`,
    );
    expect(seen).toEqual(['none']);
    const table = join(out, 'given.parquet');
    writeFileSync(table, 'bytes');
    await runPipeline({ config, registry: [probe], sampleFrom: table, resumable: false });
    expect(seen).toEqual(['none', table]);
  });

  it('the tile stage reads the sample stage output when the pipeline samples, else the given table', () => {
    expect(sampleTableOf('/run', true, '/elsewhere/s.parquet')).toBe(join('/run', 'sample', 'sample.parquet'));
    expect(sampleTableOf('/run', false, '/elsewhere/s.parquet')).toBe('/elsewhere/s.parquet');
    expect(sampleTableOf('/run', false, undefined)).toBeUndefined();
  });

  it('fingerprints follow the bytes of the given table, not its name', () => {
    const dir = temp('digest');
    const a = join(dir, 'a.parquet');
    writeFileSync(a, 'one');
    const first = sampleFromDigest(a);
    expect(first).toBe(createHash('sha256').update('one').digest('hex'));
    writeFileSync(a, 'two');
    expect(sampleFromDigest(a)).not.toBe(first);
    expect(sampleFromDigest(undefined)).toBeNull();
  });
});

describe('run directory lock', () => {
  it('refuses a directory locked by a live process and takes over a lock whose process is gone', async () => {
    const dir = temp('lock');
    const release = lockRunDir(dir);
    const lockFile = join(dir, 'state', 'run.lock');
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toEqual({ pid: process.pid, host: hostname() });
    release();
    expect(existsSync(lockFile)).toBe(false);
    const sleeper = spawn('sleep', ['30']);
    try {
      writeFileSync(lockFile, JSON.stringify({ pid: sleeper.pid, host: hostname() }));
      expect(() => lockRunDir(dir)).toThrow(`run directory ${dir} is in use by process ${sleeper.pid} on ${hostname()} (${lockFile}); expected one terrafm run per run directory`);
    } finally {
      sleeper.kill('SIGKILL');
    }
    await new Promise((r) => sleeper.on('close', r));
    const gone = spawnSync('true').pid; // exited: its pid is free
    writeFileSync(lockFile, JSON.stringify({ pid: gone, host: hostname() }));
    lockRunDir(dir)();
    writeFileSync(lockFile, JSON.stringify({ pid: 1, host: 'another-host' }));
    expect(() => lockRunDir(dir)).toThrow(/is in use by process 1 on another-host/);
  });
});

const cfg = normaliseShard({ max_rows: 3, row_group_rows: 2 });
const tiles = Array.from({ length: 10 }, (_, i) => syntheticTile(i, { size: 32 }));

/** Writes tiles[from..] into dir with a journal, optionally stopping (like a crash) after `stopAfter` tiles. */
async function journalledWrite(dir: string, journal: string, stopAfter = Infinity) {
  const rp = prepareResume(dir, journal, cfg, 'key-1');
  const done = new Set(rp.kept.flatMap((j) => j.tileIds));
  const sink = openShardSink(dir, cfg, {
    resume: { entries: rp.entries, layout: rp.layout, tileIds: done },
    onShardClosed: (e, info) => appendJournal(journal, journalShard(info.seq, e, info.layout, info.tileIds, { next: info.nextTileId })),
  });
  let n = 0;
  for (const t of tiles) {
    if (done.has(t.tileId)) continue;
    if (n++ >= stopAfter) return { rp, closed: false }; // the process "dies": no close, no abort
    await sink.write(t);
  }
  await sink.close();
  return { rp, closed: true };
}

describe('shard journal and resume', () => {
  it('parseJournal keeps the lines before a torn one and ignores another key', () => {
    const j = join(temp('j'), 'j.jsonl');
    resetJournal(j, 'k', []);
    const line = { kind: 'shard', seq: 0, file: 'f', rows: 1, bytes: 1, sha256: 'x', tileIds: ['a'] };
    appendFileSync(j, `${JSON.stringify(line)}\n${JSON.stringify({ ...line, seq: 1 }).slice(0, 20)}`);
    expect(parseJournal(readFileSync(j, 'utf8'), 'k')!.map((l) => l.seq)).toEqual([0]);
    expect(parseJournal(readFileSync(j, 'utf8'), 'other')).toBeUndefined();
  });

  it('a write interrupted mid-shard and resumed gives byte-identical files; validate passes', async () => {
    const ref = temp('ref');
    await journalledWrite(ref, join(ref, 'journal.jsonl'));
    const dir = temp('int');
    const journal = join(temp('state'), 'journal.jsonl');
    const first = await journalledWrite(dir, journal, 7); // shards 0, 1 finished, shard 2 half written
    expect(first.closed).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['shard-00000.parquet', 'shard-00001.parquet', 'shard-00002.parquet.tmp']);
    const { rp } = await journalledWrite(dir, journal);
    expect(rp.kept.map((k) => k.file)).toEqual(['shard-00000.parquet', 'shard-00001.parquet']);
    expect(rp.deleted).toEqual(['shard-00002.parquet.tmp']);
    const got = files(dir);
    const want = files(ref);
    delete want['journal.jsonl'];
    expect(got).toEqual(want);
    expect((await validateCorpus(dir)).problems).toEqual([]);
  });

  it('a journalled shard whose bytes changed is dropped with every later one, and unjournalled shards are deleted', async () => {
    const dir = temp('corrupt');
    const journal = join(temp('state'), 'journal.jsonl');
    await journalledWrite(dir, journal);
    writeFileSync(join(dir, 'shard-00001.parquet'), 'garbage');
    writeFileSync(join(dir, 'shard-00009.parquet'), 'stray');
    const rp = prepareResume(dir, journal, cfg, 'key-1');
    expect(rp.kept.map((k) => k.file)).toEqual(['shard-00000.parquet']);
    expect(rp.dropped).toEqual(['shard-00001.parquet', 'shard-00002.parquet', 'shard-00003.parquet']);
    expect(rp.deleted).toEqual(['manifest.json', 'shard-00001.parquet', 'shard-00002.parquet', 'shard-00003.parquet', 'shard-00009.parquet', 'stats.json']);
    expect(parseJournal(readFileSync(journal, 'utf8'), 'key-1')!.length).toBe(1);
    // another key (another plan): nothing is kept
    expect(prepareResume(dir, journal, cfg, 'key-2').kept).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('merge', () => {
  it('links shards under new names, merges statistics in order, and validate accepts it; a repeated input is refused', async () => {
    const a = temp('ma');
    const b = temp('mb');
    for (const [d, part] of [[a, tiles.filter((_, i) => i % 2 === 0)], [b, tiles.filter((_, i) => i % 2 === 1)]] as const) {
      const sink = openShardSink(d, cfg);
      for (const t of part) await sink.write(t);
      await sink.close();
    }
    const out = join(temp('mo'), 'merged');
    const r = await mergeCorpora(out, [a, b]);
    expect(r.manifest.tiles).toBe(10);
    expect(r.manifest.shards.map((s) => s.file)).toEqual(['shard-00000.parquet', 'shard-00001.parquet', 'shard-00002.parquet', 'shard-00003.parquet']);
    expect((await validateCorpus(out)).problems).toEqual([]);
    await expect(mergeCorpora(join(temp('mo2'), 'm'), [a, a])).rejects.toThrow(/is given twice; each partition must be merged once/);
    await expect(mergeCorpora(out, [a])).rejects.toThrow(/already holds a corpus .*use an empty directory or --overwrite/);
    await expect(mergeCorpora(join(temp('mo3'), 'm'), [temp('empty')])).rejects.toThrow(/no finished corpus \(expected manifest.json or corpus\/manifest.json\)/);
    expect(existsSync(join(out, 'merge.json'))).toBe(true);
    // plan only: the same index, shards left in place, a copy plan instead
    const planned = join(temp('mp'), 'm');
    const p = await mergeCorpora(planned, [a, b], { planOnly: true });
    expect(p.manifest).toEqual(r.manifest);
    expect(readFileSync(join(planned, 'stats.json'), 'utf8')).toBe(readFileSync(join(out, 'stats.json'), 'utf8'));
    expect(readdirSync(planned).filter((f) => f.endsWith('.parquet'))).toEqual([]);
    expect(readFileSync(join(planned, 'merge-plan.tsv'), 'utf8').split('\n')[2]).toBe(`${join(b, 'shard-00000.parquet')}\tshard-00002.parquet`);
  });
});
