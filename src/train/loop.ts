// The training loop and its files (the I/O edge of the trainer). Output directory layout:
//   checkpoint.tfmc   latest checkpoint (atomic), written every checkpoint_every steps, on SIGINT/abort and at the end
//   metrics.jsonl     one JSON object per step (StepMetrics + images/s + seconds)
//   loss.svg, loss.png  loss curve
//   encoder/          exported teacher encoder (model.json + weights.bin, TensorFlow.js weights format)
//   train.json        run summary (config, backend, figures)
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../config/sections/train.js';
import { InterruptedError, TrainError } from '../errors.js';
import { describeChoice, selectBackend } from './backend.js';
import { writeFileAtomic } from '../atomic-file.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { lossCurvePng, lossCurveSvg, type CurvePoint } from './curve.js';
import { readEncoder, writeEncoder } from './export.js';
import { encoderParamSpecs } from './sizes.js';
import { BatchLoader, type Batch, type StreamState } from './loader.js';
import { trainingSplit, type SplitRecord } from './split.js';
import type { TileSource } from './tiles.js';
import { resolveWorkerCount } from './parallel/pool.js';
import { TrainerState, type StepMetrics } from './trainer.js';

export const CHECKPOINT_FILE = 'checkpoint.tfmc';
export const METRICS_FILE = 'metrics.jsonl';

export interface CheckpointMeta {
  format: 'terrafm-checkpoint/1';
  step: number;
  adamT: number;
  config: TrainConfig;
  loader: StreamState;
  history: CurvePoint[];
  /** Gradient threads of the run that wrote it (absent before workers existed: 1). */
  workers?: number;
}

export interface TrainOptions {
  outDir: string;
  /** Continue from outDir/checkpoint.tfmc. Without it an existing checkpoint is an error (no silent overwrite). */
  resume?: boolean;
  /** Stop (with a checkpoint) once this many steps are done, as a kill would; for tests and time-boxed runs. */
  stopAfter?: number;
  /** Aborting saves a checkpoint after the current step and throws InterruptedError. */
  signal?: AbortSignal;
  /** Install a SIGINT handler that behaves like `signal` (the CLI sets this). */
  handleSigint?: boolean;
  /** Progress lines (backend choice, per-step progress); default: none. */
  log?: (line: string) => void;
  /** Encoder directory to start from (backbone, and fusion if it has it); the head starts fresh. Ignored on resume. */
  init?: string;
  /** Called after every step. */
  onStep?: (m: StepMetrics & { imagesPerSec: number; seconds: number }) => void;
}

export interface TrainResult {
  outDir: string;
  backend: string;
  /** Steps completed in total (including those before a resume). */
  steps: number;
  /** Steps run by this call. */
  stepsThisRun: number;
  finalLoss: number;
  /** Mean tiles per second over this call's steps. */
  imagesPerSec: number;
  encoderDir: string | null;
  stopped: 'done' | 'stopAfter' | 'interrupted';
  /** Threads that computed gradients (train.workers resolved). */
  workers: number;
  /** The held-out split and whether training left it out. */
  split: SplitRecord;
}

/** Loads an encoder directory's weights into student and teacher; returns the log line saying what started fresh. */
function initFromEncoder(state: TrainerState, dir: string, cfg: TrainConfig): string {
  const enc = readEncoder(dir);
  if (enc.shape.size !== cfg.size) throw new TrainError(`--init ${dir}: encoder size ${enc.shape.size}, but this run trains ${cfg.size} (set --size ${enc.shape.size})`);
  const groups = enc.fusion === 'file' ? ['backbone', 'fusion'] : ['backbone'];
  const names = encoderParamSpecs(state.shape).filter((s) => groups.includes(s.group)).map((s) => s.name);
  state.loadEncoderWeights(new Map(names.map((n) => [n, enc.values.get(n)!])));
  const fresh = enc.fusion === 'file' ? 'DINO head' : 'fusion and DINO head';
  return `init: ${groups.join(' + ')} (${names.length} tensors) from ${dir}; ${fresh} freshly initialised (seed ${cfg.seed}); optimizer state starts at zero`;
}

function sameModel(a: TrainConfig, b: TrainConfig): string | null {
  if (a.size !== b.size) return `size ${b.size} in the checkpoint, ${a.size} now`;
  if (a.outDim !== b.outDim) return `out_dim ${b.outDim} in the checkpoint, ${a.outDim} now`;
  if (a.head.hiddenDim !== b.head.hiddenDim || a.head.bottleneckDim !== b.head.bottleneckDim) return 'head widths differ from the checkpoint';
  // The data position counts the training tiles, so the split must not change (older checkpoints trained on all tiles).
  const h = b.heldOut ?? { percent: a.heldOut.percent, seed: a.heldOut.seed, exclude: false };
  if (h.exclude !== a.heldOut.exclude || (a.heldOut.exclude && (h.percent !== a.heldOut.percent || h.seed !== a.heldOut.seed)))
    return `held-out split ${h.exclude ? `${h.percent} % seed ${h.seed} excluded` : 'not excluded'} in the checkpoint, ${a.heldOut.exclude ? `${a.heldOut.percent} % seed ${a.heldOut.seed} excluded` : 'not excluded'} now`;
  return null;
}

/** Drops metric lines of steps after the checkpoint (they will be run again). */
function truncateMetrics(file: string, step: number): void {
  if (!fs.existsSync(file)) return;
  const keep = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && (JSON.parse(l) as { step: number }).step <= step);
  writeFileAtomic(file, keep.map((l) => l + '\n').join(''));
}

export async function trainWith(corpus: TileSource, cfg: TrainConfig, opts: TrainOptions): Promise<TrainResult> {
  const log = opts.log ?? (() => {});
  const choice = await selectBackend(cfg.backend);
  log(describeChoice(choice));
  const { source, record: split } = await trainingSplit(corpus, cfg.heldOut);
  log(`training on ${split.trainTiles} tiles; ${split.heldOutTiles} held out for evaluation (${split.percent} %, seed ${split.seed})${split.excluded ? '' : ', NOT excluded from training'}`);
  const stats = await source.stats();
  fs.mkdirSync(opts.outDir, { recursive: true });
  const ckptFile = path.join(opts.outDir, CHECKPOINT_FILE);
  const metricsFile = path.join(opts.outDir, METRICS_FILE);
  const state = new TrainerState(cfg, stats);
  let streamState: StreamState | undefined;
  let history: CurvePoint[] = [];
  let resumedWorkers: number | undefined;
  if (fs.existsSync(ckptFile)) {
    if (!opts.resume) {
      state.dispose();
      throw new TrainError(`${ckptFile} exists; pass --resume to continue that run, or choose another output directory`);
    }
    const c = readCheckpoint<CheckpointMeta>(ckptFile);
    if (c.meta.format !== 'terrafm-checkpoint/1') throw new TrainError(`${ckptFile}: format ${c.meta.format}; expected terrafm-checkpoint/1`);
    const diff = sameModel(cfg, c.meta.config);
    if (diff) {
      state.dispose();
      throw new TrainError(`${ckptFile}: cannot resume, ${diff}`);
    }
    state.load(c.meta.step, c.meta.adamT, c.tensors, ckptFile);
    streamState = c.meta.loader;
    history = c.meta.history;
    resumedWorkers = c.meta.workers ?? 1;
    truncateMetrics(metricsFile, c.meta.step);
    log(`resumed from ${ckptFile} at step ${c.meta.step}`);
    if (opts.init) log(`--init ${opts.init} ignored: resuming from the checkpoint`);
  } else {
    if (opts.resume) log(`no checkpoint in ${opts.outDir}; starting from step 0`);
    if (opts.init) {
      try {
        log(initFromEncoder(state, opts.init, cfg));
      } catch (e) {
        state.dispose();
        throw e;
      }
    }
  }
  const workers = resolveWorkerCount(cfg.workers, choice.backend);
  if (workers > 1) {
    try {
      await state.startWorkers(workers, choice.backend);
    } catch (e) {
      if (cfg.workers !== 'auto') {
        state.dispose();
        throw e;
      }
      log(`workers: ${(e as Error).message}; training on the main thread only`);
    }
  }
  if (resumedWorkers !== undefined && resumedWorkers !== state.workerCount)
    log(`the checkpoint's run computed gradients with ${resumedWorkers} worker(s), this one with ${state.workerCount}: the steps continue, but float sums run in another order, so weights will not be bit-identical to an uninterrupted run`);
  log(`gradients on ${state.workerCount} thread(s)`);
  const startStep = state.step;
  const loader = new BatchLoader(source, cfg, state.shape.patchSize, stats, state.step, streamState);
  let interrupted = opts.signal?.aborted ?? false;
  const onAbort = () => (interrupted = true);
  opts.signal?.addEventListener('abort', onAbort);
  const onSigint = () => {
    if (interrupted) {
      // Second Ctrl-C: the user does not want to wait for the step; the last checkpoint stays.
      log('SIGINT again: exiting without saving (the previous checkpoint is intact)');
      process.exit(130);
    }
    interrupted = true;
    log('SIGINT: finishing this step, then saving a checkpoint (Ctrl-C again to quit at once)');
  };
  if (opts.handleSigint) process.on('SIGINT', onSigint);
  let lastBatch: Batch | null = null;
  const save = () => {
    if (!lastBatch) return;
    const meta: CheckpointMeta = { format: 'terrafm-checkpoint/1', step: state.step, adamT: state.adam.t, config: cfg, loader: lastBatch.stateAfter, history, workers: state.workerCount };
    writeCheckpoint(ckptFile, { meta, tensors: state.tensors() });
  };
  const writeCurve = () => {
    const title = `TerraFM ${cfg.size} pretraining loss`;
    writeFileAtomic(path.join(opts.outDir, 'loss.svg'), lossCurveSvg(history, title));
    writeFileAtomic(path.join(opts.outDir, 'loss.png'), lossCurvePng(history, title));
  };
  const stopAt = Math.min(cfg.steps, opts.stopAfter ?? Infinity);
  let stopped: TrainResult['stopped'] = 'done';
  let finalLoss = history.length ? history[history.length - 1].loss : NaN;
  let busySeconds = 0;
  const fetch = () => {
    const p = loader.next();
    p.catch(() => {}); // awaited later; avoid an unhandled-rejection report meanwhile
    return p;
  };
  let pending: Promise<Batch> | null = state.step < stopAt ? fetch() : null;
  try {
    while (pending) {
      const batch = await pending;
      // Prefetch: the next batch's reads and crops proceed while this step computes.
      pending = state.step + 1 < stopAt ? fetch() : null;
      // Let the prefetch start its reads (they run in libuv's threads while the synchronous step
      // computes); JS decoding and cropping of that batch still happen between steps.
      await new Promise((r) => setImmediate(r));
      const t0 = performance.now();
      const m = await state.runStep(batch);
      const seconds = (performance.now() - t0) / 1000;
      busySeconds += seconds;
      lastBatch = batch;
      finalLoss = m.loss;
      history.push({ step: m.step, loss: m.loss });
      const imagesPerSec = batch.size / seconds;
      const line = { ...m, imagesPerSec, seconds, backend: choice.backend, time: new Date().toISOString() };
      fs.appendFileSync(metricsFile, JSON.stringify(line) + '\n');
      opts.onStep?.({ ...m, imagesPerSec, seconds });
      log(`step ${m.step}/${cfg.steps} loss ${m.loss.toFixed(4)} lr ${m.lr.toExponential(2)} ${imagesPerSec.toFixed(1)} img/s`);
      if (interrupted) {
        stopped = 'interrupted';
        pending = null;
      } else if (state.step >= stopAt && stopAt < cfg.steps) stopped = 'stopAfter';
      if (state.step % cfg.checkpointEvery === 0 || !pending) save();
    }
    if (lastBatch === null && interrupted) stopped = 'interrupted';
    writeCurve();
    let encoderDir: string | null = null;
    if (stopped === 'done') {
      encoderDir = path.join(opts.outDir, 'encoder');
      writeEncoder(encoderDir, state.shape, state.teacherEncoderValues(), state.step);
    }
    const result: TrainResult = {
      outDir: opts.outDir,
      backend: choice.backend,
      steps: state.step,
      stepsThisRun: state.step - startStep,
      finalLoss,
      imagesPerSec: busySeconds > 0 ? ((state.step - startStep) * cfg.batchSize) / busySeconds : 0,
      encoderDir,
      stopped,
      workers: state.workerCount,
      split,
    };
    // normalisation: the band statistics the inputs were normalised with, for exports (terrafm export).
    const summary = { ...result, config: cfg, init: opts.init ?? null, normalisation: stats.modalities, memory: tf.memory().numBytes };
    writeFileAtomic(path.join(opts.outDir, 'train.json'), JSON.stringify(summary, null, 2) + '\n');
    if (stopped === 'interrupted') throw new InterruptedError(`training stopped at step ${state.step}; checkpoint saved in ${ckptFile} (rerun with --resume)`);
    return result;
  } finally {
    if (pending) await pending.catch(() => {});
    opts.signal?.removeEventListener('abort', onAbort);
    if (opts.handleSigint) process.off('SIGINT', onSigint);
    await loader.close();
    await state.close();
  }
}
