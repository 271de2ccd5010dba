// The train stage as `terrafm run` sees it: pretrain on <run>/corpus into <run>/train, resuming from
// the checkpoint a killed or interrupted run left, then evaluate the pretrained encoder next to the
// random initialisation it started from, on the held-out tiles training left out: land-cover kNN,
// and, when the corpus has S1 and S2 L2A, cross-modal retrieval and kNN. Writes knn.json,
// eval.json, eval.md and eval.svg/png into <run>/train and the headline figures into run.json.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { Stage } from '../pipeline/stage.js';
import { svgToPng } from '../svg-to-png.js';
import { formatCrossModalKnn, formatRetrieval } from './crossmodal.js';
import { evaluationMarkdown, evaluationSummary, EVAL_PICTURE, rankHistogramSvg, type StageEvaluation } from './eval-report.js';
import { compareRunCrossModal, DEFAULT_PAIR } from './evaluate-crossmodal.js';
import { openCorpus } from '../shard/reader.js';
import { assertVerifiedCorpus } from '../shard/verify.js';
import { CHECKPOINT_FILE } from './loop.js';
import { compareRunKnn, corpusTileSource, formatKnn, trainOnCorpus } from './index.js';

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
    const knn = await compareRunKnn(corpus, outDir, { backend: cfg.backend });
    writeFileAtomic(join(outDir, 'knn.json'), `${JSON.stringify(knn, null, 2)}\n`);
    ctx.log.info(formatKnn(knn.random, 'kNN, random initialisation'));
    ctx.log.info(formatKnn(knn.trained, 'kNN, pretrained encoder'));
    const evaluation: StageEvaluation = { split: result.split, knn, crossModal: null };
    const stats = await corpusTileSource(corpus).stats();
    const missing = DEFAULT_PAIR.filter((m) => !stats.modalities[m]);
    if (missing.length) evaluation.crossModalSkipped = `the corpus has no ${missing.join(' or ')}`;
    else {
      const cm = await compareRunCrossModal(corpus, outDir, { backend: cfg.backend });
      evaluation.crossModal = cm;
      for (const [title, r] of [['random initialisation', cm.random], ['pretrained encoder', cm.trained]] as const) {
        for (const x of r.retrieval) ctx.log.info(formatRetrieval(x, title));
        ctx.log.info(formatCrossModalKnn(r.knn, title));
      }
      writeFileAtomic(join(outDir, `${EVAL_PICTURE}.svg`), rankHistogramSvg(cm));
      writeFileAtomic(join(outDir, `${EVAL_PICTURE}.png`), svgToPng(rankHistogramSvg(cm)));
    }
    writeFileAtomic(join(outDir, 'eval.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
    writeFileAtomic(join(outDir, 'eval.md'), evaluationMarkdown(evaluation));
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
