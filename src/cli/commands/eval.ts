// `terrafm eval knn <corpus> --encoder <dir>` (or --random-init for the baseline): kNN accuracy of
// frozen CLS features against each held-out tile's dominant WorldCover class, overall and per class.
import { UsageError } from '../../errors.js';
import type { Modality } from '../../model/types.js';
import { compareRunKnn, evalKnn, formatKnn } from '../../train/index.js';
import { MODEL_SIZES, type ModelSize } from '../../train/sizes.js';
import { defineCommand, int, oneOf, str } from '../command.js';
import { parseModalities } from './embed.js';

export interface EvalCommandOptions {
  task: 'knn';
  corpus: string;
  /** null: random initialisation (baseline), or `run` is given. */
  encoder: string | null;
  /** A finished training run directory: report its encoder and its random initialisation side by side. */
  run?: string;
  size: ModelSize;
  seed: number;
  k: number;
  heldOut: number;
  inputSize?: number;
  modalities?: Modality[];
  backend: 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  json: boolean;
}

export const evalCommand = defineCommand<EvalCommandOptions>({
  name: 'eval',
  summary: 'Evaluate an encoder: `eval knn` gives kNN accuracy on held-out tiles vs their dominant WorldCover class.',
  positionals: [
    { name: 'task', description: 'Evaluation: knn.', required: true },
    { name: 'corpus', description: 'Corpus directory.', required: true },
  ],
  options: {
    encoder: { type: 'string', valueName: '<dir>', description: 'Exported encoder directory (model.json + weights.bin).' },
    run: { type: 'string', valueName: '<dir>', description: 'A finished `terrafm train` run: compare its encoder with the random initialisation it started from.' },
    'random-init': { type: 'boolean', description: 'Evaluate the random initialisation instead (baseline; use the run\'s --size and --seed).' },
    size: { type: 'string', valueName: '<tiny|small|base|large>', default: 'tiny', description: 'Size of the random-init baseline.' },
    seed: { type: 'string', valueName: '<n>', default: '0', description: 'Seed of the random-init baseline.' },
    k: { type: 'string', valueName: '<n>', default: '20', description: 'Neighbours.' },
    'held-out': { type: 'string', valueName: '<percent>', default: '30', description: 'Percent of tiles held out (split by tile-id hash).' },
    'input-size': { type: 'string', valueName: '<px>', description: 'Resize tiles to this side (default the encoder input size).' },
    modalities: { type: 'string', valueName: '<list>', description: 'Comma list of modalities to use.' },
    backend: { type: 'string', valueName: '<auto|tensorflow|webgpu|wasm|cpu>', default: 'auto', description: 'tfjs backend.' },
    json: { type: 'boolean', description: 'Print the report as JSON.' },
  },
  examples: ['terrafm eval knn runs/demo/shards --run runs/demo/train', 'terrafm eval knn runs/demo/shards --encoder runs/demo/train/encoder', 'terrafm eval knn runs/demo/shards --random-init --size tiny --seed 0'],
  parse(values, positionals) {
    if (positionals[0] !== 'knn') throw new UsageError(`terrafm eval: unknown task "${positionals[0] ?? ''}"; expected: knn`);
    const encoder = str(values, 'encoder');
    const run = str(values, 'run');
    const random = values['random-init'] === true;
    if ([encoder !== undefined, random, run !== undefined].filter(Boolean).length !== 1)
      throw new UsageError('terrafm eval knn: give exactly one of --encoder <dir>, --random-init or --run <dir>');
    return {
      task: 'knn',
      corpus: positionals[1],
      encoder: encoder ?? null,
      run,
      size: oneOf(values, 'size', MODEL_SIZES) ?? 'tiny',
      seed: int(values, 'seed', 0) ?? 0,
      k: int(values, 'k', 1) ?? 20,
      heldOut: int(values, 'held-out', 1, 99) ?? 30,
      inputSize: int(values, 'input-size', 8),
      modalities: parseModalities(values),
      backend: oneOf(values, 'backend', ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const) ?? 'auto',
      json: values.json === true,
    };
  },
  async run(opts, io) {
    const out = io?.stdout ?? process.stdout;
    const common = { k: opts.k, heldOutPercent: opts.heldOut, inputSize: opts.inputSize, modalities: opts.modalities, backend: opts.backend, log: (l: string) => process.stderr.write(`${l}\n`) };
    if (opts.run) {
      const c = await compareRunKnn(opts.corpus, opts.run, common);
      out.write(opts.json ? `${JSON.stringify(c, null, 2)}\n` : `${formatKnn(c.random, 'random initialisation')}\n${formatKnn(c.trained, `pretrained (${opts.run})`)}\n`);
      return 0;
    }
    const r = await evalKnn(opts.corpus, opts.encoder, {
      size: opts.size,
      seed: opts.seed,
      k: opts.k,
      heldOutPercent: opts.heldOut,
      inputSize: opts.inputSize,
      modalities: opts.modalities,
      backend: opts.backend,
      log: (l) => process.stderr.write(`${l}\n`),
    });
    out.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatKnn(r, opts.encoder ?? `random init (${opts.size}, seed ${opts.seed})`)}\n`);
    return 0;
  },
});
