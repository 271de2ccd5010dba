// Quicklooks stored in the shards (schema v2): a small PNG per tile and image, equal to what the image
// module computes from the tile; off by config; `terrafm quicklook` turns them into a contact sheet.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quicklookCommand } from '../../src/cli/commands/quicklook.js';
import { UsageError } from '../../src/errors.js';
import { decodePngRgb } from '../../src/image/png.js';
import { tileQuicklooks } from '../../src/image/quicklook.js';
import { openShard, readQuicklooks } from '../../src/shard/reader.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { FIXTURES_DIR } from '../support/fixtures.js';
import { cleanupTempDirs, tempDir, writeCorpus } from '../shard/helpers.js';

const tiles = Array.from({ length: 5 }, (_, i) => syntheticTile(i, { size: 32, omit: i === 1 ? ['s1'] : i === 3 ? ['s2_l2a'] : [] }));
let dir: string;
beforeAll(async () => {
  dir = tempDir('ql');
  await writeCorpus(dir, tiles, { quicklook_px: 24 });
});
afterAll(() => cleanupTempDirs());

async function stored(d: string) {
  const s = await openShard(join(d, 'shard-00000.parquet'));
  const out = [];
  for await (const q of readQuicklooks(s)) out.push(q);
  await s.close();
  return out;
}

describe('quicklook columns', () => {
  it('hold a PNG per tile and image, a few KB, equal to the computed preview', async () => {
    const q = await stored(dir);
    expect(q.map((r) => r.tileId)).toEqual(tiles.map((t) => t.tileId));
    q.forEach((r, i) => {
      const want = tileQuicklooks(tiles[i].modalities, 24);
      expect(r.s2 && decodePngRgb(r.s2)).toEqual(want.s2 ?? null);
      expect(r.s1 && decodePngRgb(r.s1)).toEqual(want.s1 ?? null);
      for (const png of [r.s2, r.s1]) if (png) expect(png.byteLength).toBeLessThan(4 * 1024);
    });
    expect(q[1].s1).toBeNull(); // no S1
    expect(q[3].s2).not.toBeNull(); // no L2A: the L1C gives the true colour
  });

  it('are null with shard.quicklooks false, and absent from v1 shards', async () => {
    const off = tempDir('qloff');
    await writeCorpus(off, tiles.slice(0, 2), { quicklooks: false });
    expect((await stored(off)).map((r) => [r.s2, r.s1])).toEqual([[null, null], [null, null]]);
    const v1 = await openShard(join(FIXTURES_DIR, 'shard-v1', 'shard-00000.parquet'));
    await expect(readQuicklooks(v1).next()).rejects.toThrow('schema v1 has no quicklook columns (added in v2)');
    await v1.close();
  });
});

describe('terrafm quicklook', () => {
  it('writes a contact sheet of (S2, S1) pairs and one PNG per tile and image', async () => {
    const out = join(tempDir('qlout'), 'sheet');
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (c) => (text += String(c)));
    expect(await quicklookCommand.run(quicklookCommand.parse({ out, columns: '2' }, [dir]), { stdout })).toBe(0);
    expect(text).toBe(`${join(out, 'contact-sheet.png')}: 5 tiles; 9 quicklook files in ${out}\n`);
    const sheet = decodePngRgb(readFileSync(join(out, 'contact-sheet.png')));
    expect([sheet.width, sheet.height]).toEqual([4 * 24 + 5 * 2, 3 * 24 + 4 * 2]); // 2 tiles (4 images) a row, 3 rows
    expect(JSON.parse(readFileSync(join(out, 'contact-sheet.json'), 'utf8')).tiles).toEqual(tiles.map((t) => t.tileId));
    expect(existsSync(join(out, 'T000001_s1.png'))).toBe(false);
    expect(decodePngRgb(readFileSync(join(out, 'T000000_s2.png'))).width).toBe(24);
  });

  it('needs --out and positive numbers', () => {
    expect(() => quicklookCommand.parse({}, [dir])).toThrow(UsageError);
    expect(() => quicklookCommand.parse({ out: 'x', limit: '0' }, [dir])).toThrow('quicklook: --limit "0" is not a positive integer');
  });
});
