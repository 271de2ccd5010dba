// The sample stage as `terrafm run` sees it (the work is sampleRunDir in stage.ts). Enabled when the
// pipeline has `sampling:`. With `--sample-from` (partitioned runs) the given table, drawn once over
// every cell, is copied in instead of drawing one.
import { REPORT_FILE } from '../pipeline/layout.js';
import { sampleFromDigest } from '../pipeline/sample-from.js';
import type { Stage } from '../pipeline/stage.js';
import { sampleRunDir, useGivenSample } from './stage.js';

export const sampleStage: Stage = {
  name: 'sample',
  description: 'WorldCover histogram per kept cell (overviews) -> land-cover-aware sample with sample_weight + report',
  enabled: (config) => config.sampling !== undefined,
  // the given table's bytes, so replacing it redoes this stage and the tile stage
  configParts: (config, { sampleFrom }) => ({ sampling: config.sampling, sampleFrom: sampleFromDigest(sampleFrom) }),
  async run(ctx) {
    const cfg = ctx.config.sampling;
    if (!cfg) return { status: 'skipped', summary: { reason: 'no sampling section' } };
    if (ctx.sampleFrom !== undefined) {
      const sampleTable = useGivenSample(ctx.sampleFrom, ctx.runDir);
      ctx.log.info(`sample: using the sample drawn in ${ctx.sampleFrom}`);
      return { status: 'ok', summary: { sampleTable, sampleFrom: ctx.sampleFrom } };
    }
    const drawn = await sampleRunDir(cfg, ctx.config.sources, ctx.runDir, {
      onProgress: (done, total) => {
        if (done % 1000 === 0 || done === total) ctx.log.debug(`landcover: ${done}/${total} cells`);
      },
    });
    if (!drawn) {
      ctx.log.warn('sample: discovery kept no cells; nothing to sample');
      return { status: 'skipped', summary: { reason: 'no cells kept by discovery', cells: 0 } };
    }
    const { landcover: lc, run, files } = drawn;
    const p = run.report.policies[0];
    ctx.log.info(`sample: ${run.report.filters.before} cells, ${run.report.filters.after} after filters, ${p.cells} drawn by ${p.label}; ESS ${p.ess.toFixed(1)}`);
    return {
      status: 'ok',
      summary: {
        landcoverTable: lc.table,
        classFrequencies: lc.freqFile,
        sampleTable: files.samples[0],
        report: files.report.find((f) => f.endsWith(REPORT_FILE)),
        cells: run.report.filters.before,
        afterFilters: run.report.filters.after,
        drawn: p.cells,
        ess: p.ess,
      },
    };
  },
};
