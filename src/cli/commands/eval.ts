// `terrafm eval knn|retrieval <corpus> --encoder <dir> | --random-init | --run <dir>`: frozen-feature
// evaluations on the held-out tiles (tile-id hash split; a run's own split with --run).
//   knn                 kNN accuracy against each tile's dominant WorldCover class, overall and per class
//   knn --cross-modal   query-modality tiles voting against reference-modality tiles, with the
//                       majority-class floor and the same-modality ceiling beside it
//   retrieval           S1 -> S2 and S2 -> S1: rank of the co-located partner tile (median, MRR)
import { UsageError } from '../../errors.js';
import { MODALITIES, type Modality } from '../../model/types.js';
import {
  compareRunCrossModal,
  compareRunKnn,
  DEFAULT_PAIR,
  evalCrossModal,
  evalKnn,
  formatCrossModalKnn,
  formatKnn,
  formatRetrieval,
  type CrossModalReport,
} from '../../train/index.js';
import { MODEL_SIZES, type ModelSize } from '../../train/sizes.js';
import type { VerifyMode } from '../../shard/verify.js';
import { openCorpusInput, VERIFY_OPTIONS, verifyModeOf } from '../corpus-input.js';
import { defineCommand, int, oneOf, str } from '../command.js';
import { parseModalities } from './embed.js';

export type EvalTask = 'knn' | 'retrieval';

export interface EvalCommandOptions {
  task: EvalTask;
  corpus: string;
  /** null: random initialisation (baseline), or `run` is given. */
  encoder: string | null;
  /** A finished training run directory: report its encoder and its random initialisation side by side. */
  run?: string;
  size: ModelSize;
  seed: number;
  k: number;
  heldOut: number;
  splitSeed: number;
  inputSize?: number;
  modalities?: Modality[];
  /** knn only: query modality against reference modality instead of fused tiles. */
  crossModal: boolean;
  /** Cross-modal pair: query and reference (gallery) modality. */
  query: Modality;
  reference: Modality;
  backend: 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  json: boolean;
  verify: VerifyMode | false;
}

const TASKS: readonly EvalTask[] = ['knn', 'retrieval'];

function formatCrossModal(r: CrossModalReport, title: string, task: EvalTask): string {
  return task === 'retrieval' ? r.retrieval.map((x) => formatRetrieval(x, title)).join('\n') : formatCrossModalKnn(r.knn, title);
}

export const evalCommand = defineCommand<EvalCommandOptions>({
  name: 'eval',
  summary: 'Evaluate an encoder on held-out tiles: `eval knn` (land-cover kNN, --cross-modal for S1 vs S2) or `eval retrieval` (S1 <-> S2 partner rank).',
  positionals: [
    { name: 'task', description: 'Evaluation: knn or retrieval.', required: true },
    { name: 'corpus', description: 'Corpus directory, or a run directory (its corpus/).', required: true },
  ],
  options: {
    encoder: { type: 'string', valueName: '<dir>', description: 'Exported encoder directory (model.json + weights.bin).' },
    run: { type: 'string', valueName: '<dir>', description: "A finished `terrafm train` run: compare its encoder with the random initialisation it started from, on the run's own held-out split." },
    'random-init': { type: 'boolean', description: 'Evaluate the random initialisation instead (baseline; use the run\'s --size and --seed).' },
    size: { type: 'string', valueName: '<tiny|small|base|large>', default: 'tiny', description: 'Size of the random-init baseline.' },
    seed: { type: 'string', valueName: '<n>', default: '0', description: 'Seed of the random-init baseline.' },
    k: { type: 'string', valueName: '<n>', default: '20', description: 'Neighbours (knn).' },
    'held-out': { type: 'string', valueName: '<percent>', default: '30', description: 'Percent of tiles held out (split by tile-id hash; --run uses the run\'s split).' },
    'split-seed': { type: 'string', valueName: '<n>', default: '0', description: 'Seed of the split hash (--run uses the run\'s).' },
    'input-size': { type: 'string', valueName: '<px>', description: 'Resize tiles to this side (default: with --run, the run\'s global crop side, what its encoder trained on; otherwise the encoder input size).' },
    modalities: { type: 'string', valueName: '<list>', description: 'knn: comma list of modalities to use (fused when a tile has several).' },
    'cross-modal': { type: 'boolean', description: 'knn: held-out --query-modality tiles vote against reference tiles\' --reference-modality features (each modality centred on its reference mean).' },
    query: { type: 'string', valueName: '<modality>', default: DEFAULT_PAIR[0], description: 'Cross-modal query modality (retrieval runs both ways).' },
    reference: { type: 'string', valueName: '<modality>', default: DEFAULT_PAIR[1], description: 'Cross-modal reference (gallery) modality.' },
    backend: { type: 'string', valueName: '<auto|tensorflow|webgpu|wasm|cpu>', default: 'auto', description: 'tfjs backend.' },
    json: { type: 'boolean', description: 'Print the report as JSON.' },
    ...VERIFY_OPTIONS,
  },
  examples: [
    'terrafm eval knn runs/demo --run runs/demo/train --backend cpu',
    'terrafm eval knn runs/demo/corpus --encoder runs/demo/train/encoder --backend cpu',
    'terrafm eval retrieval runs/demo/corpus --random-init --size tiny --seed 0 --backend cpu',
  ],
  parse(values, positionals) {
    const task = positionals[0] as EvalTask;
    if (!TASKS.includes(task)) throw new UsageError(`terrafm eval: unknown task "${positionals[0] ?? ''}"; expected: ${TASKS.join(' or ')}`);
    const encoder = str(values, 'encoder');
    const run = str(values, 'run');
    const random = values['random-init'] === true;
    if ([encoder !== undefined, random, run !== undefined].filter(Boolean).length !== 1)
      throw new UsageError(`terrafm eval ${task}: give exactly one of --encoder <dir>, --random-init or --run <dir>`);
    const crossModal = values['cross-modal'] === true;
    if (crossModal && task !== 'knn') throw new UsageError('--cross-modal belongs to `eval knn`; `eval retrieval` is cross-modal already');
    const query = oneOf(values, 'query', MODALITIES) ?? DEFAULT_PAIR[0];
    const reference = oneOf(values, 'reference', MODALITIES) ?? DEFAULT_PAIR[1];
    if ((crossModal || task === 'retrieval') && query === reference) throw new UsageError(`--query and --reference are both ${query}; expected two different modalities`);
    return {
      task,
      corpus: positionals[1],
      encoder: encoder ?? null,
      run,
      size: oneOf(values, 'size', MODEL_SIZES) ?? 'tiny',
      seed: int(values, 'seed', 0) ?? 0,
      k: int(values, 'k', 1) ?? 20,
      heldOut: int(values, 'held-out', 1, 99) ?? 30,
      splitSeed: int(values, 'split-seed', 0) ?? 0,
      inputSize: int(values, 'input-size', 8),
      modalities: parseModalities(values),
      crossModal,
      query,
      reference,
      backend: oneOf(values, 'backend', ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const) ?? 'auto',
      json: values.json === true,
      verify: verifyModeOf(values),
    };
  },
  async run(opts, io) {
    const out = io?.stdout ?? process.stdout;
    const corpus = await openCorpusInput(opts.corpus, opts.verify);
    const print = (value: unknown, text: string) => out.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
    const common = {
      k: opts.k,
      split: { percent: opts.heldOut, seed: opts.splitSeed },
      inputSize: opts.inputSize,
      backend: opts.backend,
      log: (l: string) => process.stderr.write(`${l}\n`),
    };
    const baseline = `random init (${opts.size}, seed ${opts.seed})`;
    if (opts.task === 'retrieval' || opts.crossModal) {
      const cm = { ...common, pair: [opts.query, opts.reference] as [Modality, Modality] };
      if (opts.run) {
        const c = await compareRunCrossModal(corpus, opts.run, cm);
        print(c, `${formatCrossModal(c.random, 'random initialisation', opts.task)}\n${formatCrossModal(c.trained, `pretrained (${opts.run})`, opts.task)}`);
        return 0;
      }
      const r = await evalCrossModal(corpus, opts.encoder, { ...cm, size: opts.size, seed: opts.seed });
      print(opts.task === 'retrieval' ? r.retrieval : r.knn, formatCrossModal(r, opts.encoder ?? baseline, opts.task));
      return 0;
    }
    const knn = { ...common, modalities: opts.modalities };
    if (opts.run) {
      const c = await compareRunKnn(corpus, opts.run, knn);
      print(c, `${formatKnn(c.random, 'random initialisation')}\n${formatKnn(c.trained, `pretrained (${opts.run})`)}`);
      return 0;
    }
    const r = await evalKnn(corpus, opts.encoder, { ...knn, size: opts.size, seed: opts.seed });
    print(r, formatKnn(r, opts.encoder ?? baseline));
    return 0;
  },
});
