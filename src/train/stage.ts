// The train stage over a run directory (`terrafm run` calls it through adapter.ts): pretrain on
// <run>/corpus into <run>/train, resuming from the checkpoint a killed or interrupted run left, then
// evaluate the pretrained encoder next to the random initialisation it started from, on the held-out
// tiles training left out: land-cover kNN, and, when the corpus has S1 and S2 L2A, cross-modal
// retrieval and kNN. Writes knn.json, eval.json, eval.md and eval.svg/png into <run>/train and
// returns the headline figures for run.json.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfig } from '../config/sections/train.js';
import type { Logger } from '../log/logger.js';
import { CORPUS_DIR, TRAIN_DIR } from '../pipeline/layout.js';
import type { StageOutcome } from '../pipeline/stage.js';
import { evaluationSummary } from './eval-report.js';
import { evaluateRun } from './evaluate-run.js';
import { openCorpus } from '../shard/reader.js';
import { assertVerifiedCorpus } from '../shard/verify.js';
import { CHECKPOINT_FILE } from './loop.js';
import { trainOnCorpus } from './index.js';

export async function trainRunDir(cfg: TrainConfig, runDir: string, log: Logger): Promise<StageOutcome> {
  const corpus = join(runDir, CORPUS_DIR);
  // The pipeline verifies in full before the first step: a corrupt shard stops with the list (exit 5).
  await assertVerifiedCorpus(corpus, 'full');
  // An empty search result gives an empty, valid corpus: nothing to learn from, which is not a failure.
  if (openCorpus(corpus).manifest.tiles === 0) {
    log.warn(`train: skipped: the corpus ${corpus} has no tiles (the searches found nothing to tile)`);
    return { status: 'skipped', summary: { reason: 'empty corpus' } };
  }
  const outDir = join(runDir, TRAIN_DIR);
  const resume = existsSync(join(outDir, CHECKPOINT_FILE));
  // The trainer logs every step; those lines become debug lines under the stage's progress report.
  const progress = log.progress('train', cfg.steps, 'steps');
  const result = await trainOnCorpus(corpus, cfg, {
    outDir,
    resume,
    handleSigint: true,
    log: (line) => (line.startsWith('step ') ? log.debug(line) : log.info(line)),
    onStep: (m) => progress.tick(1, `loss ${m.loss.toFixed(3)} ${m.imagesPerSec.toFixed(1)} img/s`),
  });
  progress.done(`${result.stepsThisRun} steps on ${result.backend}, final loss ${result.finalLoss.toFixed(4)}`);
  const evaluation = await evaluateRun(corpus, outDir, result.split, { backend: cfg.backend, log: (l) => log.info(l) });
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
}
