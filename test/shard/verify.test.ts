// Corpus consumers verify before the first step: 64 flipped bytes inside a shard (same size) or a
// doubled sum in stats.json stop `terrafm train`, `embed` and `eval` with exit 5 and the list
// `validate` prints; --verify cheap checks sizes, footers and statistics only; --no-verify skips,
// logged. validate checks stats.json's mean/std against its sums.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ExitCode } from '../../src/errors.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { validateCorpus } from '../../src/shard/validate.js';
import { verifyCorpus } from '../../src/shard/verify.js';
import { cleanupTempDirs, tempDir, writeCorpus } from './helpers.js';

const tiles = Array.from({ length: 6 }, (_, i) => syntheticTile(i, { size: 16 }));
let pristine: string;
beforeAll(async () => {
  pristine = tempDir('verify');
  await writeCorpus(pristine, tiles, { max_rows: 3, compression: 'none' });
});
afterAll(() => cleanupTempDirs());

function copy(tag: string): string {
  const d = tempDir(tag);
  cpSync(pristine, d, { recursive: true });
  return d;
}

/** 64 bytes flipped in the middle of a shard's pages: same size, footer intact. */
function flipBytes(dir: string): void {
  const f = join(dir, 'shard-00000.parquet');
  const b = readFileSync(f);
  const at = Math.floor(b.length / 3);
  for (let i = at; i < at + 64; i++) b[i] ^= 0xff;
  writeFileSync(f, b);
}

function editStats(dir: string, edit: (j: any) => void): void {
  const f = join(dir, 'stats.json');
  const j = JSON.parse(readFileSync(f, 'utf8'));
  edit(j);
  writeFileSync(f, JSON.stringify(j));
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (t: string) => ((out += t), true) } as never, stderr: { write: (t: string) => ((err += t), true) } as never });
  return { code, out, err };
}

describe('verifyCorpus', () => {
  it('a fresh corpus passes both modes', async () => {
    expect(await verifyCorpus(pristine, 'full')).toEqual([]);
    expect(await verifyCorpus(pristine, 'cheap')).toEqual([]);
  });

  it('full finds flipped bytes by sha256 (the line validate prints); cheap reads footers only and does not', async () => {
    const d = copy('flip');
    flipBytes(d);
    const full = await verifyCorpus(d, 'full');
    expect(full).toHaveLength(1);
    expect(full[0]).toMatch(/^shard-00000\.parquet: sha256 checksum mismatch \(file [0-9a-f]{64}, manifest\.json [0-9a-f]{64}\)$/);
    expect((await validateCorpus(d)).problems).toContain(full[0]);
    expect(await verifyCorpus(d, 'cheap')).toEqual([]);
  });

  it('a doubled sum in stats.json: both modes report it against the footers and against mean', async () => {
    const d = copy('sum');
    editStats(d, (j) => (j.modalities.s2_l2a.per_band[0].sum *= 2));
    for (const mode of ['full', 'cheap'] as const) {
      const p = await verifyCorpus(d, mode);
      expect(p.some((x) => /^stats\.json: differs from the shard footers' statistics: s2_l2a\.B01 sum \d+ stored vs \d+ recomputed$/.test(x)), p.join('\n')).toBe(true);
      expect(p.some((x) => /^stats\.json: s2_l2a\.B01 mean .* stored vs .* from sum\/count$/.test(x))).toBe(true);
    }
  });

  it('validate reports a tampered mean or std that the sums contradict', async () => {
    const d = copy('mean');
    editStats(d, (j) => {
      j.modalities.s2_l2a.per_band[1].mean += 100;
      j.modalities.s2_l2a.per_band[2].std *= 3;
    });
    const p = (await validateCorpus(d)).problems;
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^stats\.json: s2_l2a\.B02 mean [\d.]+ stored vs [\d.]+ from sum\/count$/);
    expect(p[1]).toMatch(/^stats\.json: s2_l2a\.B03 std [\d.]+ stored vs [\d.]+ from sum, sum_sq and count$/);
  });
});

describe('train, embed and eval verify before the first step', () => {
  it('exit 5 with the list on a corrupt corpus; --no-verify skips it with a warning', async () => {
    const d = copy('cli');
    flipBytes(d);
    const cmds = [
      ['train', d, '--out', join(d, 't'), '--backend', 'cpu', '--steps', '1'],
      ['embed', d, '--encoder', join(d, 'none'), '--out', join(d, 'e.parquet')],
      ['eval', 'knn', d, '--random-init', '--backend', 'cpu'],
    ];
    for (const args of cmds) {
      const r = await cli(args);
      expect(r.code, `${args[0]}: ${r.err}`).toBe(ExitCode.invalid);
      expect(r.err).toMatch(new RegExp(`^error: validate: ${d}: 1 problem\\n  - shard-00000\\.parquet: sha256 checksum mismatch`, 'm'));
    }
    // cheap mode does not read the pages: the embed command then fails on the missing encoder instead
    const cheap = await cli(['embed', d, '--encoder', join(d, 'none'), '--out', join(d, 'e.parquet'), '--verify', 'cheap']);
    expect(cheap.code).not.toBe(ExitCode.invalid);
    const skipped = await cli(['embed', d, '--encoder', join(d, 'none'), '--out', join(d, 'e.parquet'), '--no-verify']);
    expect(skipped.err).toContain(`warn: corpus ${d}: not verified (--no-verify)`);
  }, 60_000);

  it('a run directory is accepted for its corpus/, and said', async () => {
    const run = tempDir('rundir');
    cpSync(pristine, join(run, 'corpus'), { recursive: true });
    const r = await cli(['eval', 'knn', run, '--random-init', '--backend', 'cpu', '--verify', 'cheap', '--size', 'tiny']);
    expect(r.err).toContain(`${run} is a run directory: using its corpus ${join(run, 'corpus')}`);
    expect(r.err).toContain(`corpus ${join(run, 'corpus')}: verified (cheap: sizes, footers, statistics)`);
  }, 60_000);
});
