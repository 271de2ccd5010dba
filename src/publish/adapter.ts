// The publish stage as `terrafm run` sees it (the work is publishRunDir in stage.ts). Its fingerprint
// is the pipeline's name and file name: the card names both.
import { basename } from 'node:path';
import type { Stage } from '../pipeline/stage.js';
import { publishRunDir } from './stage.js';

export const publishStage: Stage = {
  name: 'publish',
  description: 'STAC Collection + stac-geoparquet items, dataset card (README.md) with pictures, beside the corpus',
  enabled: () => true,
  configParts: (config) => ({ name: config.name, file: basename(config.file) }),
  async run(ctx) {
    return { status: 'ok', summary: { ...(await publishRunDir(ctx.config, ctx.runDir)) } };
  },
};
