// The compute of one training step for a slice of the batch: teacher forward on the slice's global
// views, targets centred by the step's centre, student forward + DINO loss + gradients (one group of
// views at a time). The same function runs on the main thread (one worker, or slice 0) and in each
// worker thread (train/parallel/), so the two paths cannot drift apart.
//
// Why slices add up: the DINO loss is a sum over tiles weighted by a_b (the batch-wide loss
// weights, sliced), the teacher targets of a tile depend only on that tile's logits and the shared
// centre, and no layer mixes tiles (LayerNorm is per token, attention per tile). So the sum of the
// slices' losses and gradients is the whole batch's, up to float summation order. KoLeo (each tile's
// nearest neighbour among the batch's tiles) is not a sum over tiles: with several slices the caller
// first gathers every slice's global-view CLS features (globalCls), computes KoLeo and its gradient
// with respect to those features on the whole batch (koleoFeatureGradients), and each slice injects
// its rows of that gradient into its backward pass, which gives the exact whole-batch gradient.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../config/sections/train.js';
import type { Modality } from '../model/types.js';
import { injectGradient } from './fused-ops.js';
import { encodeViews, projectionHead, viewGroups, type ParamMap, type ViewTokens } from './model.js';
import { dinoLossPart, koleoLoss, teacherTargets } from './objective.js';
import type { EncoderShape } from './sizes.js';

/** One view of a slice: per modality, [rows, grid*grid, width] flattened. */
export interface SliceView {
  grid: number;
  patches: Partial<Record<Modality, Float32Array>>;
}

export interface SliceInput {
  rows: number;
  views: SliceView[];
  /** The slice's share of the batch-wide loss weights a_b. */
  weights: number[];
}

export interface SliceResult {
  loss: number;
  /** Teacher logits of the slice's global views, view-major: [globalCount][rows][K]. */
  teacherLogits: Float32Array;
  /** Gradients by parameter name (the caller disposes them). */
  grads: Map<string, tf.Tensor>;
}

/** Rows [start, start + rows) of a batch-major [B, ...] array whose rows hold `rowLength` values. */
export function sliceRows(a: Float32Array, start: number, rows: number, rowLength: number): Float32Array {
  return a.subarray(start * rowLength, (start + rows) * rowLength);
}

function viewTensors(input: SliceInput): ViewTokens[] {
  const R = input.rows;
  return input.views.map((v) => {
    const patches: ViewTokens['patches'] = {};
    for (const m of Object.keys(v.patches) as Modality[]) {
      const a = v.patches[m]!;
      patches[m] = tf.tensor3d(a, [R, v.grid * v.grid, a.length / (R * v.grid * v.grid)]);
    }
    return { grid: v.grid, patches };
  });
}

/** The student's CLS features of the slice's global views, view-major [globalCount][rows][D] (forward only). */
export function globalCls(student: Map<string, tf.Variable>, shape: EncoderShape, cfg: TrainConfig, input: SliceInput): Float32Array {
  const views = viewTensors({ ...input, views: input.views.slice(0, cfg.crops.globalCount) });
  try {
    return tf.tidy(() => tf.concat(encodeViews(student as unknown as ParamMap, shape, views), 0)).dataSync() as Float32Array;
  } finally {
    for (const v of views) tf.dispose(Object.values(v.patches) as tf.Tensor[]);
  }
}

/**
 * KoLeo over the whole batch (the weighted term of the step's loss) and its gradient with respect to
 * each global view's CLS features; `cls` is view-major [globalCount][B][D].
 */
export function koleoFeatureGradients(cls: Float32Array, B: number, D: number, cfg: TrainConfig): { loss: number; grads: Float32Array } {
  const nG = cfg.crops.globalCount;
  const x = tf.tensor2d(cls, [nG * B, D]);
  const f = (t: tf.Tensor) => {
    const parts = tf.split(t, nG, 0) as tf.Tensor2D[];
    return tf.mul(tf.div(tf.addN(parts.map((c) => koleoLoss(c))), nG), cfg.koleoWeight) as tf.Scalar;
  };
  const { value, grad } = tf.valueAndGrad(f)(x);
  const out = { loss: (value.dataSync() as Float32Array)[0], grads: grad.dataSync() as Float32Array };
  tf.dispose([x, value, grad]);
  return out;
}

export function sliceGradients(
  student: Map<string, tf.Variable>,
  teacher: ParamMap,
  shape: EncoderShape,
  cfg: TrainConfig,
  input: SliceInput,
  centre: Float32Array,
  tauT: number,
  /** KoLeo's gradient with respect to this slice's global CLS features ([globalCount][rows][D]), computed on the whole batch; omitted, KoLeo is computed on the slice. */
  koleoGrads?: Float32Array,
): SliceResult {
  const nG = cfg.crops.globalCount;
  const R = input.rows;
  const views = viewTensors(input);
  const a = tf.tensor1d(input.weights);
  const tLogits = tf.tidy(() => encodeViews(teacher, shape, views.slice(0, nG)).map((c) => projectionHead(teacher, c)));
  const targets = teacherTargets(tLogits, centre, tauT);
  const teacherLogits = tf.tidy(() => tf.concat(tLogits, 0)).dataSync() as Float32Array;
  const studentMap = student as unknown as ParamMap;
  const varList = [...student.values()];
  const nameOf = new Map([...student].map(([k, v]) => [v.name, k]));
  const grads = new Map<string, tf.Tensor>();
  let loss = 0;
  try {
    for (const idx of viewGroups(views)) {
      const part = tf.variableGrads(() => {
        const cls = encodeViews(studentMap, shape, idx.map((i) => views[i]));
        const dino = dinoLossPart(targets, cls.map((c) => projectionHead(studentMap, c)), idx, views.length, cfg.studentTemp, a);
        const globals = cls.filter((_, j) => idx[j] < nG);
        if (!(cfg.koleoWeight > 0) || globals.length === 0) return dino;
        if (koleoGrads) {
          const injected = idx.flatMap((v, j) => (v < nG ? [injectGradient(cls[j], tf.tensor2d(koleoGrads.subarray(v * R * shape.embedDim, (v + 1) * R * shape.embedDim), [R, shape.embedDim]))] : []));
          return tf.add(dino, injected.length === 1 ? injected[0] : tf.addN(injected)) as tf.Scalar;
        }
        // KoLeo per global view (the teacher's crops), averaged over the nG global views, as DINOv2 applies it.
        const koleo = tf.div(tf.addN(globals.map((c) => koleoLoss(c))), nG);
        return tf.add(dino, tf.mul(koleo, cfg.koleoWeight)) as tf.Scalar;
      }, varList);
      loss += (part.value.dataSync() as Float32Array)[0];
      part.value.dispose();
      for (const [vn, g] of Object.entries(part.grads)) {
        const k = nameOf.get(vn)!;
        const prev = grads.get(k);
        grads.set(k, prev ? tf.add(prev, g) : g);
        if (prev) tf.dispose([prev, g]);
      }
    }
  } catch (e) {
    tf.dispose([...grads.values()]);
    throw e;
  } finally {
    tf.dispose([a, ...targets, ...tLogits]);
    for (const v of views) tf.dispose(Object.values(v.patches) as tf.Tensor[]);
  }
  return { loss, teacherLogits, grads };
}
