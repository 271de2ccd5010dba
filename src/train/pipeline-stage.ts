// The train stage as `terrafm run` sees it: pretrain on <run>/corpus into <run>/train, resuming from
// the checkpoint a killed or interrupted run left, then report kNN accuracy of the pretrained encoder
// next to the random initialisation it started from (same held-out split).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stage } from '../pipeline/stage.js';
import { CHECKPOINT_FILE } from './loop.js';
import { compareRunKnn, formatKnn, trainOnCorpus } from './index.js';

export const TRAIN_DIR = 'train';

export const trainStage: Stage = {
  name: 'train',
  description: 'Pretrain TerraFM on the corpus (DINO self-distillation, dual centering), then kNN vs random init',
  enabled: (config) => config.train !== undefined,
  async run(ctx) {
    const cfg = ctx.config.train;
    if (!cfg) return { status: 'skipped', summary: { reason: 'no train section' } };
    const corpus = join(ctx.runDir, 'corpus');
    const outDir = join(ctx.runDir, TRAIN_DIR);
    const resume = existsSync(join(outDir, CHECKPOINT_FILE));
    // The trainer logs every step; those lines become debug lines under the stage's progress report.
    const progress = ctx.log.progress('train', cfg.steps, 'steps');
    const result = await trainOnCorpus(corpus, cfg, {
      outDir,
      resume,
      handleSigint: true,
      log: (line) => (line.startsWith('step ') ? ctx.log.debug(line) : ctx.log.info(line)),
      onStep: (m) => progress.tick(1, `loss ${m.loss.toFixed(3)} ${m.imagesPerSec.toFixed(1)} img/s`),
    });
    progress.done(`${result.stepsThisRun} steps on ${result.backend}, final loss ${result.finalLoss.toFixed(4)}`);
    const knn = await compareRunKnn(corpus, outDir, { backend: cfg.backend });
    writeFileSync(join(outDir, 'knn.json'), `${JSON.stringify(knn, null, 2)}\n`);
    ctx.log.info(formatKnn(knn.random, "kNN, random initialisation"));
    ctx.log.info(formatKnn(knn.trained, "kNN, pretrained encoder"));
    return {
      status: 'ok',
      summary: {
        outDir,
        backend: result.backend,
        steps: result.steps,
        finalLoss: result.finalLoss,
        imagesPerSec: result.imagesPerSec,
        encoder: result.encoderDir,
        knnRandom: knn.random.accuracy,
        knnPretrained: knn.trained.accuracy,
      },
    };
  },
};
