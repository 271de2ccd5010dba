// Every STAC document of the demo world passes stac-node-validator offline (schemas from
// data/fixtures/stac-schemas, mapped with --schemaMap as its README shows), and a broken copy fails.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoWorld, type DemoWorldInfo } from '../../src/demo/ensure.js';
import { STAC_SCHEMA_MAP, STAC_VALIDATOR_CLI, validateStac } from '../support/stac-validator.js';

const run = promisify(execFile);
const CLI = STAC_VALIDATOR_CLI;
const SCHEMA_MAP = STAC_SCHEMA_MAP;
const validate = (files: string[]) => validateStac(files);

async function jsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.json') && e.name !== 'demo-world.stamp.json') out.push(join(e.parentPath ?? e.path, e.name));
  }
  return out.sort();
}

let world: DemoWorldInfo;
let tmp: string;
beforeAll(async () => {
  world = await ensureDemoWorld();
  tmp = await mkdtemp(join(tmpdir(), 'demo-stac-'));
}, 600_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('demo STAC catalog', () => {
  it('every item, collection and the catalog pass stac-node-validator', async () => {
    const files = await jsonFiles(world.dir);
    const items = files.filter((f) => !f.endsWith('collection.json') && !f.endsWith('catalog.json'));
    expect(items).toHaveLength(world.itemCount);
    expect(files).toHaveLength(world.itemCount + Object.keys(world.collections).length + 1);
    const { code, out } = await validate(files);
    expect(out).toContain(`Summary (${files.length})`);
    expect(out).toContain(`Passed: ${files.length}`);
    expect(out).toContain('Invalid: 0');
    expect(out).toContain('Skipped: 0');
    expect(code).toBe(0);
    // The extensions were really checked (not skipped for lack of schemas).
    const l2a = items.find((f) => f.includes('/sentinel-2-l2a/'))!;
    const verbose = await run(process.execPath, [CLI, '--verbose', '--schemaMap', ...SCHEMA_MAP, '--', l2a]);
    for (const ext of ['sentinel-2/v1.0.0', 'projection/v1.1.0', 'raster/v1.1.0', 'eo/v1.1.0', 'mgrs/v1.0.0', 'sat/v1.0.0']) {
      expect(verbose.stdout).toContain(`https://stac-extensions.github.io/${ext}/schema.json: passed`);
    }
  });

  it('a deliberately broken copy of an item fails, naming the broken fields', async () => {
    const s1Dir = join(world.dir, 'sentinel-1-rtc');
    const id = (await readdir(s1Dir, { withFileTypes: true })).find((e) => e.isDirectory())!.name;
    const item = JSON.parse(await readFile(join(s1Dir, id, `${id}.json`), 'utf8'));
    delete item.bbox;
    item.properties['sar:polarizations'] = 'VV';
    item.properties['proj:epsg'] = 'EPSG:32737';
    const broken = join(tmp, 'broken.json');
    await writeFile(broken, JSON.stringify(item));
    const { code, out } = await validate([broken]);
    expect(code).toBe(1);
    expect(out).toContain('Invalid: 1');
    expect(out).toMatch(/bbox/);
    expect(out).toMatch(/sar:polarizations/);
    expect(out).toMatch(/proj:epsg/);
  });
});
