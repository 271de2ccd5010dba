import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { landcoverCommand } from '../../src/cli/commands/landcover.js';
import { sampleCommand } from '../../src/cli/commands/sample.js';
import { normalise, samplingSection } from '../../src/config/sections/sampling.js';
import { parseCompareList, policySpec, targetByBin } from '../../src/sample/config-specs.js';
import { loadSection } from '../../src/config/load-section.js';
import { passedCellsFromRecords, joinPassedCells } from '../../src/sample/passed-cells.js';
import { populationFromCells } from '../../src/sample/population.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'terrafm-sampling-cfg-'));
const yamlFile = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('sampling config section', () => {
  it('fills every default', () => {
    expect(normalise(undefined, '/base')).toEqual({
      policy: 'inverse-frequency',
      count: 1000,
      seed: 0,
      alpha: 0.5,
      stratified: { classes: null, diversity: null },
      target: null,
      filters: { maxNodataFraction: 0.5, excludeAllWater: true, maxCloud: 100 },
      landcover: { resolutionM: 80, resampling: 'nearest', source: { kind: 'stac' }, concurrency: 2 },
    });
  });
  it('normalises snake_case keys and resolves a raster path against the pipeline directory', () => {
    const c = normalise(
      {
        policy: 'stratified',
        stratified: { classes: [{ code: 50, top_k: 400, n: 400 }], diversity: { n: 500, top_m: 3000 } },
        landcover: { source: { raster: 'maps/wc.vrt' }, resolution_m: 160 },
        filters: { max_cloud: 20 },
      },
      '/pipelines',
    );
    expect(c.stratified).toEqual({ classes: [{ code: 50, topK: 400, n: 400 }], diversity: { n: 500, topM: 3000 } });
    expect(c.landcover.source).toEqual({ kind: 'raster', path: '/pipelines/maps/wc.vrt' });
    expect(c.landcover.resolutionM).toBe(160);
    expect(c.filters).toEqual({ maxNodataFraction: 0.5, excludeAllWater: true, maxCloud: 20 });
  });
  it('schema rejects unknown keys, bad policies and bad target classes', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(samplingSection.schema);
    expect(validate({ policy: 'random' })).toBe(false);
    expect(validate({ filters: { max_clouds: 3 } })).toBe(false);
    expect(validate({ target: { '15': 1 } })).toBe(false);
    expect(validate({ target: { '10': 1, '95': 2 }, policy: 'target', landcover: { source: 'stac' } })).toBe(true);
  });
  it('rules catch quotas larger than their top-K list', () => {
    const issues = samplingSection.rules!(normalise({ stratified: { classes: [{ code: 95, top_k: 10, n: 20 }] } }));
    expect(issues).toEqual([{ path: 'sampling.stratified.classes.0.n', message: 'n 20 > top_k 10; a quota cannot draw more cells than its top-K list holds' }]);
  });
  it('loads the sampling key of a pipeline file and reports problems with their path', () => {
    const ok = loadSection(yamlFile('ok.yaml', 'name: x\nsampling:\n  policy: target\n  target: {"10": 1, "95": 1}\n  count: 50\n'), 'sampling');
    expect(ok.policy).toBe('target');
    expect(ok.count).toBe(50);
    expect(() => loadSection(yamlFile('bad.yaml', 'sampling:\n  count: -3\n  filters: {max_nodata: 1}\n'), 'sampling')).toThrow(
      /sampling\.count: -3 is out of range; expected a value >= 1\n  - sampling\.filters\.max_nodata: unknown key; allowed keys: max_nodata_fraction, exclude_all_water, max_cloud/,
    );
  });
});

describe('config -> policy specs', () => {
  const cfg = normalise({ alpha: 0.7, target: { '10': 3, '95': 1 } });
  it('maps policies and targets by class code', () => {
    expect(policySpec(cfg, 'inverse-frequency')).toEqual({ policy: 'inverse-frequency', alpha: 0.7 });
    expect(policySpec(cfg, 'inverse-frequency', { alpha: 1 })).toEqual({ policy: 'inverse-frequency', alpha: 1 });
    const t = targetByBin({ '10': 3, '95': 1 });
    expect(Array.from(t)).toEqual([0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(() => targetByBin({ '11': 1 })).toThrow(/target class "11" is not a WorldCover class code/);
  });
  it('parses --compare lists', () => {
    expect(parseCompareList('uniform, inverse-frequency:0.5,inverse-frequency:1,target')).toEqual([
      { name: 'uniform' },
      { name: 'inverse-frequency', alpha: 0.5 },
      { name: 'inverse-frequency', alpha: 1 },
      { name: 'target' },
    ]);
    expect(() => parseCompareList('uniform,best')).toThrow(/unknown policy "best"/);
    expect(() => parseCompareList('target:2')).toThrow(/only inverse-frequency takes a parameter/);
  });
});

describe('cells that passed discovery', () => {
  it('reads CellScenes and plain records, joins them with the land-cover table', () => {
    const passed = passedCellsFromRecords(
      [
        { cell: { id: 'a' }, scenes: { s2_l2a: [{ cloudCover: 12 }] } },
        { cellId: 'b' },
        { cell_id: 'z', cloud_cover: 3 },
      ],
      'cells.json',
    );
    expect([...passed]).toEqual([
      ['a', 12],
      ['b', null],
      ['z', 3],
    ]);
    const h = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const pop = populationFromCells(['a', 'b', 'c'].map((id) => ({ cellId: id, lon: 0, lat: 0, epsg: 32631, histogram: h })));
    const j = joinPassedCells(pop, passed);
    expect(j.population.ids).toEqual(['a', 'b']);
    expect(j.population.cloud[0]).toBe(12);
    expect(Number.isNaN(j.population.cloud[1])).toBe(true);
    expect(j.missing).toBe(1);
    expect(() => passedCellsFromRecords([{ foo: 1 }], 'cells.json')).toThrow(/cells.json: record 0 has no cell id/);
    expect(() => passedCellsFromRecords([{ cellId: 'x', cloudCover: 'lots' }], 'c.json')).toThrow(/cloud cover "lots"; expected a percent/);
  });
});

describe('CLI option parsing', () => {
  it('sample: flags override the pipeline and bad values are usage errors', () => {
    const pipeline = yamlFile('p.yaml', 'sampling:\n  policy: stratified\n  count: 77\n  seed: 5\n');
    const o = sampleCommand.parse({ landcover: 'lc.parquet', out: 'o', pipeline, seed: '9', 'keep-water': true, compare: 'uniform,inverse-frequency:1' }, []);
    expect(o.sampling.policy).toBe('stratified');
    expect(o.sampling.count).toBe(77);
    expect(o.sampling.seed).toBe(9);
    expect(o.sampling.filters.excludeAllWater).toBe(false);
    expect(o.compare).toEqual([{ name: 'uniform' }, { name: 'inverse-frequency', alpha: 1 }]);
    expect(() => sampleCommand.parse({ out: 'o' }, [])).toThrow(/missing --landcover/);
    expect(() => sampleCommand.parse({ landcover: 'x', out: 'o', policy: 'best' }, [])).toThrow(/--policy: "best" is not valid/);
    expect(() => sampleCommand.parse({ landcover: 'x', out: 'o', 'max-cloud': '120' }, [])).toThrow(/--max-cloud: 120 is not valid/);
  });
  it('landcover: needs exactly one cell source and at most one map source', () => {
    const o = landcoverCommand.parse({ out: 'o', bbox: '6,0,9,3', raster: 'wc.tif', resolution: '160' }, []);
    expect(o.landcover).toMatchObject({ resolutionM: 160, resampling: 'nearest', source: { kind: 'raster', path: 'wc.tif' } });
    expect(o.cells).toMatchObject({ bbox: [6, 0, 9, 3], cellSizeKm: 10, tileSizePx: 1068, gridResolutionM: 10 }); // the pipeline's grid
    expect(() => landcoverCommand.parse({ out: 'o' }, [])).toThrow(/exactly one of --bbox/);
    expect(() => landcoverCommand.parse({ out: 'o', bbox: '6,0,5,3' }, [])).toThrow(/--bbox: "6,0,5,3" is not valid/);
    expect(() => landcoverCommand.parse({ out: 'o', bbox: '6,0,9,3', raster: 'a', href: ['b'] }, [])).toThrow(/at most one of --raster, --href, --hrefs-file/);
  });
});
