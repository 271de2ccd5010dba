// One training step and the state it changes (student, teacher, AdamW moments, centres), kept
// apart from the loop's I/O (loop.ts). A step:
//   1. schedules for this step (lr, weight decay, teacher momentum, teacher temperature);
//   2-3. per slice of the batch (slice-gradients.ts; one slice per worker thread, this thread
//      computing the first): teacher forward on the global views -> targets centred by the
//      *current* centres; student forward + DINO loss + gradients; the slices' gradients are summed
//      in worker order;
//   4. NaN/Inf guard on loss and gradient norm; clip by global norm; AdamW;
//   5. teacher EMA; centre EMAs (C and the class-aware C_h).
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../config/sections/train.js';
import { TrainError } from '../errors.js';
import type { Modality } from '../model/types.js';
import { AdamW, clipFactor } from './adamw.js';
import type { Batch } from './loader.js';
import type { ConcreteBackend } from './backend.js';
import type { ParamMap } from './model.js';
import {
  classFrequencies,
  classWeights,
  combinedCentre,
  lossWeights,
  teacherTargets,
  tileClassWeights,
  updateCentres,
  type CentreState,
} from './objective.js';
import { tensorFrom } from './parallel/heap.js';
import { paramLayout, planSlices } from './parallel/layout.js';
import { GradientWorkers, type WorkerSliceResult } from './parallel/pool.js';
import { globalCls, koleoFeatureGradients, sliceGradients, sliceRows, type SliceInput, type SliceView } from './slice-gradients.js';
import { createVariables, disposeVars, initParamValues, readValues, type ParamValues, type ParamVars } from './params.js';
import { backboneLrScale, cosine, teacherTemperature, warmupCosine } from './schedules.js';
import { encoderParamSpecs, ENCODER_SHAPES, headParamSpecs, type EncoderShape, type ParamSpec } from './sizes.js';
import type { CorpusNormalisation } from '../shard/stats.js';

export interface StepMetrics {
  /** Steps completed after this one (1-based). */
  step: number;
  loss: number;
  lr: number;
  weightDecay: number;
  momentum: number;
  teacherTemp: number;
  gradNorm: number;
  clipped: boolean;
  /** Mean entropy of the teacher targets (nats); near 0 = collapse to one prototype, near ln K = uniform. */
  teacherEntropy: number;
  /** Entropy of the batch-mean teacher target: near 0 = every tile on the same prototype (collapse). */
  batchTargetEntropy: number;
}

export function trainSpecs(cfg: TrainConfig): { shape: EncoderShape; specs: ParamSpec[] } {
  const shape = ENCODER_SHAPES[cfg.size];
  return { shape, specs: [...encoderParamSpecs(shape), ...headParamSpecs(shape.embedDim, { ...cfg.head, outDim: cfg.outDim })] };
}

/** Reads a tensor's values and frees it. */
function readAndDispose(t: tf.Tensor): Float32Array {
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

/** Rows [start, start + rows) of the batch as a slice input (views of the batch's arrays). */
function sliceOf(batch: Batch, weights: number[], start: number, rows: number): SliceInput {
  const B = batch.size;
  const views: SliceView[] = batch.views.map((v) => {
    const patches: SliceView['patches'] = {};
    for (const m of Object.keys(v.patches) as Modality[]) {
      const a = v.patches[m]!;
      patches[m] = sliceRows(a, start, rows, a.length / B);
    }
    return { grid: v.grid, patches };
  });
  return { rows, views, weights: weights.slice(start, start + rows) };
}

/** Per-slice view-major arrays ([nG][rows_i][K] each) as one view-major [nG][B][K] array. */
function viewMajor(parts: Float32Array[], rows: number[], nG: number, K: number): Float32Array {
  if (parts.length === 1) return parts[0];
  const B = rows.reduce((a, b) => a + b, 0);
  const out = new Float32Array(nG * B * K);
  let row0 = 0;
  parts.forEach((p, i) => {
    for (let v = 0; v < nG; v++) out.set(p.subarray(v * rows[i] * K, (v + 1) * rows[i] * K), (v * B + row0) * K);
    row0 += rows[i];
  });
  return out;
}

/** The inverse of viewMajor: one [nG][B][K] array cut into the slices' [nG][rows_i][K] arrays. */
function sliceViewMajor(all: Float32Array, rows: number[], nG: number, K: number): Float32Array[] {
  const B = rows.reduce((a, b) => a + b, 0);
  let row0 = 0;
  return rows.map((r) => {
    const out = new Float32Array(nG * r * K);
    for (let v = 0; v < nG; v++) out.set(all.subarray((v * B + row0) * K, (v * B + row0 + r) * K), v * r * K);
    row0 += r;
    return out;
  });
}

export class TrainerState {
  readonly shape: EncoderShape;
  readonly specs: ParamSpec[];
  readonly student: ParamVars;
  readonly teacher: ParamVars;
  readonly adam: AdamW;
  centres: CentreState;
  /** Steps completed. */
  step = 0;
  /** Class weights r_c from the corpus statistics. */
  readonly classR: number[];
  private workers: GradientWorkers | null = null;

  constructor(
    readonly cfg: TrainConfig,
    stats: CorpusNormalisation,
  ) {
    const { shape, specs } = trainSpecs(cfg);
    this.shape = shape;
    this.specs = specs;
    const values = initParamValues(specs, cfg.seed);
    this.student = createVariables(specs, values, true);
    this.teacher = createVariables(specs, values, false);
    this.adam = new AdamW(this.student, new Set(specs.filter((s) => s.decay).map((s) => s.name)));
    this.centres = { c: new Float32Array(cfg.outDim), ch: new Float32Array(cfg.outDim) };
    this.classR = classWeights(classFrequencies(stats.classPixelCounts), cfg.centering.classPower);
  }

  /**
   * Splits each step's batch across `workers` (this thread computes the first slice): see
   * slice-gradients.ts for why the slices add up to the whole batch's gradient.
   */
  async startWorkers(count: number, backend: ConcreteBackend): Promise<void> {
    if (count <= 1 || this.workers) return;
    this.workers = await GradientWorkers.start(count - 1, backend, this.cfg, this.shape, paramLayout(this.specs));
  }

  /** Threads computing gradients (this one included). */
  get workerCount(): number {
    return 1 + (this.workers?.size ?? 0);
  }

  async runStep(batch: Batch): Promise<StepMetrics> {
    const cfg = this.cfg;
    const s = this.step;
    if (batch.step !== s) throw new Error(`batch for step ${batch.step} given at step ${s}`);
    const lr = warmupCosine(s, cfg.steps, cfg.lr, cfg.minLr, cfg.warmupSteps);
    const wd = cosine(s, cfg.steps, cfg.weightDecay.start, cfg.weightDecay.end);
    const mom = cosine(s, cfg.steps, cfg.momentumTeacher.start, cfg.momentumTeacher.end);
    const tauT = teacherTemperature(s, cfg.teacherTemp.warmupStart, cfg.teacherTemp.final, cfg.teacherTemp.warmupSteps);
    const B = batch.size;
    const nG = cfg.crops.globalCount;
    const centre = combinedCentre(this.centres, cfg.centering);
    const weights = lossWeights(batch.sampleWeights, cfg.useSampleWeight);
    const slices = planSlices(B, this.workerCount).map((r) => sliceOf(batch, weights, r.start, r.rows));
    let others: Promise<WorkerSliceResult[]> | null = null;
    let mineKoleo: Float32Array | undefined;
    let koleoLoss = 0;
    if (slices.length > 1) {
      this.workers!.publish(this.student, this.teacher);
      let koleo: Float32Array[] | undefined;
      if (cfg.koleoWeight > 0) {
        // KoLeo pairs each tile with its nearest neighbour in the whole batch: gather every slice's
        // global CLS features, take KoLeo and its feature gradient here, hand each slice its rows.
        const pendingCls = this.workers!.globalCls(slices.slice(1));
        pendingCls.catch(() => {});
        const mineCls = globalCls(this.student, this.shape, cfg, slices[0]);
        const rows = slices.map((x) => x.rows);
        const k = koleoFeatureGradients(viewMajor([mineCls, ...(await pendingCls)], rows, nG, this.shape.embedDim), B, this.shape.embedDim, cfg);
        koleoLoss = k.loss;
        [mineKoleo, ...koleo] = sliceViewMajor(k.grads, rows, nG, this.shape.embedDim);
      }
      others = this.workers!.run(slices.slice(1), centre, tauT, koleo);
      others.catch(() => {}); // awaited below; a failure must not be reported as unhandled meanwhile
    }
    const mine = sliceGradients(this.student, this.teacher as unknown as ParamMap, this.shape, cfg, slices[0], centre, tauT, mineKoleo);
    const grads = mine.grads;
    let loss = mine.loss + koleoLoss;
    const logitParts = [mine.teacherLogits];
    try {
      // Summed in worker order, so a run is reproducible for a given worker count.
      for (const r of others ? await others : []) {
        loss += r.loss;
        logitParts.push(r.teacherLogits);
        for (const [k, g] of r.grads) {
          const prev = grads.get(k);
          const shape = this.student.get(k)!.shape;
          grads.set(k, prev ? tf.tidy(() => tf.add(prev, tensorFrom(g, shape))) : tensorFrom(g, shape));
          prev?.dispose();
        }
      }
    } catch (e) {
      tf.dispose([...grads.values()]);
      throw e;
    }
    const tData = viewMajor(logitParts, slices.map((x) => x.rows), nG, cfg.outDim);
    const [teacherEntropy, batchTargetEntropy] = readAndDispose(
      tf.tidy(() => {
        const [q] = teacherTargets([tf.tensor2d(tData, [nG * B, cfg.outDim])], centre, tauT);
        const h = (p: tf.Tensor) => tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, 1e-12))), -1));
        return tf.stack([tf.mean(h(q)), h(tf.mean(q, 0))]);
      }),
    );
    const gList = [...grads.values()];
    const gradNorm = readAndDispose(tf.tidy(() => tf.sqrt(tf.addN(gList.map((g) => tf.sum(tf.square(g)))))))[0];
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      tf.dispose(gList);
      throw new TrainError(
        `step ${s + 1}: ${!Number.isFinite(loss) ? `loss is ${loss}` : `gradient norm is ${gradNorm}`} (lr ${lr.toExponential(3)}); ` +
          'stopping before the weights are damaged. Resume from the last checkpoint with a lower lr or clip_grad, and check the corpus statistics (a zero std gives Inf).',
      );
    }
    const factor = clipFactor(gradNorm, cfg.clipGrad);
    const byName = new Map<string, tf.Tensor>();
    for (const [k, g] of grads) byName.set(k, factor < 1 ? tf.mul(g, factor) : g);
    this.adam.step(byName, lr, wd, (name) => (name.startsWith('head.') ? 1 : backboneLrScale(s, cfg)));
    if (factor < 1) tf.dispose([...byName.values()]);
    tf.tidy(() => {
      for (const [k, t] of this.teacher) t.assign(tf.add(tf.mul(t, mom), tf.mul(this.student.get(k)!, 1 - mom)));
    });
    this.centres = updateCentres(this.centres, tData, nG * B, tileClassWeights(batch.histograms, this.classR), cfg.centering);
    tf.dispose(gList);
    this.step = s + 1;
    return { step: this.step, loss, lr, weightDecay: wd, momentum: mom, teacherTemp: tauT, gradNorm, clipped: factor < 1, teacherEntropy, batchTargetEntropy };
  }

  /** All tensors of the state, named for the checkpoint. */
  tensors(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [k, v] of readValues(this.student)) out.set(`student/${k}`, v);
    for (const [k, v] of readValues(this.teacher)) out.set(`teacher/${k}`, v);
    const a = this.adam.state();
    for (const [k, v] of a.m) out.set(`adam.m/${k}`, v);
    for (const [k, v] of a.v) out.set(`adam.v/${k}`, v);
    out.set('centre/c', this.centres.c);
    out.set('centre/ch', this.centres.ch);
    return out;
  }

  load(step: number, adamT: number, tensors: Map<string, Float32Array>, file: string): void {
    const pick = (prefix: string): ParamValues => {
      const m: ParamValues = new Map();
      for (const s of this.specs) {
        const v = tensors.get(`${prefix}/${s.name}`);
        if (!v) throw new TrainError(`${file}: checkpoint lacks ${prefix}/${s.name} (saved with another model size or head?)`);
        if (v.length !== s.shape.reduce((x, y) => x * y, 1)) throw new TrainError(`${file}: ${prefix}/${s.name} has ${v.length} values; expected shape [${s.shape.join(', ')}]`);
        m.set(s.name, v);
      }
      return m;
    };
    tf.tidy(() => {
      const st = pick('student');
      const te = pick('teacher');
      for (const s of this.specs) {
        this.student.get(s.name)!.assign(tf.tensor(st.get(s.name)!, s.shape));
        this.teacher.get(s.name)!.assign(tf.tensor(te.get(s.name)!, s.shape));
      }
      this.adam.load({ t: adamT, m: pick('adam.m'), v: pick('adam.v') });
    });
    const c = tensors.get('centre/c');
    const ch = tensors.get('centre/ch');
    if (!c || !ch || c.length !== this.cfg.outDim) throw new TrainError(`${file}: centres missing or not of length out_dim ${this.cfg.outDim}`);
    this.centres = { c: c.slice(), ch: ch.slice() };
    this.step = step;
  }

  /** Starting weights for some encoder parameters (train --init): student and teacher get the same values. */
  loadEncoderWeights(values: ParamValues): void {
    const specs = new Map(this.specs.map((s) => [s.name, s]));
    tf.tidy(() => {
      for (const [k, v] of values) {
        const s = specs.get(k);
        if (!s || v.length !== s.shape.reduce((x, y) => x * y, 1)) throw new TrainError(`init: parameter ${k} is not part of this ${this.shape.size} encoder or has the wrong size`);
        this.student.get(k)!.assign(tf.tensor(v, s.shape));
        this.teacher.get(k)!.assign(tf.tensor(v, s.shape));
      }
    });
  }

  /** Teacher encoder values (backbone + fusion), for export. */
  teacherEncoderValues(): ParamValues {
    const names = new Set(encoderParamSpecs(this.shape).map((s) => s.name));
    const out: ParamValues = new Map();
    for (const [k, v] of this.teacher) if (names.has(k)) out.set(k, v.dataSync() as Float32Array);
    return out;
  }

  async close(): Promise<void> {
    await this.workers?.close();
    this.workers = null;
    this.dispose();
  }

  dispose(): void {
    disposeVars(this.student);
    disposeVars(this.teacher);
    this.adam.dispose();
  }
}
