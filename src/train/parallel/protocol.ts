// Messages between the main thread and a gradient worker (worker.ts). Weights travel through one
// SharedArrayBuffer the main thread rewrites before each step (student, then teacher, in layout
// order); each worker writes its slice's gradients into its own SharedArrayBuffer. Only the slice's
// pixels and the small per-step values are copied through postMessage.
import type { TrainConfig } from '../../config/sections/train.js';
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

export interface SliceJob {
  id: number;
  input: SliceInput;
  centre: Float32Array;
  tauT: number;
}

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'done'; id: number; loss: number; teacherLogits: Float32Array; /** Names of the parameters that received a gradient. */ present: string[] }
  | { kind: 'failed'; id: number; message: string };
