// Every `--help` example is a command that works after `npm run demo`: the demo pipeline is run into
// runs/demo (as `npm run demo` does) in a scratch directory that has the repository's pipelines/ and
// data/ (linked), then each example of each command runs there and must exit 0. Slow (the demo trains
// 30 steps): it is the one test that exercises every command the way the help shows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { ensureDemoWorld, DEFAULT_DEMO_DIR } from '../../src/demo/ensure.js';
import { repoRoot } from './helpers.js';

const BIN = path.join(repoRoot, 'bin', 'terrafm.mjs');
const cwd = mkdtempSync(path.join(tmpdir(), 'terrafm-examples-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function terrafm(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args, '--log-format', 'text', '--quiet'], { cwd, encoding: 'utf8', timeout: 600_000 });
  return { status: r.status, stderr: r.stderr };
}

/** `terrafm grid --bbox 7,45,8,46 --count   # comment` -> ['grid', '--bbox', '7,45,8,46', '--count'] */
function argv(example: string): string[] {
  return example.replace(/\s+#.*$/, '').trim().split(/\s+/).slice(1);
}

beforeAll(async () => {
  await ensureDemoWorld(DEFAULT_DEMO_DIR);
  symlinkSync(path.join(repoRoot, 'pipelines'), path.join(cwd, 'pipelines'));
  symlinkSync(path.join(repoRoot, 'data'), path.join(cwd, 'data'));
  const demo = terrafm(['run', 'pipelines/demo.yaml', '--out', 'runs/demo']);
  if (demo.status !== 0) throw new Error(`the demo run failed (${demo.status}):\n${demo.stderr}`);
}, 1_200_000);

describe('--help examples work after npm run demo', () => {
  const examples = COMMANDS.flatMap((c) => (c.examples ?? []).map((e) => [c.name, e] as const));
  it('every command has at least one example', () => {
    expect(COMMANDS.filter((c) => !c.examples?.length).map((c) => c.name)).toEqual([]);
  });
  for (const [name, example] of examples) {
    it(`${name}: ${example}`, () => {
      const r = terrafm(argv(example));
      expect(r.stderr).not.toContain('internal error');
      expect(r.status, r.stderr).toBe(0);
    }, 600_000);
  }
});
