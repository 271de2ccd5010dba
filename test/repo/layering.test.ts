// The layering of src/, checked over its import graph (README, Development): the CLI on top, then the
// runner (src/runner/), then the stages and their domains, then the shared vocabulary at the bottom
// (the stage contract and run-directory layout in src/pipeline/, config, errors, model, net, ...).
// An import may only go sideways or down; no stage imports another stage's adapter (only the runner's
// stage list does); and no two folders import each other, directly or round a loop.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.js';

const SRC = path.join(REPO_ROOT, 'src');

/** Layer of each top-level folder (or file) of src/, higher imports lower. */
const LAYERS: Record<string, number> = {
  cli: 3,
  runner: 2,
  ...Object.fromEntries(['discover', 'sample', 'tile', 'shard', 'publish', 'train', 'demo'].map((s) => [s, 1])),
  ...Object.fromEntries(
    ['pipeline', 'config', 'model', 'net', 'grid', 'landcover', 'log', 'image', 'parquet', 'errors', 'redact', 'atomic-file', 'canonical-json', 'json-records', 'prng', 'output-dir', 'process-alive', 'svg-to-png', 'version'].map((s) => [
      s,
      0,
    ]),
  ),
};

/** A file of a stage folder that the runner's stage list imports. */
const ADAPTER = /^[^/]+\/adapter\.ts$/;

/** Module path relative to src/ (`tile/stage.ts`) -> the module paths it imports (relative specifiers only). */
export type ImportGraph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The import graph of src/: static imports, re-exports, `import type` and dynamic `import()` alike. */
export function importGraph(srcDir: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(srcDir)) {
    const from = path.relative(srcDir, file).split(path.sep).join('/');
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(from), s.replace(/\.js$/, '.ts'))));
    graph.set(from, targets);
  }
  return graph;
}

/** Top-level folder of a module (`tile/stage.ts` -> `tile`; `errors.ts` -> `errors`). */
export function folderOf(module: string): string {
  const [head, ...rest] = module.split('/');
  return rest.length ? head : head.replace(/\.ts$/, '');
}

/** Every way `graph` breaks the layering, as readable lines (empty when it keeps to it). */
export function layeringProblems(graph: ImportGraph, layers: Record<string, number> = LAYERS): string[] {
  const problems: string[] = [];
  const folders = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    const a = folderOf(from);
    if (layers[a] === undefined) problems.push(`${from}: folder ${a} has no layer; add it to LAYERS in test/repo/layering.test.ts`);
    for (const to of targets) {
      const b = folderOf(to);
      if (a === b) continue;
      if (layers[a] !== undefined && layers[b] !== undefined && layers[b] > layers[a]) {
        problems.push(`${from} imports ${to}: layer ${layers[b]} (${b}) is above layer ${layers[a]} (${a})`);
      }
      if (ADAPTER.test(to) && layers[a] === layers[b]) problems.push(`${from} imports ${to}: a stage imports another stage's adapter`);
      if (!folders.has(a)) folders.set(a, new Set());
      folders.get(a)!.add(b);
    }
  }
  for (const cycle of folderCycles(folders)) problems.push(`folders import each other (directly or round a loop): ${cycle.join(', ')}`);
  return problems;
}

/** Strongly connected groups of more than one folder (Tarjan), each listed in name order. */
function folderCycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

describe('layering of src/', () => {
  it('keeps to it: no import runs upwards, no stage imports a sibling adapter, no folder cycle', () => {
    const graph = importGraph(SRC);
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('cli/commands/run.ts')).toContain('runner/stages.ts');
    expect(layeringProblems(graph)).toEqual([]);
  });

  it('would fail on the old arrangement: the stage list inside src/pipeline/, next to the contract the stages import', () => {
    // Shaped like the code before the runner moved up: pipeline/stages.ts imported every stage's
    // pipeline-stage.ts, each of which imported pipeline/stage.ts back; tile's reached into sample's.
    const old: ImportGraph = new Map([
      ['pipeline/stages.ts', ['discover/pipeline-stage.ts', 'sample/pipeline-stage.ts', 'tile/pipeline-stage.ts']],
      ['pipeline/run.ts', ['pipeline/stages.ts', 'pipeline/stage.ts']],
      ['pipeline/stage.ts', ['config/pipeline.ts']],
      ['discover/pipeline-stage.ts', ['pipeline/stage.ts', 'discover/stage.ts']],
      ['sample/pipeline-stage.ts', ['pipeline/stage.ts', 'discover/stage.ts']],
      ['tile/pipeline-stage.ts', ['pipeline/stage.ts', 'sample/pipeline-stage.ts']],
      ['config/pipeline.ts', []],
    ]);
    const problems = layeringProblems(old);
    expect(problems).toContain('pipeline/stages.ts imports discover/pipeline-stage.ts: layer 1 (discover) is above layer 0 (pipeline)');
    expect(problems).toContain('folders import each other (directly or round a loop): discover, pipeline, sample, tile');
    // the same graph with today's names: tile's adapter importing sample's is caught as such
    const renamed: ImportGraph = new Map([...old].map(([k, v]) => [k.replace('pipeline-stage', 'adapter'), v.map((t) => t.replace('pipeline-stage', 'adapter'))]));
    expect(layeringProblems(renamed)).toContain("tile/adapter.ts imports sample/adapter.ts: a stage imports another stage's adapter");
  });

  it('names a folder that has no layer yet', () => {
    expect(layeringProblems(new Map([['newthing/a.ts', ['errors.ts']]]))).toEqual(['newthing/a.ts: folder newthing has no layer; add it to LAYERS in test/repo/layering.test.ts']);
  });
});
