// The discover stage as `terrafm run` sees it: scenes.parquet and discover-summary.json in the run
// directory, with a progress line per query group.
import type { Stage } from '../pipeline/stage.js';
import { runDiscover } from './stage.js';

export const discoverStage: Stage = {
  name: 'discover',
  description: 'Grid cells of the area, STAC searches, S1/S2 pairing -> scenes.parquet',
  enabled: () => true,
  async run(ctx) {
    const res = await runDiscover(ctx.config, {
      outDir: ctx.runDir,
      onProgress: (n) => ctx.log.debug(`discover: ${n} cells enumerated`),
    });
    const s = res.summary;
    ctx.log.info(
      `discover: ${s.cellsEnumerated} cells, ${s.cellsComplete} with every modality, ${s.cellsKept} kept, ${s.cellsDropped} dropped; ${s.requests} requests (${s.cacheHits} cached)`,
    );
    return { status: 'ok', summary: { scenesTable: res.scenesTable, ...s } };
  },
};
