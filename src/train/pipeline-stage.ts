// The train stage as `terrafm run` sees it: pretrain on <run>/corpus into <run>/train, resuming from
// the checkpoint a killed or interrupted run left, then evaluate the pretrained encoder next to the
// random initialisation it started from, on the held-out tiles training left out: land-cover kNN,
// and, when the corpus has S1 and S2 L2A, cross-modal retrieval and kNN. Writes knn.json,
// eval.json, eval.md and eval.svg/png into <run>/train and the headline figures into run.json.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Stage } from '../pipeline/stage.js';
import { evaluationSummary } from './eval-report.js';
import { evaluateRun } from './evaluate-run.js';
import { openCorpus } from '../shard/reader.js';
import { assertVerifiedCorpus } from '../shard/verify.js';
import { CHECKPOINT_FILE } from './loop.js';
import { trainOnCorpus } from './index.js';

export const TRAIN_DIR = 'train';

export const trainStage: Stage = {
  name: 'train',
  description: 'Pretrain TerraFM on the corpus (DINO self-distillation, dual centering), then kNN and cross-modal retrieval vs random init',
  enabled: (config) => config.train !== undefined,
  async run(ctx) {
    const cfg = ctx.config.train;
    if (!cfg) return { status: 'skipped', summary: { reason: 'no train section' } };
    const corpus = join(ctx.runDir, 'corpus');
    // The pipeline verifies in full before the first step: a corrupt shard stops with the list (exit 5).
    await assertVerifiedCorpus(corpus, 'full');
    // An empty search result gives an empty, valid corpus: nothing to learn from, which is not a failure.
    if (openCorpus(corpus).manifest.tiles === 0) {
      ctx.log.warn(`train: skipped: the corpus ${corpus} has no tiles (the searches found nothing to tile)`);
      return { status: 'skipped', summary: { reason: 'empty corpus' } };
    }
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
    const evaluation = await evaluateRun(corpus, outDir, result.split, { backend: cfg.backend, log: (l) => ctx.log.info(l) });
    return {
      status: 'ok',
      summary: {
        outDir,
        backend: result.backend,
        steps: result.steps,
        finalLoss: result.finalLoss,
        imagesPerSec: result.imagesPerSec,
        encoder: result.encoderDir,
        ...evaluationSummary(evaluation),
      },
    };
  },
};
