// The train stage as `terrafm run` sees it (the work is trainRunDir in stage.ts). Enabled when the
// pipeline has `train:`; partitioned runs leave it out (it needs the merged corpus).
import type { Stage } from '../pipeline/stage.js';
import { trainRunDir } from './stage.js';

export const trainStage: Stage = {
  name: 'train',
  description: 'Pretrain TerraFM on the corpus (DINO self-distillation, dual centering), then kNN and cross-modal retrieval vs random init',
  enabled: (config) => config.train !== undefined,
  async run(ctx) {
    const cfg = ctx.config.train;
    if (!cfg) return { status: 'skipped', summary: { reason: 'no train section' } };
    return trainRunDir(cfg, ctx.runDir, ctx.log);
  },
};
