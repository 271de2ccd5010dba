// Errors keep their meaning: every user-facing failure of the CLI is one of the project's error types
// with its exit code (never "internal error"), bad output directories are refused before any work
// (exit 2; /proc used to hang in Node's recursive mkdir), and a failure while recording a failure
// keeps the original error and exit code.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parsePipeline } from '../../src/config/load.js';
import { ExitCode } from '../../src/errors.js';
import { runPipeline } from '../../src/runner/run.js';
import type { Stage } from '../../src/pipeline/stage.js';

const root = mkdtempSync(join(tmpdir(), 'terrafm-failures-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const aFile = join(root, 'a-file');
writeFileSync(aFile, 'x');

async function cli(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const sink = { write: (t: string) => ((err += t), true) } as never;
  const code = await main(args, { stdout: { write: () => true } as never, stderr: sink });
  return { code, err };
}

describe('CLI failure cases: a project error and its exit code, never "internal error"', () => {
  const dup = join(root, 'dup.jsonl');
  const row = JSON.stringify({ cell: { id: '917D_239R', row: 0, col: 0, lon: 0, lat: 0, epsg: 32632, extent: [0, 0, 10, 10], resolution: 10, sizePx: 1 }, scenes: {} });
  writeFileSync(dup, `${row}\n${row}\n`);
  const cases: [string[], number, RegExp][] = [
    [['run', 'pipelines/demo.yaml', '--out', '/proc/terrafm-x'], ExitCode.usage, /run directory \(--out or output\.dir\) \/proc\/terrafm-x: \/proc is on the kernel's \/proc file system; expected a directory on a disk/],
    [['run', 'pipelines/demo.yaml', '--out', join(aFile, 'sub')], ExitCode.usage, /a-file\/sub: a parent of it is a file, not a directory; expected a directory path/],
    [['discover', 'pipelines/demo.yaml', '--out', aFile], ExitCode.usage, /a-file is a file, not a directory/],
    [['train', join(root, 'none'), '--out', '/sys/x'], ExitCode.usage, /is on the kernel's \/sys file system/],
    [['merge', '/proc/1/x', root], ExitCode.usage, /kernel's \/proc file system/],
    [['embed', join(root, 'none'), '--encoder', root, '--out', '/proc/e.parquet'], ExitCode.usage, /kernel's \/proc file system/],
    [['tile', '--scenes', dup], ExitCode.failed, /error: tile: cell 917D_239R appears twice in the scenes input; expected each cell once/],
    [['validate', join(root, 'none')], ExitCode.invalid, /error: validate: /],
    [['grid', '--bbox', '1,2,3'], ExitCode.usage, /error: /],
    [['train', join(root, 'none'), '--out', join(root, 't')], ExitCode.invalid, /manifest\.json/],
  ];
  for (const [args, code, message] of cases) {
    it(`terrafm ${args.join(' ')}`, async () => {
      const r = await cli(args);
      expect(r.err).not.toContain('internal error');
      expect(r.err).toMatch(message);
      expect(r.code, r.err).toBe(code);
    }, 30_000);
  }
});

describe('the runner', () => {
  const yaml = 'version: 1\nname: t\narea: { bbox: [7, 45, 8, 46] }\ntime: { start: 2021-01-01, end: 2021-02-01 }\nsources: { s2_l2a: { provider: earth-search, collection: sentinel-2-l2a } }\n';
  const stage = (name: string, fail = false): Stage => ({
    name,
    description: name,
    enabled: () => true,
    configParts: () => null,
    run: async () => {
      if (fail) throw new Error(`${name} crashed`);
      return { status: 'ok', summary: { name } };
    },
  });
  const config = (dir: string) => ({ ...parsePipeline(yaml, 'p.yaml'), output: { dir, redactQueryParams: [] } });

  it('a failure while recording a failure keeps the stage error and exit 4, and leaves no .tmp', async () => {
    const dir = join(root, 'record');
    mkdirSync(join(dir, 'run.json'), { recursive: true }); // run.json cannot be written (like a full disk)
    await expect(runPipeline({ config: config(dir), registry: [stage('a'), stage('b', true)] })).rejects.toMatchObject({ exitCode: ExitCode.failed, message: 'stage failed: b crashed' });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('run.json keeps a record per stage across partial invocations', async () => {
    const dir = join(root, 'partial');
    const reg = [stage('a'), stage('b'), stage('c')];
    await runPipeline({ config: config(dir), registry: reg, stages: ['a', 'b'] });
    await runPipeline({ config: config(dir), registry: reg, stages: ['c'] });
    const doc = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(doc.stages.map((s: { stage: string; earlier?: boolean }) => [s.stage, s.earlier ?? false])).toEqual([['a', true], ['b', true], ['c', false]]);
    expect(doc.stages[0].outcome).toEqual({ status: 'ok', summary: { name: 'a' } });
  });
});
