// The discover stage as `terrafm run` sees it: scenes.parquet and discover-summary.json in the run
// directory, with a progress line per query group. In a partitioned run only this worker's cells are
// searched. A rerun after a crash repeats the stage, but every STAC response is read from the on-disk
// cache (cache/stac/), so it makes no new requests for groups already searched.
import { WHOLE } from '../pipeline/partition.js';
import type { Stage } from '../pipeline/stage.js';
import { runDiscover } from './stage.js';

export const discoverStage: Stage = {
  name: 'discover',
  description: 'Grid cells of the area, STAC searches, S1/S2 pairing -> scenes.parquet',
  enabled: () => true,
  configParts: (c, { partition }) => ({
    area: c.area,
    time: c.time,
    grid: c.grid,
    sources: c.sources,
    // concurrency, timeouts and attempts change how, not what, discovery finds
    discover: { cache: c.discover.cache, batchCells: c.discover.batchCells },
    pairing: c.pairing,
    partition,
  }),
  async run(ctx) {
    const partition = ctx.partition ?? WHOLE;
    const res = await runDiscover(ctx.config, {
      outDir: ctx.runDir,
      partition,
      onProgress: (n) => ctx.log.debug(`discover: ${n} cells enumerated`),
    });
    const s = res.summary;
    ctx.log.info(
      `discover: ${s.cellsEnumerated} cells, ${s.cellsComplete} with every modality, ${s.cellsKept} kept, ${s.cellsDropped} dropped; ${s.requests} requests (${s.cacheHits} cached)`,
    );
    if (s.cellsKept === 0) {
      ctx.log.warn(
        s.cellsEnumerated === 0
          ? `discover: no grid cell of the area${partition.count > 1 ? ` falls in partition ${partition.index}/${partition.count}` : ''}; later stages have nothing to do`
          : `discover: the searches found no cell with ${s.required.join(' + ')} (${s.cellsEnumerated} cells searched); check area, time and sources; later stages have nothing to do`,
      );
    }
    return { status: 'ok', summary: { scenesTable: res.scenesTable, ...s } };
  },
};
