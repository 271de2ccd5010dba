// Every evaluation of a finished run against the random initialisation it started from, on the
// run's held-out tiles: land-cover kNN and linear probe (modalities fused), and, when the corpus has
// S1 and S2 L2A, cross-modal retrieval and kNN. Writes knn.json, eval.json, eval.md and the rank
// histograms (eval.svg/png) into the run directory. The train stage of `terrafm run` and the
// multi-seed experiment (scripts/crossmodal-seeds.ts) both call it.
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { TrainBackend } from '../config/sections/train.js';
import { svgToPng } from '../svg-to-png.js';
import { corpusTileSource } from './corpus.js';
import { formatCrossModalKnn, formatRetrieval } from './crossmodal.js';
import { evaluationMarkdown, EVAL_PICTURE, rankHistogramSvg, type StageEvaluation } from './eval-report.js';
import { compareRunCrossModal, DEFAULT_PAIR } from './evaluate-crossmodal.js';
import { compareRunKnn } from './evaluate.js';
import { formatKnn } from './knn.js';
import type { SplitRecord } from './split.js';

export async function evaluateRun(corpus: string, runDir: string, split: SplitRecord, opts: { backend: TrainBackend; log: (line: string) => void; inputSize?: number }): Promise<StageEvaluation> {
  const knn = await compareRunKnn(corpus, runDir, { backend: opts.backend, inputSize: opts.inputSize });
  writeFileAtomic(join(runDir, 'knn.json'), `${JSON.stringify(knn, null, 2)}\n`);
  opts.log(formatKnn(knn.random, 'kNN, random initialisation'));
  opts.log(formatKnn(knn.trained, 'kNN, pretrained encoder'));
  const evaluation: StageEvaluation = { split, knn, crossModal: null };
  const stats = await corpusTileSource(corpus).stats();
  const missing = DEFAULT_PAIR.filter((m) => !stats.modalities[m]);
  if (missing.length) evaluation.crossModalSkipped = `the corpus has no ${missing.join(' or ')}`;
  else {
    const cm = await compareRunCrossModal(corpus, runDir, { backend: opts.backend, inputSize: opts.inputSize });
    evaluation.crossModal = cm;
    for (const [title, r] of [['random initialisation', cm.random], ['pretrained encoder', cm.trained]] as const) {
      for (const x of r.retrieval) opts.log(formatRetrieval(x, title));
      opts.log(formatCrossModalKnn(r.knn, title));
    }
    writeFileAtomic(join(runDir, `${EVAL_PICTURE}.svg`), rankHistogramSvg(cm));
    writeFileAtomic(join(runDir, `${EVAL_PICTURE}.png`), svgToPng(rankHistogramSvg(cm)));
  }
  writeFileAtomic(join(runDir, 'eval.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
  writeFileAtomic(join(runDir, 'eval.md'), evaluationMarkdown(evaluation));
  return evaluation;
}
