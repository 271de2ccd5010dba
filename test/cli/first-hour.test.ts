// A new user's first hour: negative numbers in --bbox as written, west > east only with
// --antimeridian (or area.antimeridian), landcover cells on the pipeline's grid (ids join with
// `grid` and `discover`), inspect/validate on a run directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { landcoverCommand } from '../../src/cli/commands/landcover.js';
import { joinNegativeValues, main } from '../../src/cli/main.js';
import { parsePipeline } from '../../src/config/load.js';
import { ConfigError, ExitCode } from '../../src/errors.js';
import { coverArea, Grid } from '../../src/grid/index.js';
import { cellsInBBox } from '../../src/sample/landcover/cells-input.js';
import { syntheticTile } from '../../src/shard/synthetic.js';
import { writeCorpus } from '../shard/helpers.js';

const root = mkdtempSync(join(tmpdir(), 'terrafm-first-hour-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (t: string) => ((out += t), true) } as never, stderr: { write: (t: string) => ((err += t), true) } as never });
  return { code, out, err };
}

describe('--bbox with negative numbers', () => {
  it('west of Greenwich and south of the equator work as written', async () => {
    const r = await cli(['grid', '--bbox', '-111.7,40.5,-111.6,40.6', '--count']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const cells = [...coverArea(new Grid({ cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 }), { kind: 'bbox', bboxes: [[-111.7, 40.5, -111.6, 40.6]] })].flat().length;
    expect(r.out.trim()).toBe(String(cells));
    const s = await cli(['grid', '--bbox', '-70.1,-33.6,-70,-33.5', '--count', '--cell-size-km', '10']);
    expect(s.code, s.err).toBe(0);
  });

  it('joins only a value that starts with minus and a digit, after a string option', () => {
    const opts = { bbox: { type: 'string' }, count: { type: 'boolean' } };
    expect(joinNegativeValues(['--bbox', '-1,2,3,4', '--count'], opts)).toEqual(['--bbox=-1,2,3,4', '--count']);
    expect(joinNegativeValues(['--bbox', '-.5,2,3,4'], opts)).toEqual(['--bbox=-.5,2,3,4']);
    expect(joinNegativeValues(['--count', '-1'], opts)).toEqual(['--count', '-1']);
    expect(joinNegativeValues(['--bbox', '--count'], opts)).toEqual(['--bbox', '--count']);
  });
});

describe('west > east', () => {
  it('is an error that says how to ask for the antimeridian; with --antimeridian it crosses', async () => {
    const r = await cli(['grid', '--bbox', '8,45,7,46', '--count']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toBe('error: cli: --bbox 8,45,7,46: west 8 is east of east 7; expected west < east, or --antimeridian for a box that crosses the antimeridian\n');
    const ok = await cli(['grid', '--bbox', '179.5,-17,-179.5,-16', '--antimeridian', '--count']);
    expect(ok.code, ok.err).toBe(0);
    expect(Number(ok.out)).toBeGreaterThan(0);
  });

  it('in a pipeline file needs area.antimeridian: true', () => {
    const yaml = (area: string) => `version: 1\nname: t\narea: ${area}\ntime: { start: 2021-01-01, end: 2021-02-01 }\nsources: { s2_l2a: { provider: earth-search, collection: sentinel-2-l2a } }\n`;
    expect(() => parsePipeline(yaml('{ bbox: [8, 45, 7, 46] }'), 'p.yaml')).toThrow(ConfigError);
    expect(() => parsePipeline(yaml('{ bbox: [8, 45, 7, 46] }'), 'p.yaml')).toThrow(
      'area.bbox (line 3): west 8 is east of east 7; expected west < east, or antimeridian: true (--antimeridian on the command line) for a box that crosses the antimeridian',
    );
    expect(parsePipeline(yaml('{ bbox: [179, -17, -179, -16], antimeridian: true }'), 'p.yaml').area).toEqual({ kind: 'bbox', bboxes: [[179, -17, -179, -16]] });
    expect(() => parsePipeline(yaml('{ global: true, antimeridian: true }'), 'p.yaml')).toThrow('area.antimeridian (line 3): only applies to bbox areas');
  });
});

describe('landcover --bbox uses the pipeline grid', () => {
  it('its cell ids are the ids `grid` gives for the same box', () => {
    const o = landcoverCommand.parse({ out: join(root, 'lc'), bbox: '9.0,47.7,9.1,47.8' }, []);
    if (!('bbox' in o.cells)) throw new Error('expected bbox cells');
    const lc = cellsInBBox(o.cells.bbox, { cellSizeKm: o.cells.cellSizeKm, tileSizePx: o.cells.tileSizePx, resolutionM: o.cells.gridResolutionM }).map((c) => c.id);
    const grid = [...coverArea(new Grid({ cellSizeKm: 10, tileSizePx: 1068, resolutionM: 10 }), { kind: 'bbox', bboxes: [[9.0, 47.7, 9.1, 47.8]] })].flat().map((c) => c.id);
    expect(lc.length).toBeGreaterThan(0);
    expect(lc).toEqual(grid);
  });
});

describe('commands that take a corpus accept the run directory', () => {
  it('inspect and validate use <run>/corpus and say so', async () => {
    const run = join(root, 'run');
    await writeCorpus(join(run, 'corpus'), Array.from({ length: 3 }, (_, i) => syntheticTile(i, { size: 16 })));
    const i = await cli(['inspect', run]);
    expect(i.code, i.err).toBe(0);
    expect(i.err).toContain(`${run} is a run directory: using its corpus ${join(run, 'corpus')}`);
    const v = await cli(['validate', run]);
    expect(v.code, v.err).toBe(0);
    expect(v.out).toMatch(new RegExp(`^ok: ${join(run, 'corpus')}: 1 shards, 3 tiles`));
  });
});
