// `terrafm train <corpus> --out <dir>`: TerraFM pretraining on a shard corpus (src/train/).
import { checkOutputDir } from '../../output-dir.js';
import type { RawTrain } from '../../config/sections/train.js';
import { loadSection } from '../../config/load-section.js';
import { trainOnCorpus } from '../../train/index.js';
import type { VerifyMode } from '../../shard/verify.js';
import { openCorpusInput, VERIFY_OPTIONS, verifyModeOf } from '../corpus-input.js';
import { defineCommand, int, num, oneOf, required, str } from '../command.js';

export interface TrainCommandOptions {
  corpus: string;
  out: string;
  /** Pipeline YAML whose `train:` section is the base configuration. */
  pipeline?: string;
  /** snake_case overrides of the `train:` section from flags. */
  overrides: RawTrain;
  resume: boolean;
  verify: VerifyMode | false;
  /** Encoder directory to start from (e.g. from `terrafm import-weights`). */
  init?: string;
}

export const trainCommand = defineCommand<TrainCommandOptions>({
  name: 'train',
  summary: 'Pretrain TerraFM (DINO self-distillation with dual centering) on a shard corpus.',
  positionals: [{ name: 'corpus', description: 'Corpus directory (manifest.json, stats.json, shards), or a run directory (its corpus/).', required: true }],
  options: {
    out: { type: 'string', short: 'o', valueName: '<dir>', description: 'Run directory: checkpoint, metrics.jsonl, loss.svg/png, encoder/.' },
    pipeline: { type: 'string', valueName: '<file.yaml>', description: 'Take the `train:` section of this pipeline file as the base settings.' },
    size: { type: 'string', valueName: '<tiny|small|base|large>', default: 'tiny', description: 'Encoder size.' },
    steps: { type: 'string', valueName: '<n>', default: '200', description: 'Optimiser steps.' },
    'batch-size': { type: 'string', valueName: '<n>', default: '16', description: 'Tiles per step.' },
    lr: { type: 'string', valueName: '<x>', default: '5e-4', description: 'Peak learning rate.' },
    'warmup-steps': { type: 'string', valueName: '<n>', default: '10', description: 'Learning-rate warm-up steps.' },
    'out-dim': { type: 'string', valueName: '<K>', default: '1024', description: 'Prototypes of the projection head.' },
    centering: { type: 'string', valueName: '<dual|dino>', default: 'dual', description: 'Teacher centering: dual (C and class-aware C_h) or plain DINO.' },
    lambda: { type: 'string', valueName: '<0..1>', default: '0.5', description: 'Weight of C in lambda*C + (1-lambda)*C_h.' },
    'global-size': { type: 'string', valueName: '<px>', default: '64', description: 'Global crop side.' },
    'local-size': { type: 'string', valueName: '<px>', default: '32', description: 'Local crop side.' },
    'local-count': { type: 'string', valueName: '<n>', default: '4', description: 'Local crops per tile.' },
    'checkpoint-every': { type: 'string', valueName: '<n>', default: '50', description: 'Checkpoint interval in steps.' },
    backend: { type: 'string', valueName: '<auto|tensorflow|webgpu|wasm|cpu>', default: 'auto', description: 'tfjs backend; auto picks the best present and says which.' },
    workers: { type: 'string', valueName: '<n|auto>', default: 'auto', description: 'Gradient threads (data-parallel, main thread included); auto = the cores on wasm, 1 on other backends.' },
    seed: { type: 'string', valueName: '<n>', default: '0', description: 'Random seed.' },
    'sample-weight': { type: 'boolean', description: 'Weight the loss by each tile\'s sample_weight.' },
    'held-out': { type: 'string', valueName: '<percent>', default: '30', description: 'Percent of tiles held out for `eval` (tile-id hash, the split `eval` uses); training leaves them out.' },
    'split-seed': { type: 'string', valueName: '<n>', default: '0', description: 'Seed of the held-out split hash.' },
    'include-held-out': { type: 'boolean', description: 'Train on the held-out tiles too (the evaluations then score tiles the encoder trained on).' },
    init: { type: 'string', valueName: '<dir>', description: 'Start from this encoder directory (terrafm import-weights output or <run>/encoder); the head (and fusion if absent) start fresh.' },
    resume: { type: 'boolean', description: 'Continue from <out>/checkpoint.tfmc (exact: weights, optimizer, teacher, centres, data position).' },
    ...VERIFY_OPTIONS,
  },
  examples: [
    'terrafm train runs/demo --out runs/demo-train --steps 2 --batch-size 4 --global-size 32 --local-size 16 --backend wasm',
    'terrafm train runs/demo --out runs/demo-train --steps 3 --batch-size 4 --global-size 32 --local-size 16 --backend wasm --resume',
    'terrafm train runs/demo --out runs/demo-2threads --steps 2 --batch-size 4 --global-size 32 --local-size 16 --backend wasm --workers 2',
    'terrafm train runs/demo/corpus --out runs/demo-dino --pipeline pipelines/demo.yaml --centering dino --steps 1 --batch-size 4',
    'terrafm train runs/demo --out runs/demo-init --init runs/demo/train/encoder --steps 1 --batch-size 4 --global-size 32 --local-size 16 --backend wasm',
  ],
  parse(values, positionals) {
    const o: RawTrain = {};
    const set = <K extends keyof RawTrain>(k: K, v: RawTrain[K] | undefined) => v !== undefined && (o[k] = v);
    set('size', oneOf(values, 'size', ['tiny', 'small', 'base', 'large'] as const));
    set('steps', int(values, 'steps', 1));
    set('batch_size', int(values, 'batch-size', 1));
    set('lr', num(values, 'lr'));
    set('warmup_steps', int(values, 'warmup-steps', 0));
    set('out_dim', int(values, 'out-dim', 2));
    set('checkpoint_every', int(values, 'checkpoint-every', 1));
    set('backend', oneOf(values, 'backend', ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const));
    set('seed', int(values, 'seed', 0));
    if (values.workers !== undefined) set('workers', values.workers === 'auto' ? 'auto' : int(values, 'workers', 1));
    if (values['sample-weight'] === true) o.use_sample_weight = true;
    const heldOut = int(values, 'held-out', 1, 99);
    const splitSeed = int(values, 'split-seed', 0);
    const include = values['include-held-out'] === true;
    if (heldOut !== undefined || splitSeed !== undefined || include)
      o.held_out = { ...(heldOut !== undefined ? { percent: heldOut } : {}), ...(splitSeed !== undefined ? { seed: splitSeed } : {}), ...(include ? { exclude: false } : {}) };
    const centering = oneOf(values, 'centering', ['dual', 'dino'] as const);
    const lambda = num(values, 'lambda');
    if (centering !== undefined || lambda !== undefined) o.centering = { ...(centering ? { mode: centering } : {}), ...(lambda !== undefined ? { lambda } : {}) };
    const gs = int(values, 'global-size', 8);
    const ls = int(values, 'local-size', 8);
    const lc = int(values, 'local-count', 0);
    if (gs !== undefined || ls !== undefined || lc !== undefined)
      o.crops = { ...(gs !== undefined ? { global_size: gs } : {}), ...(ls !== undefined ? { local_size: ls } : {}), ...(lc !== undefined ? { local_count: lc } : {}) };
    return { corpus: positionals[0], out: required(str(values, 'out'), '--out <dir>'), pipeline: str(values, 'pipeline'), overrides: o, resume: values.resume === true, verify: verifyModeOf(values), init: str(values, 'init') };
  },
  async run(opts, io) {
    // the flags over the file's `train:` section, nested mappings merged key by key
    const cfg = loadSection(opts.pipeline, 'train', {
      override: (file) => {
        const base = file as RawTrain;
        return {
          ...base,
          ...opts.overrides,
          ...(base.crops || opts.overrides.crops ? { crops: { ...base.crops, ...opts.overrides.crops } } : {}),
          ...(base.centering || opts.overrides.centering ? { centering: { ...base.centering, ...opts.overrides.centering } } : {}),
          ...(base.held_out || opts.overrides.held_out ? { held_out: { ...base.held_out, ...opts.overrides.held_out } } : {}),
        } as Record<string, unknown>;
      },
    });
    const err = process.stderr;
    checkOutputDir(opts.out, '--out');
    const corpus = await openCorpusInput(opts.corpus, opts.verify);
    const r = await trainOnCorpus(corpus, cfg, {
      outDir: opts.out,
      resume: opts.resume,
      init: opts.init,
      handleSigint: true,
      log: (line) => err.write(`${line.startsWith('step ') && err.isTTY ? '\r' : ''}${line}${line.startsWith('step ') && err.isTTY ? '' : '\n'}`),
    });
    if (err.isTTY) err.write('\n');
    (io?.stdout ?? process.stdout).write(
      `trained ${cfg.size} for ${r.steps} steps on ${r.backend}: final loss ${r.finalLoss.toFixed(4)}, ${r.imagesPerSec.toFixed(1)} img/s; encoder in ${r.encoderDir}\n` +
        `split: ${r.split.trainTiles} training tiles, ${r.split.heldOutTiles} held out (${r.split.percent} %, seed ${r.split.seed}, ${r.split.excluded ? 'excluded from training' : 'INCLUDED in training'})\n`,
    );
    return 0;
  },
});
