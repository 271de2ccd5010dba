// The multi-seed cross-modal experiment of docs/train.md ("Cross-modal recipe ... over three seeds"):
// builds the demo-knn corpus once (terrafm run, stages up to publish; a rerun skips what is done),
// pretrains the pipeline's `train:` recipe once per seed on the training tiles, evaluates each run
// against the random initialisation it started from on the held-out tiles (S1 <-> S2 retrieval,
// centred cross-modal kNN, land-cover kNN and linear probe), and writes report.md / report.json with
// the three checks of issue 13 and the time each phase took.
//
//   npx tsx scripts/crossmodal-seeds.ts [--out runs/crossmodal-seeds] [--seeds 0,1,2] [--pipeline pipelines/demo-knn.yaml]
//       [--steps N (instead of the recipe's)] [--corpus-run DIR (a finished corpus run to reuse instead of building one under --out)]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/atomic-file.js';
import type { StageEvaluation } from '../src/train/eval-report.js';
import { evaluateRun } from '../src/train/evaluate-run.js';
import { trainOnCorpus } from '../src/train/index.js';
import { CHECKPOINT_FILE } from '../src/train/loop.js';
import { loadSection } from '../src/config/load-section.js';
import { CORPUS_DIR } from '../src/pipeline/layout.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'runs/crossmodal-seeds' },
    seeds: { type: 'string', default: '0,1,2' },
    pipeline: { type: 'string', default: 'pipelines/demo-knn.yaml' },
    steps: { type: 'string' },
    'corpus-run': { type: 'string' },
  },
});
const out = path.resolve(values.out!);
const seeds = values.seeds!.split(',').map((s) => Number(s));
if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`--seeds: "${values.seeds}" is not valid; expected comma-separated integers >= 0`);
const pipeline = path.resolve(values.pipeline!);
const steps = values.steps === undefined ? undefined : Number(values.steps);
if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) throw new Error(`--steps: "${values.steps}" is not valid; expected an integer >= 1`);
const bin = path.resolve(import.meta.dirname, '..', 'bin', 'terrafm.mjs');
mkdirSync(out, { recursive: true });
const timings: Record<string, number> = {};
const t0 = performance.now();
const lap = (name: string, since: number) => (timings[name] = Math.round((performance.now() - since) / 100) / 10);

// 1. The corpus, through the CLI a user runs.
const corpusRun = values['corpus-run'] ? path.resolve(values['corpus-run']) : path.join(out, 'corpus-run');
const tc = performance.now();
const built = spawnSync(process.execPath, [bin, 'run', pipeline, '--out', corpusRun, '--stages', 'discover,sample,tile,publish'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
lap('corpus', tc);
const corpus = path.join(corpusRun, CORPUS_DIR);

// 2. One pretraining + evaluation per seed.
interface SeedResult {
  seed: number;
  evaluation: StageEvaluation;
  trainSeconds: number;
  evalSeconds: number;
  imagesPerSec: number;
  workers: number;
}
const results: SeedResult[] = [];
for (const seed of seeds) {
  const cfg = loadSection(pipeline, 'train', { override: (raw) => ({ ...raw, seed, ...(steps ? { steps } : {}) }) });
  const runDir = path.join(out, `seed-${seed}`);
  const tt = performance.now();
  const done = existsSync(path.join(runDir, 'encoder', 'model.json'));
  const summary = done
    ? (JSON.parse(readFileSync(path.join(runDir, 'train.json'), 'utf8')) as { split: StageEvaluation['split']; imagesPerSec: number; workers?: number })
    : await trainOnCorpus(corpus, cfg, { outDir: runDir, resume: existsSync(path.join(runDir, CHECKPOINT_FILE)), log: (l) => (l.startsWith('step ') ? undefined : console.log(`seed ${seed}: ${l}`)) });
  const trainSeconds = lap(`train seed ${seed}`, tt);
  const te = performance.now();
  const evaluation = await evaluateRun(corpus, runDir, summary.split, { backend: cfg.backend, log: () => {} });
  const evalSeconds = lap(`evaluate seed ${seed}`, te);
  results.push({ seed, evaluation, trainSeconds, evalSeconds, imagesPerSec: summary.imagesPerSec, workers: summary.workers ?? 1 });
  console.log(`seed ${seed}: trained in ${trainSeconds} s${done ? ' (reused)' : ''}, evaluated in ${evalSeconds} s`);
}
lap('total', t0);

// 3. The report.
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const rows = results.map((r) => {
  const cm = r.evaluation.crossModal;
  if (!cm) throw new Error(`seed ${r.seed}: no cross-modal evaluation (${r.evaluation.crossModalSkipped})`);
  return {
    seed: r.seed,
    s1s2: { random: cm.random.retrieval[0].medianRank, pretrained: cm.trained.retrieval[0].medianRank, chance: cm.random.retrieval[0].chance, n: cm.random.retrieval[0].n },
    s2s1: { random: cm.random.retrieval[1].medianRank, pretrained: cm.trained.retrieval[1].medianRank },
    crossKnn: { random: cm.random.knn.crossModal.accuracy, pretrained: cm.trained.knn.crossModal.accuracy, majority: cm.random.knn.majority.accuracy },
    knn: { random: r.evaluation.knn.random, pretrained: r.evaluation.knn.trained },
  };
});
const worstPretrained = Math.max(...rows.map((r) => r.s1s2.pretrained));
const bestRandom = Math.min(...rows.map((r) => r.s1s2.random));
const checks = [
  { check: 'S1 -> S2 median rank: pretrained below its random init in every seed', pass: rows.every((r) => r.s1s2.pretrained < r.s1s2.random) },
  { check: `S1 -> S2 median rank: worst pretrained seed (${worstPretrained}) below the best random one (${bestRandom})`, pass: worstPretrained < bestRandom },
  { check: 'centred cross-modal kNN at least 15 points above random init in every seed', pass: rows.every((r) => r.crossKnn.pretrained - r.crossKnn.random >= 0.15) },
];
const md = [
  '# Cross-modal pretraining over several seeds (held-out tiles)',
  '',
  `Pipeline \`${path.relative(process.cwd(), pipeline)}\` (its \`train:\` recipe, seed varied${steps ? `, ${steps} steps instead of the recipe's` : ''}); corpus \`${path.relative(process.cwd(), corpus)}\`; ` +
    `${rows[0].s1s2.n} held-out tiles that training left out, each run against the random initialisation it started from.`,
  '',
  '| seed | S1 -> S2 median rank random / pretrained (chance) | S2 -> S1 median rank random / pretrained | cross-modal kNN random / pretrained (majority) | land-cover kNN random / pretrained | linear probe random / pretrained |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.seed} | ${r.s1s2.random} / **${r.s1s2.pretrained}** (${r.s1s2.chance}) | ${r.s2s1.random} / ${r.s2s1.pretrained} | ${pct(r.crossKnn.random)} / **${pct(r.crossKnn.pretrained)}** (${pct(r.crossKnn.majority)}) | ` +
      `${pct(r.knn.random.accuracy)} / ${pct(r.knn.pretrained.accuracy)} | ${r.knn.random.probe ? pct(r.knn.random.probe.accuracy) : '-'} / ${r.knn.pretrained.probe ? pct(r.knn.pretrained.probe.accuracy) : '-'} |`,
  ),
  '',
  ...checks.map((c) => `- ${c.pass ? 'PASS' : 'FAIL'}: ${c.check}`),
  '',
  `Time (s): ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ')}; training threads: ${results.map((r) => r.workers).join(', ')}; images/s: ${results.map((r) => r.imagesPerSec.toFixed(1)).join(', ')}.`,
  '',
];
writeFileAtomic(path.join(out, 'report.md'), md.join('\n'));
writeFileAtomic(path.join(out, 'report.json'), `${JSON.stringify({ pipeline, corpus, rows, checks, timings }, null, 2)}\n`);
console.log(md.join('\n'));
process.exitCode = checks.every((c) => c.pass) ? 0 : 1;
