import { PassThrough } from 'node:stream';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { runPipeline } from '../../src/runner/run.js';
import { parsePipeline } from '../../src/config/load.js';
import type { Stage } from '../../src/pipeline/stage.js';

async function cli(args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await main(args, { stdout: out, stderr: err });
  return { code, stdout, stderr };
}

const yaml = `name: clitest
area: { bbox: [1, 2, 3, 4] }
time: { start: 2021-01-01, end: 2021-02-01 }
sources:
  s2_l2a: { provider: earth-search, collection: sentinel-2-l2a }
`;

describe('terrafm CLI', () => {
  it('lists every command in --help and documents every option of each command', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name} `);
    for (const c of COMMANDS) {
      const h = await cli([c.name, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout.startsWith(`terrafm ${c.name}`)).toBe(true);
      for (const name of Object.keys(c.options)) expect(h.stdout, `${c.name} --${name}`).toContain(`--${name}`);
      expect(h.stdout).toContain('--log-format');
    }
  });

  it('fails with exit code 2 and a clear message on an unknown command or option', async () => {
    const a = await cli(['frobnicate']);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(`error: cli: unknown command "frobnicate"; expected one of: ${COMMANDS.map((c) => c.name).join(', ')}\n`);
    const b = await cli(['run', '--frob']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^error: cli: terrafm run: Unknown option '--frob'.*; see terrafm run --help\n$/);
    const c = await cli(['config']);
    expect(c.stderr).toBe('error: cli: terrafm config: missing <pipeline.yaml> (Pipeline definition to check.); see terrafm config --help\n');
  });

  it('prints config errors once, as text or as a JSON line, with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, yaml.replace('earth-search', 'earthsearch'));
    const t = await cli(['config', f]);
    expect(t.code).toBe(2);
    expect(t.stderr).toBe(
      `error: config: ${f}: 1 problem\n  - sources.s2_l2a.provider (line 5): "earthsearch" is not allowed; expected one of: static, earth-search, planetary-computer, stac-api, file\n`,
    );
    const j = await cli(['config', f, '--log-format', 'json']);
    const line = JSON.parse(j.stderr.trim());
    expect(line).toMatchObject({ level: 'error', subsystem: 'config', error: 'ConfigError' });
    expect(line.msg).toContain('sources.s2_l2a.provider');
  });

  it('prints a normalised config as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    writeFileSync(join(dir, 'ok.yaml'), yaml);
    const r = await cli(['config', join(dir, 'ok.yaml')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).grid).toEqual({ cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 });
  });
});

describe('pipeline runner', () => {
  const config = () => ({ ...parsePipeline(yaml, 'p.yaml'), output: { dir: mkdtempSync(join(tmpdir(), 'run-')), redactQueryParams: [] } });
  const stage = (name: string, status: 'ok' | 'partial', order: string[]): Stage => ({
    name,
    description: name,
    enabled: () => true,
    run: async () => {
      order.push(name);
      return { status, summary: { name }, failures: status === 'partial' ? 2 : 0 };
    },
  });

  it('runs stages in order, records run.json and reports partial failures in the exit code', async () => {
    const order: string[] = [];
    const c = config();
    const r = await runPipeline({ config: c, registry: [stage('a', 'ok', order), stage('b', 'partial', order)] });
    expect(order).toEqual(['a', 'b']);
    expect(r.exitCode).toBe(3);
    const doc = JSON.parse(readFileSync(join(c.output.dir, 'run.json'), 'utf8'));
    expect(doc.stages.map((s: { stage: string }) => s.stage)).toEqual(['a', 'b']);
    expect(doc.stages[1].outcome.failures).toBe(2);
  });

  it('stops at a failing stage, keeps run.json, and rejects unknown stage names', async () => {
    const order: string[] = [];
    const c = config();
    const boom: Stage = { name: 'boom', description: '', enabled: () => true, run: async () => { throw new Error('disk on fire'); } };
    await expect(runPipeline({ config: c, registry: [stage('a', 'ok', order), boom, stage('c', 'ok', order)] })).rejects.toThrow(expect.objectContaining({ subsystem: 'boom', message: 'stage failed: disk on fire' }));
    expect(order).toEqual(['a']);
    expect(JSON.parse(readFileSync(join(c.output.dir, 'run.json'), 'utf8')).exitCode).toBe(4);
    await expect(runPipeline({ config: c, stages: ['nope'], registry: [stage('a', 'ok', order)] })).rejects.toThrow('--stages: unknown stage "nope"; expected some of: a');
  });
});

describe('variadic positionals', () => {
  it('lets terrafm merge take any number of partition directories and lists them in help', async () => {
    const h = await cli(['merge', '--help']);
    expect(h.stdout.split('\n')[0]).toBe('terrafm merge <out> [partition-dir]... [options]');
    const r = await cli(['merge', '/nonexistent-out', '/nonexistent/p0', '/nonexistent/p1', '/nonexistent/p2']);
    // Parsing accepted all three directories; the failure is about the first missing one.
    expect(r.stderr).not.toContain('unexpected argument');
    expect(r.stderr).toContain('/nonexistent/p0');
    const none = await cli(['merge', '/nonexistent-out']);
    expect(none.stderr).toBe('error: cli: terrafm merge: no partition directories; expected <out> <dir>... or --input <dir>\n');
  });
});
