// The tile stage as `terrafm run` sees it: the run directory's cells -> <run>/corpus/ (stage.ts).
// A stage with failed tiles is `partial`. The fingerprint covers the settings that change the corpus
// bytes and, without a sampling section, the `--sample-from` table the stage reads directly.
import type { Stage } from '../pipeline/stage.js';
import { sampleFromDigest } from '../pipeline/sample-from.js';
import { tileOutputConfig } from './resumable-sink.js';
import { tileRunDir } from './stage.js';

export const tileStage: Stage = {
  name: 'tile',
  description: 'Warp every modality and the land-cover map onto each cell grid (GDAL) and stream the tiles into Parquet shards',
  enabled: () => true,
  // with a sampling section the sample stage copies the --sample-from table in, and its fingerprint covers it
  configParts: (config, { sampleFrom }) => ({ output: tileOutputConfig(config), sampleFrom: config.sampling ? null : sampleFromDigest(sampleFrom) }),
  async run(ctx) {
    const summary = await tileRunDir(ctx.config, ctx.runDir, { log: ctx.log, resumable: ctx.resumable ?? false, failFast: ctx.failFast, sampleFrom: ctx.sampleFrom });
    return { status: summary.failed > 0 ? 'partial' : 'ok', failures: summary.failed, summary: { ...summary } };
  },
};
