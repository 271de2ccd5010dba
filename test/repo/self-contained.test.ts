// The checkout is the whole world of the tests: nothing in src/, test/, bench/ or scripts/ may name a
// path outside the repository root (a bare clone has no sibling folders), and every fixture file is the
// one the manifest lists, byte for byte.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, REPO_ROOT } from '../support/fixtures.js';

const SCANNED = ['src', 'test', 'bench', 'scripts'];
const CODE = /\.(ts|mts|mjs|js|sh|py)$/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : CODE.test(e.name) ? [p] : [];
  });
}

const inside = (p: string) => p === REPO_ROOT || p.startsWith(REPO_ROOT + path.sep);

/**
 * Problems with the path literals of one source text (`file` is where it lives): a literal that names
 * a place outside explicitly (`/work/...`, the sibling `shared` folder, `shared/data/`), or a `../` literal given to a
 * path call whose base is the file's own folder (`import.meta.dirname`, `__dirname`, `dirname(...)`)
 * or the repository root (`repoRoot`, `REPO_ROOT`, `root`) and that resolves outside the repository.
 * Other `../` strings (relative STAC links, module specifiers) are not paths on this machine.
 */
// The sibling folder this check keeps out, spelled in pieces so this file does not itself name it.
const SIBLING = ['..', 'shared'].join('/');
const NAMED_OUTSIDE = new RegExp(`(^|[\\s/=:])/work/|${SIBLING.replace(/\./g, '\\.')}\\b|shared/data/`);

export function outsidePaths(file: string, text: string): string[] {
  const problems: string[] = [];
  const literal = /(['"`])((?:[^'"`\\\n]|\\.)*)\1/g;
  const pathCall = /\b(?:resolve|join)\(/g;
  text.split('\n').forEach((line, i) => {
    const at = (s: string) => `${path.relative(REPO_ROOT, file)}:${i + 1}: ${JSON.stringify(s)}`;
    for (const m of line.matchAll(literal)) {
      if (NAMED_OUTSIDE.test(m[2])) problems.push(`${at(m[2])} names a folder outside the repository`);
    }
    for (const call of line.matchAll(pathCall)) {
      // the call's first argument, up to the first comma outside parentheses
      let depth = 0, end = call.index! + call[0].length;
      for (; end < line.length && !(depth === 0 && line[end] === ','); end++) depth += line[end] === '(' ? 1 : line[end] === ')' ? -1 : 0;
      const base = line.slice(call.index! + call[0].length, end).trim();
      const from = /import\.meta|__dirname|\bdirname\(/.test(base) ? path.dirname(file) : /^(repoRoot|REPO_ROOT|root)$/.test(base) ? REPO_ROOT : null;
      if (!from) continue;
      // the literal arguments that follow the base, joined as the call joins them
      const args = /^(?:\s*(['"`])([^'"`$]*)\1\s*,?)+/.exec(line.slice(end + 1))?.[0] ?? '';
      const parts = [...args.matchAll(literal)].map((m) => m[2]);
      const target = path.resolve(from, ...parts);
      if (parts.some((p) => p.startsWith('..')) && !inside(target)) problems.push(`${at(parts.join(', '))} resolves outside the repository (${target})`);
    }
  });
  return problems;
}

describe('a self-contained checkout', () => {
  it('names no path outside the repository in src/, test/, bench/ or scripts/', () => {
    // this file is the checker: its examples name outside paths on purpose
    const self = fileURLToPath(import.meta.url);
    const files = SCANNED.flatMap((d) => filesUnder(path.join(REPO_ROOT, d))).filter((f) => f !== self);
    const problems = files.flatMap((f) => outsidePaths(f, readFileSync(f, 'utf8')));
    expect(problems).toEqual([]);
  });

  it('flags the forms that read outside (the check can fail)', () => {
    const f = path.join(REPO_ROOT, 'test/tile/helpers.ts');
    // named and resolved outside: two findings
    expect(outsidePaths(f, `const REAL = path.resolve(repoRoot, '${SIBLING}/data/real/raster');`)).toHaveLength(2);
    expect(outsidePaths(f, `const REAL = '${SIBLING}/docs';`)).toHaveLength(1);
    expect(outsidePaths(f, "const R = path.resolve(repoRoot, '../sibling/data');")).toEqual([
      `test/tile/helpers.ts:1: "../sibling/data" resolves outside the repository (${path.resolve(REPO_ROOT, '..', 'sibling/data')})`,
    ]);
    expect(outsidePaths(f, "const R = resolve(import.meta.dirname, '../../../elsewhere');")).toHaveLength(1);
    expect(outsidePaths(f, "const R = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '../../x');")).toHaveLength(1);
    expect(outsidePaths(f, "const R = '/work/shared/x';")).toHaveLength(1);
    // inside: the repository root from a nested folder, a sibling folder, links and module specifiers
    expect(outsidePaths(f, "const root = path.resolve(import.meta.dirname, '../..'); const s = path.join(import.meta.dirname, '../support');")).toEqual([]);
    expect(outsidePaths(f, "links: [{ rel: 'root', href: '../../catalog.json' }]; import { x } from '../../src/model/types.js';")).toEqual([]);
  });

  it('ships every fixture listed in data/fixtures/SHA256SUMS with its checksum, and nothing unlisted', () => {
    const sums = readFileSync(path.join(FIXTURES_DIR, 'SHA256SUMS'), 'utf8').trim().split('\n');
    const listed = new Map(sums.map((l) => {
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(l);
      if (!m) throw new Error(`data/fixtures/SHA256SUMS: malformed line ${JSON.stringify(l)}`);
      return [m[2], m[1]] as const;
    }));
    const bad: string[] = [];
    for (const [name, sum] of listed) {
      const p = path.join(FIXTURES_DIR, name);
      if (!existsSync(p)) { bad.push(`${name}: missing`); continue; }
      const got = createHash('sha256').update(readFileSync(p)).digest('hex');
      if (got !== sum) bad.push(`${name}: sha256 ${got}, expected ${sum}`);
    }
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => {
      const p = path.join(d, n);
      return statSync(p).isDirectory() ? walk(p) : [path.relative(FIXTURES_DIR, p)];
    });
    const unlisted = walk(FIXTURES_DIR).filter((n) => n !== 'SHA256SUMS' && !listed.has(n));
    expect(bad).toEqual([]);
    expect(unlisted).toEqual([]);
    expect(listed.size).toBeGreaterThan(50);
  });
});
