// End to end on the demo world (data/demo, generated on first use): Major-TOM cells of the three demo
// places, land-cover pass over the demo WorldCover tiles, then uniform vs land-cover-aware policies.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalise } from '../../src/config/sections/sampling.js';
import { ensureDemoWorld } from '../../src/demo/ensure.js';
import type { BBox } from '../../src/model/types.js';
import { cellsInBBox } from '../../src/sample/landcover/cells-input.js';
import { landcoverStep, sampleStep, type LandcoverStepResult } from '../../src/sample/stage.js';

// The AOIs of pipelines/demo.yaml (Mafia Island coast, Lake Constance, Tornetrask).
const AOIS: BBox[] = [
  [39.884, -7.873, 39.9302, -7.8269],
  [8.9659, 47.7168, 9.0341, 47.7628],
  [18.5111, 68.3282, 18.6303, 68.3722],
];

let lc: LandcoverStepResult;
let cellCount = 0;
const dir = mkdtempSync(path.join(os.tmpdir(), 'terrafm-sample-demo-'));
const cfg = normalise(undefined);

beforeAll(async () => {
  const world = await ensureDemoWorld();
  const wc = path.join(world.dir, 'esa-worldcover');
  const hrefs = readdirSync(wc, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(wc, d.name, `${d.name}_Map.tif`));
  const cells = AOIS.flatMap((b) => cellsInBBox(b, { cellSizeKm: 2.56, tileSizePx: 256, resolutionM: 10 }));
  cellCount = cells.length;
  // 2.56 km cells: 20 m gives 128 x 128 samples per cell (80 m would leave only 32 x 32).
  lc = await landcoverStep(cells, { ...cfg.landcover, resolutionM: 20, source: { kind: 'hrefs', hrefs } }, path.join(dir, 'lc'));
});

describe('demo world: land-cover pass and policy comparison', () => {
  it('counts every cell; the few outside the demo maps are all nodata', () => {
    expect(lc.result.population.size).toBe(cellCount);
    expect(cellCount).toBe(26); // 8 + 9 + 9 cells touch the three AOIs (data/README.md)
    expect(lc.result.uncovered).toBeLessThan(cellCount / 4);
    const f = lc.frequencies.frequencies;
    // A long tail: water and trees dominate, moss and built-up are under 1 %.
    expect(f['80'] + f['10']).toBeGreaterThan(0.5);
    expect(f['100']).toBeLessThan(0.01);
    expect(f['50']).toBeLessThan(0.01);
  });
  it('the report shows rare classes gaining share relative to uniform', async () => {
    const { run } = await sampleStep(lc.result.population, { ...cfg, count: 8, seed: 1 }, path.join(dir, 'cmp'), {
      compare: [{ name: 'uniform' }, { name: 'inverse-frequency', alpha: 1 }, { name: 'stratified' }, { name: 'target' }],
      png: false,
    });
    const before = run.report.filtered.classShare;
    // rare = classes present at under 5 % of the filtered cells' pixels
    const rareCodes = Object.keys(before).filter((c) => before[c] > 0 && before[c] < 0.05);
    expect(rareCodes.length).toBeGreaterThanOrEqual(4);
    const rare = (s: Record<string, number>) => rareCodes.reduce((a, c) => a + s[c], 0);
    const [uni, inv, strat, tgt] = run.report.policies;
    for (const p of [inv, strat, tgt]) {
      expect(rare(p.classShare)).toBeGreaterThan(rare(uni.classShare));
      expect(p.klToUniformBits!).toBeLessThan(uni.klToUniformBits!);
      for (const c of rareCodes) expect(p.shareGain[c]).toBe(p.classShare[c] - before[c]);
    }
    expect(rare(strat.classShare)).toBeGreaterThan(rare(before));
    expect(rare(tgt.classShare)).toBeGreaterThan(rare(before));
  });
});
