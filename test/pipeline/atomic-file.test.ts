import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/atomic-file.js';
import { ShardError } from '../../src/errors.js';
import { writeCorpusFile } from '../../src/shard/manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'terrafm-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('creates the parent folder, replaces an old file and leaves no .tmp', () => {
    const file = join(dir, 'a', 'b', 'x.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, Uint8Array.from([110, 101, 119])); // "new"
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['x.json']);
  });

  it('corpus files fail with a ShardError naming the file, keeping the old content', () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'file');
    const target = join(blocker, 'manifest.json');
    expect(() => writeCorpusFile(target, '{}')).toThrow(ShardError);
    expect(() => writeCorpusFile(target, '{}')).toThrow(`cannot write ${target}: `);
    expect(readFileSync(blocker, 'utf8')).toBe('file');
  });
});
