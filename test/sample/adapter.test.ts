// The sample stage inside `terrafm run`: scenes.parquet from discovery -> landcover/ and sample/,
// on the real WorldCover tile (the landcover scenes' map asset points at it).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalise } from '../../src/config/sections/sampling.js';
import type { PipelineConfig } from '../../src/config/pipeline.js';
import { ScenesTableWriter } from '../../src/discover/scenes-table.js';
import type { CellScenes } from '../../src/discover/types.js';
import { Logger } from '../../src/log/logger.js';
import { cellsInBBox } from '../../src/sample/landcover/cells-input.js';
import { sampleStage } from '../../src/sample/adapter.js';
import type { GridCell, SceneItem } from '../../src/model/types.js';
import { realFixture } from '../support/fixtures.js';

const TILE = realFixture('raster/esa_worldcover_N00E006/ESA_WorldCover_10m_2021_v200_N00E006_Map.tif');

const scene = (id: string, extra: Partial<SceneItem>): SceneItem => ({
  id,
  collection: 'c',
  sceneKey: id,
  datetime: '2021-06-01T10:00:00Z',
  bbox: [6, 0, 9, 3],
  geometry: null,
  assets: {},
  ...extra,
});

describe('sample pipeline stage', () => {
  it('reads scenes.parquet, runs the land-cover pass from discovery hrefs, writes the sample and report', async () => {
    const runDir = mkdtempSync(path.join(os.tmpdir(), 'terrafm-sample-stage-'));
    // Sao Tome island and its coast: a few dozen Major-TOM cells.
    const cells = cellsInBBox([6.4, 0, 6.8, 0.45], { cellSizeKm: 10.68, tileSizePx: 1068, resolutionM: 10 }) as GridCell[];
    const rows: CellScenes[] = cells.map((cell, i) => ({
      cell,
      scenes: {
        s2_l2a: [scene(`s2-${i}`, { cloudCover: i % 2 === 0 ? 5 : 60 })],
        landcover: [scene(`wc-${i}`, { assets: { map: { href: TILE } } })],
      },
      coverage: { s2_l2a: 1, landcover: 1 },
      missing: [],
      s1GapDays: null,
      complete: true,
    }));
    const w = new ScenesTableWriter(path.join(runDir, 'scenes.parquet'));
    w.append(rows);
    w.finish();
    const sampling = { ...normalise({ policy: 'target', count: 4, seed: 2, filters: { max_cloud: 50 } }) };
    const config = { sampling } as unknown as PipelineConfig;
    expect(sampleStage.enabled(config)).toBe(true);
    expect(sampleStage.enabled({} as PipelineConfig)).toBe(false);
    const outcome = await sampleStage.run({ config, runDir, log: new Logger({ stream: { write: () => true } as never, level: 'error' }), failFast: false });
    expect(outcome.status).toBe('ok');
    expect(outcome.summary.cells).toBe(cells.length);
    expect(outcome.summary.drawn).toBe(4);
    expect(existsSync(path.join(runDir, 'landcover', 'landcover.parquet'))).toBe(true);
    const report = JSON.parse(readFileSync(path.join(runDir, 'sample', 'report.json'), 'utf8'));
    // every second cell is cloudier than 50 %, so the cloud filter removes at least that many of the
    // cells the nodata/water filters left
    const cloud = report.filters.removals.find((r: { filter: string }) => r.filter === 'max_cloud');
    expect(cloud.removed).toBeGreaterThan(0);
    expect(report.policies[0].label).toBe('target');
    expect(existsSync(path.join(runDir, 'sample', 'sample.parquet'))).toBe(true);
    expect(existsSync(path.join(runDir, 'sample', 'class-share.png'))).toBe(true);
  });
});
