// The tile stage as `terrafm run` sees it: the cells discovery kept (or the sampler chose) are planned,
// warped with GDAL and streamed straight into the Parquet shard writer: no temporary rasters on the
// hot path, at most `concurrency + 1` tiles in memory. Failed tiles go to tile-failures.jsonl and
// make the stage `partial`; the corpus (shards, stats.json, manifest.json) lands in <run>/corpus/.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readScenesTable } from '../discover/scenes-table.js';
import { SCENES_TABLE } from '../discover/stage.js';
import { openStacSource } from '../discover/stac/index.js';
import type { PipelineConfig } from '../config/pipeline.js';
import type { Stage } from '../pipeline/stage.js';
import { readSampleWeights } from '../sample/outputs.js';
import { openShardSink } from '../shard/index.js';
import { failuresJsonLines, gdalBandReader, planTiles, tileAll, type BandReader } from './index.js';

export const CORPUS_DIR = 'corpus';
export const TILE_FAILURES = 'tile-failures.jsonl';
const SAMPLE_TABLE = join('sample', 'sample.parquet');

/** Planetary Computer blobs need a SAS token at read time (tokens expire during long runs). */
function signingReader(config: PipelineConfig, base: BandReader): BandReader {
  const pc = Object.values(config.sources).find((s) => s?.provider === 'planetary-computer');
  if (!pc) return base;
  const source = openStacSource({ provider: 'planetary-computer', url: pc.url, subscriptionKey: pc.subscriptionKeyEnv ? process.env[pc.subscriptionKeyEnv] : undefined });
  return {
    async read(band, grid) {
      if (!/blob\.core\.windows\.net/.test(band.href)) return base.read(band, grid);
      const signed = await source.signHref(band.href);
      return base.read({ ...band, gdalPath: `/vsicurl/${signed}` }, grid);
    },
  };
}

export const tileStage: Stage = {
  name: 'tile',
  description: 'Warp every modality and the land-cover map onto each cell grid (GDAL) and stream the tiles into Parquet shards',
  enabled: () => true,
  async run(ctx) {
    const { config, runDir } = ctx;
    let cells = await readScenesTable(join(runDir, SCENES_TABLE));
    let sampleWeights: Map<string, number> | undefined;
    if (config.sampling && existsSync(join(runDir, SAMPLE_TABLE))) {
      sampleWeights = await readSampleWeights(join(runDir, SAMPLE_TABLE));
      cells = cells.filter((c) => sampleWeights!.has(c.cell.id));
    }
    const plan = planTiles(cells, config.tile, { sampleWeights });
    const sink = openShardSink(join(runDir, CORPUS_DIR), config.shard, { overwrite: true });
    const progress = ctx.log.progress('tile', plan.tiles.length, 'tiles');
    let summary;
    try {
      summary = await tileAll(plan, { config: config.tile, failFast: ctx.failFast, reader: signingReader(config, gdalBandReader) }, async (record) => {
        await sink.write(record);
        progress.tick();
      });
    } catch (e) {
      await sink.abort();
      throw e;
    }
    const corpus = await sink.close();
    progress.done(`${summary.ok} tiles, ${summary.failed} failed, ${summary.skipped} skipped`);
    await writeFile(join(runDir, TILE_FAILURES), failuresJsonLines(summary.failures));
    for (const f of summary.failures.filter((x) => x.kind !== 'skipped').slice(0, 10)) {
      ctx.log.warn(`tile ${f.tileId} failed at ${f.stage}${f.href ? ` (${f.href})` : ''}: ${f.error}`);
    }
    return {
      status: summary.failed > 0 ? 'partial' : 'ok',
      failures: summary.failed,
      summary: {
        planned: plan.tiles.length,
        tiles: summary.ok,
        failed: summary.failed,
        skipped: summary.skipped,
        corpus: join(runDir, CORPUS_DIR),
        shards: corpus.manifest.shards.length,
        bytes: corpus.manifest.bytes,
        failuresTable: join(runDir, TILE_FAILURES),
      },
    };
  },
};
