// Report values on a tiny population checked by hand.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSampleRun, readSampleWeights } from '../../src/sample/outputs.js';
import { populationFromCells } from '../../src/sample/population.js';
import { runSampling } from '../../src/sample/run-sampling.js';
import { entropyBits, kishEss, klBits, uniformDistribution } from '../../src/sample/stats.js';
import { reportMarkdown } from '../../src/sample/report/markdown.js';

const h = (o: Record<number, number>) => Array.from({ length: 12 }, (_, b) => o[b] ?? 0);
// bins: 0 nodata, 1 tree (10), 5 built-up (50), 8 water (80)
const pop = populationFromCells([
  { cellId: 'A', lon: 10, lat: 5, epsg: 32632, histogram: h({ 1: 6, 8: 2 }) },
  { cellId: 'B', lon: 10, lat: 15, epsg: 32632, histogram: h({ 0: 2, 8: 8 }) },
  { cellId: 'C', lon: -70, lat: -15, epsg: 32719, histogram: h({ 5: 4 }) },
]);

describe('stats by hand', () => {
  it('entropy, KL and Kish ESS', () => {
    const p = new Float64Array(12);
    p[1] = 0.5;
    p[8] = 0.5;
    expect(entropyBits(p)).toBeCloseTo(1, 12);
    expect(klBits(p, uniformDistribution())).toBeCloseTo(Math.log2(11) - 1, 12);
    const q = new Float64Array(12);
    q[1] = 1;
    expect(klBits(p, q)).toBe(Infinity);
    expect(klBits(q, p)).toBeCloseTo(1, 12);
    expect(kishEss([1, 2, 3])).toBeCloseTo(36 / 14, 12);
    expect(kishEss([1, 1, 1, 1])).toBe(4);
  });
});

describe('report', () => {
  const run = runSampling(pop, {
    count: 2,
    seed: 1,
    filters: { maxNodataFraction: 0.1, excludeAllWater: true, maxCloud: 100 },
    policies: [{ policy: 'uniform' }, { policy: 'inverse-frequency', alpha: 1 }],
  });
  const r = run.report;
  it('population shares, entropy and KL before filters', () => {
    // valid pixels: tree 6, water 10, built 4 -> 0.3 / 0.5 / 0.2; nodata 2 of 22
    expect(r.population.classShare['10']).toBeCloseTo(0.3, 12);
    expect(r.population.classShare['80']).toBeCloseTo(0.5, 12);
    expect(r.population.classShare['50']).toBeCloseTo(0.2, 12);
    expect(r.population.nodataFraction).toBeCloseTo(2 / 22, 12);
    const H = -(0.3 * Math.log2(0.3) + 0.5 * Math.log2(0.5) + 0.2 * Math.log2(0.2));
    expect(r.population.entropyBits).toBeCloseTo(H, 12);
    expect(r.population.klToUniformBits).toBeCloseTo(Math.log2(11) - H, 12);
    expect(r.population.klTargetToShareBits).toBeNull(); // uniform target wants classes that are absent
    expect(r.population.classTiles['80']).toEqual({ dominant: 1, present: 2 });
    expect(r.population.geo.latBands).toEqual({ 'S20-S10': 1, 'N00-N10': 1, 'N10-N20': 1 });
  });
  it('filter removal of cell B (nodata 0.2 > 0.1) and the filtered mix', () => {
    expect(r.filters.before).toBe(3);
    expect(r.filters.after).toBe(2);
    expect(r.filters.removals[0]).toMatchObject({ filter: 'max_nodata_fraction', removed: 1, byLatBand: { 'N10-N20': 1 } });
    // A + C: tree 6, water 2, built 4 of 12
    expect(r.filtered.classShare['10']).toBeCloseTo(0.5, 12);
    expect(r.filtered.classShare['80']).toBeCloseTo(2 / 12, 12);
    expect(r.filtered.classShare['50']).toBeCloseTo(4 / 12, 12);
  });
  it('policy rows: both cells drawn, ESS 2, zero share gain', () => {
    const u = r.policies[0];
    expect(u.label).toBe('uniform');
    expect(u.cells).toBe(2);
    expect(u.ess).toBe(2);
    expect(u.essFraction).toBe(1);
    expect(u.shareGain['10']).toBeCloseTo(0, 12);
    // inverse-frequency alpha=1 on A and C: class weights 2/3 (tree), 2 (water), 1 (built) -> both cells weigh 1
    const f = r.policies[1];
    expect(f.label).toBe('inverse-frequency(alpha=1)');
    expect((f.params.classWeights as number[])[1]).toBeCloseTo(2 / 3, 12);
    expect((f.params.classWeights as number[])[8]).toBeCloseTo(2, 12);
    expect(f.weights).toEqual({ min: 1, max: 1, mean: 1 });
  });
  it('markdown holds the same numbers', () => {
    const md = reportMarkdown(r);
    expect(md).toContain('| 10 tree cover | 9.09 % | 30.00 % | 50.00 % | 50.00 % | 50.00 % |');
    expect(md).toMatch(/\| max_nodata_fraction \| nodata fraction > 0.1 \| 1 \| N10-N20: 1 \| 32N: 1 \|/);
  });
  it('writes the sample tables, report.json/md, SVG and PNG pictures', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'terrafm-sample-'));
    const files = await writeSampleRun(dir, run);
    const names = [...files.samples, ...files.report].map((f) => path.basename(f)).sort();
    expect(names).toEqual(
      [
        'class-share.png',
        'class-share.svg',
        'map-inverse-frequency-alpha-1.png',
        'map-inverse-frequency-alpha-1.svg',
        'map-uniform.png',
        'map-uniform.svg',
        'report.json',
        'report.md',
        'sample-inverse-frequency-alpha-1.parquet',
        'sample-uniform.parquet',
      ].sort(),
    );
    expect(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(r)));
    const png = readFileSync(path.join(dir, 'class-share.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(5000);
    const svg = readFileSync(path.join(dir, 'map-uniform.svg'), 'utf8');
    // 2 filtered cells (grey) + 2 sampled cells + 2 legend dots; a small region gets a zoomed window
    expect(svg.match(/<circle cx/g)!.length).toBe(6);
    expect(svg).toContain('>15E</text>'); // window 90W..30E with a 15-degree graticule
    const w = await readSampleWeights(path.join(dir, 'sample-uniform.parquet'));
    expect([...w.entries()].sort()).toEqual([
      ['A', 1],
      ['C', 1],
    ]);
    expect(existsSync(path.join(dir, 'sample.parquet'))).toBe(false);
  });
});
