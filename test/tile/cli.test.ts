// `terrafm tile` end to end on small scenes files: summary text, COGs, failures file, exit code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { tileCommand } from '../../src/cli/commands/tile.js';
import { ExitCode } from '../../src/errors.js';
import { S2_DIR, cell, scene, tempDir } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ALL = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12'];
// The real 29RKH fixture has 6 of the 12 L2A bands; real files on the same grid stand in for the
// others so the default 12-band configuration runs.
const FILE: Record<string, string> = { B01: 'B01', B02: 'B02', B03: 'B03', B04: 'B04', B05: 'B04', B06: 'B04', B07: 'B08', B08: 'B08', B8A: 'B08', B09: 'B01', B11: 'B11', B12: 'B11' };
const l2a = (id: string, root: string) =>
  scene(id, Object.fromEntries([...ALL.map((b) => [b, path.join(root, `${FILE[b]}.tif`)]), ['SCL', path.join(root, 'SCL.tif')]]), { epsg: 32629 });

function capture() {
  const stdout = new PassThrough();
  const io = { stdout, text: '' };
  stdout.on('data', (d) => (io.text += d));
  return io;
}

describe('terrafm tile', () => {
  it('tiles the cells, writes COGs and the failures table, exits with "partial" when a tile failed', async () => {
    const rows = [
      { cell: cell('A_ok', 32629, 250000, 2760000, 100, 32), scenes: { s2_l2a: [l2a('good', S2_DIR)] } },
      { cell: cell('B_missing', 32629, 250000, 2760000, 100, 32), scenes: { s2_l2a: [l2a('bad', path.join(dir, 'nowhere'))] } },
    ];
    const scenesFile = path.join(dir, 'scenes.jsonl');
    await writeFile(scenesFile, rows.map((r) => JSON.stringify(r)).join('\n'));
    const io = capture();
    const opts = tileCommand.parse({ scenes: scenesFile, cog: path.join(dir, 'cogs'), failures: path.join(dir, 'failures.jsonl'), concurrency: '2' }, []);
    const code = await tileCommand.run(opts, io);
    expect(code).toBe(ExitCode.partial);
    expect(io.text).toMatch(/^tile: 2 tiles planned, 1 ok, 1 failed, 0 skipped in [\d.]+ s\n/);
    expect(io.text).toContain('wrote 2 COGs');
    expect(io.text).toContain(`B_missing  failure  open   ${path.join(dir, 'nowhere', 'B01.tif')}`);
    expect((await readdir(path.join(dir, 'cogs', 'A_ok'))).sort()).toEqual(['landcover.tif', 's2_l2a.tif']);
    const failures = (await readFile(path.join(dir, 'failures.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ tileId: 'B_missing', stage: 'open', href: path.join(dir, 'nowhere', 'B01.tif') });
    expect(failures[0].error).toMatch(/^cannot open as a raster \(.*No such file or directory\); expected a readable GeoTIFF\/COG$/);
  });

  it('exits 0 when every tile succeeds; --cells selects cells', async () => {
    const scenesFile = path.join(dir, 'scenes.json');
    await writeFile(
      scenesFile,
      JSON.stringify([
        { cell: cell('C_ok', 32629, 250000, 2760000, 100, 32), scenes: { s2_l2a: [l2a('s2', S2_DIR)] } },
        { cell: cell('D_bad', 32629, 250000, 2760000, 100, 32), scenes: { s2_l2a: [l2a('bad', path.join(dir, 'nowhere'))] } },
      ]),
    );
    const io = capture();
    const code = await tileCommand.run(tileCommand.parse({ scenes: scenesFile, cells: 'C_ok' }, []), io);
    expect(code).toBe(ExitCode.ok);
    expect(io.text).toMatch(/^tile: 1 tiles planned, 1 ok, 0 failed, 0 skipped/);
  });

  it('rejects a missing --scenes, unknown cells and a malformed scenes file', async () => {
    expect(() => tileCommand.parse({}, [])).toThrow('missing --scenes <scenes.parquet>');
    const f = path.join(dir, 'one.json');
    await writeFile(f, JSON.stringify([{ cell: cell('X', 32629, 250000, 2760000, 100, 8), scenes: {} }]));
    await expect(tileCommand.run(tileCommand.parse({ scenes: f, cells: 'Y' }, []), capture())).rejects.toThrow(`--cells: Y not in ${f}`);
    await writeFile(f, '{"nope": 1}');
    await expect(tileCommand.run(tileCommand.parse({ scenes: f }, []), capture())).rejects.toThrow('row 1 has no cell.id and scenes');
  });
});
