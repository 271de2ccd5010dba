// The main thread's side of data-parallel training: starts the gradient workers, publishes the
// weights before each step, hands each worker its slice and collects the results in worker order.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../../config/sections/train.js';
import { TrainError } from '../../errors.js';
import type { ConcreteBackend } from '../backend.js';
import type { SliceInput } from '../slice-gradients.js';
import type { EncoderShape } from '../sizes.js';
import type { ParamLayout } from './layout.js';
import { valuesOf } from './heap.js';
import { placeSlice, type SliceJob, type WorkerInit, type WorkerReply } from './protocol.js';

const ENTRY = fileURLToPath(new URL('./entry.mjs', import.meta.url));

export interface WorkerSliceResult {
  loss: number;
  teacherLogits: Float32Array;
  /** Gradients by parameter name: views into the worker's shared buffer, valid until its next job. */
  grads: Map<string, Float32Array>;
}

interface Pending {
  resolve: (r: WorkerSliceResult | Float32Array) => void;
  reject: (e: Error) => void;
}

class GradientWorker {
  private pending: Pending | null = null;
  private failure: Error | null = null;
  /** The slice pixels this worker reads (shared; grown when a slice needs more). */
  private inputs: Float32Array = new Float32Array(new SharedArrayBuffer(0));
  private views: SliceJob['views'] = [];
  readonly grads: Float32Array;

  private constructor(
    private readonly worker: Worker,
    private readonly layout: ParamLayout,
    grads: SharedArrayBuffer,
    readonly index: number,
  ) {
    this.grads = new Float32Array(grads);
  }

  static start(index: number, init: Omit<WorkerInit, 'grads'>): Promise<GradientWorker> {
    const grads = new SharedArrayBuffer(init.layout.total * 4);
    const worker = new Worker(ENTRY, { workerData: { ...init, grads } satisfies WorkerInit });
    const w = new GradientWorker(worker, init.layout, grads, index);
    return new Promise((resolve, reject) => {
      const fail = (e: Error) => {
        w.failure = new TrainError(`training worker ${index} failed: ${e.message.split('\n')[0]}`);
        if (w.pending) w.pending.reject(w.failure);
        else reject(w.failure);
        w.pending = null;
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!w.failure) fail(new Error(`exited with code ${code}`));
      });
      worker.on('message', (r: WorkerReply) => {
        if (r.kind === 'ready') return resolve(w);
        const p = w.pending;
        w.pending = null;
        if (!p) return;
        if (r.kind === 'failed') return p.reject(new TrainError(`training worker ${index}: ${r.message}`));
        if (r.kind === 'cls') return p.resolve(r.cls);
        const grads = new Map<string, Float32Array>();
        const present = new Set(r.present);
        for (const s of w.layout.slots) if (present.has(s.name)) grads.set(s.name, w.grads.subarray(s.offset, s.offset + s.length));
        p.resolve({ loss: r.loss, teacherLogits: r.teacherLogits, grads });
      });
    });
  }

  /** Posts a job; the slice's pixels are copied to the worker's input buffer unless `placed` (the step's second job). */
  run<R extends WorkerSliceResult | Float32Array>(job: Omit<SliceJob, 'views' | 'rows' | 'weights'>, input: SliceInput, placed: boolean): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    const full: SliceJob = { ...job, rows: input.rows, weights: input.weights, views: this.views };
    if (!placed) {
      const p = placeSlice(input, this.inputs);
      if (p.grown) full.inputBuffer = p.buffer.buffer as SharedArrayBuffer;
      this.inputs = p.buffer;
      this.views = full.views = p.views;
    }
    return new Promise((resolve, reject) => {
      this.pending = { resolve: resolve as (r: WorkerSliceResult | Float32Array) => void, reject };
      this.worker.postMessage(full);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new TrainError('training worker closed');
    await this.worker.terminate();
  }
}

export class GradientWorkers {
  private nextId = 0;
  /** The last globalCls() placed this step's slices in the workers' input buffers. */
  private placed = false;
  private readonly weights: Float32Array;

  private constructor(
    private readonly workers: GradientWorker[],
    private readonly layout: ParamLayout,
    weights: SharedArrayBuffer,
  ) {
    this.weights = new Float32Array(weights);
  }

  /** Starts `count` worker threads (the main thread computes a slice too, so a run with n workers starts n - 1). */
  static async start(count: number, backend: ConcreteBackend, cfg: TrainConfig, shape: EncoderShape, layout: ParamLayout): Promise<GradientWorkers> {
    if (!existsSync(ENTRY)) throw new TrainError(`training workers need ${ENTRY}, which is missing (a bundled build?); set train.workers: 1`);
    const weights = new SharedArrayBuffer(layout.total * 2 * 4);
    const started = await Promise.allSettled(Array.from({ length: count }, (_, i) => GradientWorker.start(i + 1, { backend, cfg, shape, layout, weights })));
    const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const bad = started.find((s) => s.status === 'rejected');
    if (bad) {
      await Promise.all(ok.map((w) => w.close()));
      throw (bad as PromiseRejectedResult).reason;
    }
    return new GradientWorkers(ok, layout, weights);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Copies the current student and teacher values where the workers read them. */
  publish(student: Map<string, tf.Variable>, teacher: Map<string, tf.Variable>): void {
    const { slots, total } = this.layout;
    for (const s of slots) {
      this.weights.set(valuesOf(student.get(s.name)!), s.offset);
      this.weights.set(valuesOf(teacher.get(s.name)!), total + s.offset);
    }
  }

  /** Each worker's student CLS features of its slice's global views (inputs in worker order). */
  globalCls(inputs: SliceInput[]): Promise<Float32Array[]> {
    this.checkCount(inputs);
    this.placed = true;
    return Promise.all(inputs.map((input, i) => this.workers[i].run<Float32Array>({ id: this.nextId++, kind: 'cls', centre: new Float32Array(0), tauT: 0 }, input, false)));
  }

  /**
   * Runs one slice per worker (inputs in worker order); results come back in the same order.
   * `koleo`: per worker, KoLeo's gradient for its slice's global CLS features (after globalCls()).
   */
  run(inputs: SliceInput[], centre: Float32Array, tauT: number, koleo?: Float32Array[]): Promise<WorkerSliceResult[]> {
    this.checkCount(inputs);
    const placed = koleo !== undefined && this.placed;
    this.placed = false;
    return Promise.all(inputs.map((input, i) => this.workers[i].run<WorkerSliceResult>({ id: this.nextId++, kind: 'grad', centre, tauT, koleo: koleo?.[i] }, input, placed)));
  }

  private checkCount(inputs: SliceInput[]): void {
    if (inputs.length > this.workers.length) throw new Error(`${inputs.length} slices for ${this.workers.length} workers`);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/** Gradient threads for a run: `auto` is the number of cores on wasm (one core per thread there), 1 on the other backends. */
export function resolveWorkerCount(want: number | 'auto', backend: ConcreteBackend): number {
  if (want !== 'auto') return want;
  return backend === 'wasm' ? availableParallelism() : 1;
}
