import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipelineFile, parsePipeline } from '../../src/config/load.js';
import { loadSection } from '../../src/config/load-section.js';
import { SECTIONS } from '../../src/config/pipeline.js';
import { schemaDefaults } from '../../src/config/section.js';
import { ConfigError } from '../../src/errors.js';
import { SCHEMA_PATH, schemaText } from '../../scripts/write-schema.js';

const valid = `
name: t1
area: { bbox: [1, 2, 3, 4] }
time: { start: 2021-01-01, end: 2021-12-31 }
grid: { cell_size_km: 2.56, tile_size_px: 256, resolution_m: 10 }
sources:
  s2_l2a: { provider: earth-search, collection: sentinel-2-l2a, cloud_max: 40 }
  s1: { provider: earth-search, collection: sentinel-1-grd, orbit: ascending }
`;

function errorText(yaml: string): string {
  try {
    parsePipeline(yaml, 'p.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return String(e);
  }
  throw new Error('expected a ConfigError');
}

describe('pipeline config', () => {
  it('normalises a valid file with documented defaults', () => {
    const c = parsePipeline(valid, '/x/p.yaml');
    expect(c.name).toBe('t1');
    expect(c.area).toEqual({ kind: 'bbox', bboxes: [[1, 2, 3, 4]] });
    expect(c.time).toEqual({ start: '2021-01-01T00:00:00Z', end: '2021-12-31T23:59:59Z' });
    expect(c.grid).toEqual({ cellSizeKm: 2.56, tileSizePx: 256, resolutionM: 10 });
    expect(c.sources.s2_l2a).toMatchObject({ provider: 'earth-search', collection: 'sentinel-2-l2a', cloudMax: 40, limit: 100, altCollections: [] });
    expect(c.sources.s1).toMatchObject({ orbit: 'ascending', product: 'grd', polarizations: ['VV', 'VH'] });
    expect(c.pairing).toEqual({ windowDays: 15, require: 'all-configured', keepIncomplete: false, minCoverage: 0.99 });
    expect(c.discover).toEqual({ concurrency: 4, timeoutS: 30, maxAttempts: 6, cache: true, batchCells: 64 });
    expect(c.output.dir).toMatch(/runs\/t1$/);
  });

  it('rejects an unknown key, naming it and suggesting the right one', () => {
    expect(errorText(valid.replace('cell_size_km', 'cel_size_km'))).toBe(
      'config: p.yaml: 1 problem\n  - grid.cel_size_km (line 5): unknown key (did you mean "cell_size_km"?); allowed keys: cell_size_km, tile_size_px, resolution_m',
    );
  });

  it('rejects a wrong type with the bad value', () => {
    expect(errorText(valid.replace('tile_size_px: 256', 'tile_size_px: "big"'))).toBe(
      'config: p.yaml: 1 problem\n  - grid.tile_size_px (line 5): expected integer, got string "big"',
    );
  });

  it('rejects an end date before the start date', () => {
    expect(errorText(valid.replace('end: 2021-12-31', 'end: 2020-06-30'))).toBe(
      'config: p.yaml: 1 problem\n  - time.end (line 4): 2020-06-30 is before time.start 2021-01-01; expected an end on or after the start',
    );
  });

  it('rejects an unknown provider, listing the allowed ones', () => {
    expect(errorText(valid.replace('provider: earth-search, collection: sentinel-1-grd', 'provider: copernicus-hub, collection: sentinel-1-grd'))).toBe(
      'config: p.yaml: 1 problem\n  - sources.s1.provider (line 8): "copernicus-hub" is not allowed; expected one of: static, earth-search, planetary-computer, stac-api, file',
    );
  });

  it('reports every schema problem at once', () => {
    const text = errorText(valid.replace('cloud_max: 40', 'cloud_max: 140').replace('orbit: ascending', 'orbit: sideways').replace('name: t1', 'name: "bad name"'));
    expect(text).toContain('3 problems');
    expect(text).toContain('sources.s2_l2a.cloud_max (line 7): 140 is out of range; expected a value <= 100');
    expect(text).toContain('sources.s1.orbit (line 8): "sideways" is not allowed; expected one of: any, ascending, descending');
    expect(text).toContain('name (line 2): "bad name" does not match; expected Pipeline name: letters, digits, dot, dash, underscore.');
  });

  it('rejects a missing required section and a malformed date', () => {
    expect(errorText(valid.replace(/^time:.*$/m, ''))).toBe('config: p.yaml: 1 problem\n  - time: missing required key');
    expect(errorText(valid.replace('start: 2021-01-01', 'start: 2021-13'))).toContain(
      'time.start (line 4): "2021-13" does not match; expected Date (YYYY-MM-DD) or RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ).',
    );
  });

  it('checks cross-field rules: provider needs, area form, bbox order, tile covering its cell', () => {
    const text = errorText(
      valid
        .replace('provider: earth-search, collection: sentinel-2-l2a', 'provider: static, collection: sentinel-2-l2a')
        .replace('bbox: [1, 2, 3, 4]', 'bbox: [1, 4, 3, 2]'),
    );
    expect(text).toContain('area.bbox (line 3): south 4 is not below north 2; expected [west, south, east, north]');
    expect(errorText(valid.replace('provider: earth-search, collection: sentinel-2-l2a', 'provider: static, collection: sentinel-2-l2a'))).toContain(
      'sources.s2_l2a.catalog (line 7): missing; provider static needs the path of a catalog.json',
    );
    expect(errorText(valid.replace('area: { bbox: [1, 2, 3, 4] }', 'area: { bbox: [1, 2, 3, 4], global: true }'))).toContain(
      'area (line 3): has bbox, global; expected exactly one of bbox, geojson, global',
    );
    expect(errorText(valid.replace('tile_size_px: 256', 'tile_size_px: 128'))).toContain(
      'grid.tile_size_px (line 5): 128 px at 10 m covers 1.28 km, less than cell_size_km 2.56; expected tile_size_px * resolution_m >= cell_size_km * 1000',
    );
  });

  it('checks rules that span sections: required modalities must be configured', () => {
    expect(errorText(`${valid}pairing: { require: [s2_l2a, s2_l1c] }\n`)).toBe(
      'config: p.yaml: 1 problem\n  - pairing.require (line 9): "s2_l1c" is required but sources.s2_l1c is not configured; expected only configured modalities (s2_l2a, s1)',
    );
  });

  it('reports YAML syntax errors with the line and a missing file clearly', () => {
    expect(errorText('name: x\narea: {bbox: [1, 2\ntime: 3\n')).toBe(
      'config: p.yaml: 2 problems\n' +
        '  - (root) (line 3): YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]\n' +
        '  - (root) (line 3): YAML syntax: Flow map in block collection must be sufficiently indented and end with a }',
    );
    expect(errorText('name: x\nname: y\n')).toContain('YAML syntax: Map keys must be unique');
    expect(() => loadPipelineFile('/nonexistent/p.yaml')).toThrow('/nonexistent/p.yaml: 1 problem\n  - (root): cannot read the file (ENOENT); expected a pipeline YAML file');
  });

  it('reads a GeoJSON area relative to the pipeline file and rejects a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'aoi.geojson'), JSON.stringify({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } }));
    writeFileSync(join(dir, 'p.yaml'), valid.replace('area: { bbox: [1, 2, 3, 4] }', 'area: { geojson: aoi.geojson }'));
    const c = loadPipelineFile(join(dir, 'p.yaml'));
    expect(c.area).toEqual({ kind: 'geojson', path: join(dir, 'aoi.geojson'), geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] } });
    writeFileSync(join(dir, 'q.yaml'), valid.replace('area: { bbox: [1, 2, 3, 4] }', 'area: { geojson: nope.geojson }'));
    expect(() => loadPipelineFile(join(dir, 'q.yaml'))).toThrow(`area.geojson (line 3): cannot read ${join(dir, 'nope.geojson')}: ENOENT`);
  });

  it('keeps schemas/pipeline.schema.json in sync with the sections (run scripts/write-schema.ts)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(schemaText());
  });

  it('accepts every pipeline in pipelines/', () => {
    const dir = new URL('../../pipelines/', import.meta.url).pathname;
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(() => loadPipelineFile(join(dir, f)), f).not.toThrow();
  });
});

describe('one section on its own (loadSection)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'terrafm-section-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('gives what the pipeline loader gives for that section, every default included', () => {
    const p = file('full.yaml', `${valid}sampling: { count: 7, landcover: { source: { raster: wc.tif } } }\ntile: { concurrency: 3 }\ntrain: { steps: 5 }\n`);
    const whole = loadPipelineFile(p);
    expect(loadSection(p, 'sampling')).toEqual(whole.sampling);
    expect(loadSection(p, 'sampling').landcover.source).toEqual({ kind: 'raster', path: join(dir, 'wc.tif') });
    expect(loadSection(p, 'tile')).toEqual(whole.tile);
    expect(loadSection(p, 'train')).toEqual(whole.train);
    expect(loadSection(p, 'grid')).toEqual(whole.grid);
  });

  it('without the section, or without a file, gives the defaults of the schema', () => {
    const p = file('bare.yaml', valid);
    const withSections = loadPipelineFile(file('defaults.yaml', `${valid}sampling: {}\ntrain: {}\n`));
    expect(loadSection(p, 'sampling')).toEqual(withSections.sampling);
    expect(loadSection(undefined, 'train')).toEqual(withSections.train);
    expect(loadSection(undefined, 'tile')).toEqual(loadPipelineFile(p).tile);
  });

  it('puts command-line values over the file, then checks the result with the section rules', () => {
    const p = file('train.yaml', 'train: { steps: 5, crops: { global_size: 64 } }\n');
    const cfg = loadSection(p, 'train', { override: (raw) => ({ ...raw, lr: 0.001 }) });
    expect([cfg.steps, cfg.lr, cfg.crops.globalSize]).toEqual([5, 0.001, 64]);
    expect(() => loadSection(p, 'train', { override: (raw) => ({ ...raw, crops: { global_size: 60 } }) })).toThrow(
      `${p}: 1 problem\n  - train.crops.global_size: 60 is not a multiple of the tiny patch size 8`,
    );
  });

  it('names the file and every problem: schema, YAML syntax, a missing file', () => {
    expect(() => loadSection(file('bad.yaml', 'sampling:\n  count: -3\n'), 'sampling')).toThrow(/bad\.yaml: 1 problem\n {2}- sampling\.count: -3 is out of range; expected a value >= 1/);
    expect(() => loadSection(file('syntax.yaml', 'sampling: [\n'), 'sampling')).toThrow(/syntax\.yaml: 1 problem\n {2}- \(root\) \(line \d+\): YAML syntax: /);
    expect(() => loadSection('/nonexistent/p.yaml', 'tile')).toThrow('/nonexistent/p.yaml: 1 problem\n  - (root): cannot read the file (ENOENT); expected a pipeline YAML file');
  });
});

describe('defaults', () => {
  // Each default is written once, in the section's schema (what editors and schemas/pipeline.schema.json
  // show); normalisers fill in from schemaDefaults(schema). This checks the whole path end to end.
  const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const compare = (schema: Record<string, any>, value: any, path: string, out: string[]) => {
    for (const [k, p] of Object.entries<Record<string, any>>(schema.properties ?? {})) {
      const v = value?.[camel(k)];
      if ('default' in p) out.push(`${path}.${k}: ${JSON.stringify(p.default)} -> ${JSON.stringify(v)}`);
      else if (p.type === 'object' && v && typeof v === 'object') compare(p, v, `${path}.${k}`, out);
    }
  };

  it('the normaliser fills in exactly the defaults the schema states', () => {
    const checked: string[] = [];
    for (const s of SECTIONS.filter((x) => !x.required)) compare(s.schema, s.normalise({} as never, { baseDir: '.' }), s.key, checked);
    expect(checked.length).toBeGreaterThan(30);
    const differing = checked.filter((line) => {
      const [schema, normalised] = line.slice(line.indexOf(': ') + 2).split(' -> ');
      return schema !== normalised;
    });
    expect(differing).toEqual([]);
  });

  it('schemaDefaults reads nested defaults and hands out copies', () => {
    const schema = { properties: { a: { default: 3 }, b: { properties: { c: { default: [1, 2] }, d: {} } }, e: { properties: { f: {} } } } };
    const d = schemaDefaults<{ a: number; b: { c: number[] } }>(schema);
    expect(d).toEqual({ a: 3, b: { c: [1, 2] } });
    d.b.c.push(9);
    expect(schemaDefaults<{ b: { c: number[] } }>(schema).b.c).toEqual([1, 2]);
  });
});
