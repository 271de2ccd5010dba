// Messages between the main thread and a gradient worker (worker.ts). Weights travel through one
// SharedArrayBuffer the main thread rewrites before each step (student, then teacher, in layout
// order); each worker writes its slice's gradients into its own SharedArrayBuffer. Only the slice's
// pixels and the small per-step values are copied through postMessage.
import type { TrainConfig } from '../../config/sections/train.js';
import type { Modality } from '../../model/types.js';
import type { ConcreteBackend } from '../backend.js';
import type { SliceInput } from '../slice-gradients.js';
import type { EncoderShape } from '../sizes.js';
import type { ParamLayout } from './layout.js';

export interface WorkerInit {
  backend: ConcreteBackend;
  cfg: TrainConfig;
  shape: EncoderShape;
  layout: ParamLayout;
  /** Float32 [2 * layout.total]: student values, then teacher values. */
  weights: SharedArrayBuffer;
  /** Float32 [layout.total]: this worker's gradients. */
  grads: SharedArrayBuffer;
}

/** Where one view's pixels lie in the job's input buffer: per modality [offset, length] in floats. */
export interface ViewPlacement {
  grid: number;
  patches: Partial<Record<Modality, [number, number]>>;
}

export interface SliceJob {
  id: number;
  /**
   * `cls`: only the student's global-view CLS features (the first half of a step with KoLeo);
   * `grad`: the slice's loss and gradients (with `koleo`, KoLeo's gradient is injected, not computed).
   */
  kind: 'cls' | 'grad';
  rows: number;
  weights: number[];
  views: ViewPlacement[];
  /** A new, larger input buffer when the previous one was too small; otherwise the last one given. */
  inputBuffer?: SharedArrayBuffer;
  centre: Float32Array;
  tauT: number;
  /** KoLeo's gradient for this slice's global CLS features, [globalCount][rows][D]. */
  koleo?: Float32Array;
}

/** Copies a slice's pixels into `buffer` (growing it when needed) and describes where they are. */
export function placeSlice(input: SliceInput, buffer: Float32Array): { views: ViewPlacement[]; buffer: Float32Array; grown: boolean } {
  const need = input.views.reduce((n, v) => n + Object.values(v.patches).reduce((k, a) => k + (a as Float32Array).length, 0), 0);
  const grown = need > buffer.length;
  const out = grown ? new Float32Array(new SharedArrayBuffer(Math.ceil(need * 1.25) * 4)) : buffer;
  let offset = 0;
  const views = input.views.map((v) => {
    const patches: ViewPlacement['patches'] = {};
    for (const m of Object.keys(v.patches) as Modality[]) {
      const a = v.patches[m]!;
      out.set(a, offset);
      patches[m] = [offset, a.length];
      offset += a.length;
    }
    return { grid: v.grid, patches };
  });
  return { views, buffer: out, grown };
}

/** The slice input a placement describes, as views of the buffer. */
export function readSlice(job: Pick<SliceJob, 'rows' | 'weights' | 'views'>, buffer: Float32Array): SliceInput {
  return {
    rows: job.rows,
    weights: job.weights,
    views: job.views.map((v) => {
      const patches: SliceInput['views'][number]['patches'] = {};
      for (const m of Object.keys(v.patches) as Modality[]) {
        const [o, n] = v.patches[m]!;
        patches[m] = buffer.subarray(o, o + n);
      }
      return { grid: v.grid, patches };
    }),
  };
}

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'done'; id: number; loss: number; teacherLogits: Float32Array; /** Names of the parameters that received a gradient. */ present: string[] }
  | { kind: 'cls'; id: number; cls: Float32Array }
  | { kind: 'failed'; id: number; message: string };
