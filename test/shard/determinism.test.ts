// Writing the same tiles twice must give byte-identical files (no timestamps, stable order).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { cleanupTempDirs, tempDir, writeCorpus } from './helpers.js';

afterAll(() => cleanupTempDirs());

it('writes byte-identical shards, manifest and stats for identical inputs', async () => {
  const a = tempDir('det-a');
  const b = tempDir('det-b');
  await writeCorpus(a, Array.from({ length: 7 }, (_, i) => syntheticTile(i, { size: 24 })), { max_rows: 3, row_group_rows: 2 });
  await writeCorpus(b, Array.from({ length: 7 }, (_, i) => syntheticTile(i, { size: 24 })), { max_rows: 3, row_group_rows: 2 });
  const files = readdirSync(a).sort();
  expect(files).toEqual(['manifest.json', 'shard-00000.parquet', 'shard-00001.parquet', 'shard-00002.parquet', 'stats.json']);
  expect(readdirSync(b).sort()).toEqual(files);
  for (const f of files) expect(Buffer.compare(readFileSync(join(a, f)), readFileSync(join(b, f))), f).toBe(0);
});

it('gives different bytes when one pixel differs', async () => {
  const a = tempDir('det-c');
  const b = tempDir('det-d');
  const t = syntheticTile(1, { size: 16 });
  await writeCorpus(a, [t]);
  (t.modalities.s2_l2a!.data as Uint16Array)[5] += 1;
  await writeCorpus(b, [t]);
  expect(Buffer.compare(readFileSync(join(a, 'shard-00000.parquet')), readFileSync(join(b, 'shard-00000.parquet')))).not.toBe(0);
});

it('is byte-identical for full-size tiles, whose pages are compressed ahead on other threads', async () => {
  const a = tempDir('det-e');
  const b = tempDir('det-f');
  await writeCorpus(a, [0, 1, 2].map((i) => syntheticTile(i, { size: 256 })), { row_group_rows: 2 });
  await writeCorpus(b, [0, 1, 2].map((i) => syntheticTile(i, { size: 256 })), { row_group_rows: 2 });
  expect(Buffer.compare(readFileSync(join(a, 'shard-00000.parquet')), readFileSync(join(b, 'shard-00000.parquet')))).toBe(0);
});
