// The sample stage as `terrafm run` sees it: the cells discovery kept (scenes.parquet) -> land-cover
// pass (landcover/) -> sampling policy and report (sample/). Enabled when the pipeline has `sampling:`.
// With `--sample-from` (partitioned runs) the given table, drawn once over every cell, is copied in
// instead: a draw over one partition's cells would not be the draw over all of them.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { SamplingConfig } from '../config/sections/sampling.js';
import type { SourcesConfig } from '../config/sections/sources.js';
import { readScenesTable } from '../discover/scenes-table.js';
import { SCENES_TABLE } from '../discover/stage.js';
import type { Stage } from '../pipeline/stage.js';
import { cellsFromRecords } from './landcover/cells-input.js';
import { joinPassedCells, passedCellsFromRecords } from './passed-cells.js';
import { landcoverLinks, landcoverStep, sampleStep } from './stage.js';

/** Where the drawn sample goes; the tile stage reads it. */
export const SAMPLE_TABLE = path.join('sample', 'sample.parquet');

/** The `sampling` section, present once the lead wires samplingSection into the pipeline config. */
function samplingOf(config: object): SamplingConfig | undefined {
  return (config as { sampling?: SamplingConfig }).sampling;
}

export const sampleStage: Stage = {
  name: 'sample',
  description: 'WorldCover histogram per kept cell (overviews) -> land-cover-aware sample with sample_weight + report',
  enabled: (config) => samplingOf(config) !== undefined,
  configParts: (config, { sampleFrom }) => ({
    sampling: samplingOf(config),
    // the given table's bytes, so replacing it redoes this stage and the tile stage
    sampleFrom: sampleFrom === undefined ? null : existsSync(sampleFrom) ? createHash('sha256').update(readFileSync(sampleFrom)).digest('hex') : sampleFrom,
  }),
  async run(ctx) {
    const cfg = samplingOf(ctx.config);
    if (!cfg) return { status: 'skipped', summary: { reason: 'no sampling section' } };
    if (ctx.sampleFrom !== undefined) {
      if (!existsSync(ctx.sampleFrom)) throw new UsageError(`--sample-from: ${ctx.sampleFrom} does not exist; expected the sample/sample.parquet of an unpartitioned run`);
      const dest = path.join(ctx.runDir, SAMPLE_TABLE);
      mkdirSync(path.dirname(dest), { recursive: true });
      copyFileSync(ctx.sampleFrom, `${dest}.tmp`);
      renameSync(`${dest}.tmp`, dest);
      ctx.log.info(`sample: using the sample drawn in ${ctx.sampleFrom}`);
      return { status: 'ok', summary: { sampleTable: dest, sampleFrom: ctx.sampleFrom } };
    }
    const cellScenes = await readScenesTable(path.join(ctx.runDir, SCENES_TABLE));
    if (cellScenes.length === 0) {
      ctx.log.warn('sample: discovery kept no cells; nothing to sample');
      return { status: 'skipped', summary: { reason: 'no cells kept by discovery', cells: 0 } };
    }
    const { cells, hrefs } = cellsFromRecords(cellScenes, SCENES_TABLE);
    const sources = (ctx.config as { sources?: SourcesConfig }).sources;
    const lc = await landcoverStep(cells, cfg.landcover, path.join(ctx.runDir, 'landcover'), {
      perCellHrefs: hrefs,
      links: sources ? landcoverLinks(sources) : undefined,
      onProgress: (done, total) => {
        if (done % 1000 === 0 || done === total) ctx.log.debug(`landcover: ${done}/${total} cells`);
      },
    });
    const passed = passedCellsFromRecords(cellScenes, SCENES_TABLE);
    const { population } = joinPassedCells(lc.result.population, passed);
    const { run, files } = await sampleStep(population, cfg, path.join(ctx.runDir, 'sample'));
    const p = run.report.policies[0];
    ctx.log.info(
      `sample: ${run.report.filters.before} cells, ${run.report.filters.after} after filters, ${p.cells} drawn by ${p.label}; ESS ${p.ess.toFixed(1)}`,
    );
    return {
      status: 'ok',
      summary: {
        landcoverTable: lc.table,
        classFrequencies: lc.freqFile,
        sampleTable: files.samples[0],
        report: files.report.find((f) => f.endsWith('report.json')),
        cells: run.report.filters.before,
        afterFilters: run.report.filters.after,
        drawn: p.cells,
        ess: p.ess,
      },
    };
  },
};
