// The three shard commands through their typed run() (the CLI frame only adds argv parsing).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError, UsageError } from '../../src/errors.js';
import { inspectCommand } from '../../src/cli/commands/inspect.js';
import { validateCommand } from '../../src/cli/commands/validate.js';
import { shardCommand } from '../../src/cli/commands/shard.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { validateCorpus } from '../../src/shard/validate.js';
import { openCorpus } from '../../src/shard/reader.js';
import { cleanupTempDirs, tempDir, writeCorpus } from './helpers.js';
import { capture } from '../support/capture.js';

let a: string;
let b: string;
beforeAll(async () => {
  a = tempDir('cli-a');
  b = tempDir('cli-b');
  await writeCorpus(a, Array.from({ length: 4 }, (_, i) => syntheticTile(i, { size: 16 })));
  await writeCorpus(b, Array.from({ length: 3 }, (_, i) => syntheticTile(i + 10, { size: 16 })));
});
afterAll(() => cleanupTempDirs());

describe('terrafm inspect / validate / shard', () => {
  it('inspect prints tables, or JSON with --json', async () => {
    const c = capture();
    expect(await inspectCommand.run(inspectCommand.parse({}, [a]), c.io)).toBe(0);
    expect(c.text()).toContain(`corpus ${a} (schema v2): 1 shards, 4 tiles`);
    const j = capture();
    await inspectCommand.run(inspectCommand.parse({ json: true }, [a]), j.io);
    expect(JSON.parse(j.text()).tiles).toBe(4);
  });

  it('validate says ok, or throws ValidationError naming the shard', async () => {
    const c = capture();
    expect(await validateCommand.run({ dir: a, json: false }, c.io)).toBe(0);
    expect(c.text()).toBe(`ok: ${a}: 1 shards, 4 tiles, checksums, schema and statistics match\n`);
    const d = tempDir('cli-broken');
    await writeCorpus(d, [syntheticTile(1, { size: 8 })]);
    rmSync(join(d, 'shard-00000.parquet'));
    await expect(validateCommand.run({ dir: d, json: false }, capture().io)).rejects.toThrow(ValidationError);
    await expect(validateCommand.run({ dir: d, json: false }, capture().io)).rejects.toThrow('missing shard shard-00000.parquet');
  });

  it('shard merges two corpora into one that validates, with stats of both', async () => {
    const out = tempDir('cli-out');
    const opts = shardCommand.parse({ from: [a, b], 'max-rows': '3', overwrite: true }, [out]);
    expect(opts.shard).toEqual({ max_rows: 3 });
    const c = capture();
    expect(await shardCommand.run(opts, c.io)).toBe(0);
    expect(c.text()).toMatch(new RegExp(`^wrote ${out}: 3 shards, 7 tiles, `));
    expect((await validateCorpus(out)).problems).toEqual([]);
    const merged = openCorpus(out).stats;
    const sa = openCorpus(a).stats;
    const sb = openCorpus(b).stats;
    expect(merged.classPixelCounts).toEqual(sa.classPixelCounts.map((v, k) => v + sb.classPixelCounts[k]));
    expect(merged.modalities.s2_l2a!.perBand[0].count).toBe(sa.modalities.s2_l2a!.perBand[0].count + sb.modalities.s2_l2a!.perBand[0].count);
  });

  it('shard refuses overlapping tile ids and missing inputs', async () => {
    const out = tempDir('cli-dup');
    await expect(shardCommand.run({ out, from: [a, a], shard: {}, overwrite: false })).rejects.toThrow('duplicate tile id "T000000": already written to shard-00000.parquet');
    expect(readdirSync(out)).toEqual([]); // the unfinished shard is removed, no manifest written
    expect(() => shardCommand.parse({}, ['x'])).toThrow(UsageError);
  });
});
