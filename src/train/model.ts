// The TerraFM encoder and DINO head as pure functions of a parameter map (no layers library): the
// same code runs the student (inside the gradient tape), the teacher and the exported encoder.
// Inputs arrive already patchified ([B, N, C*p*p], see crops.ts), so the patch embedding is one
// matMul — the same maths as a stride = kernel Conv2d, without Conv2D gradient kernels that the
// wasm backend lacks. Differentiated code avoids gather and comparisons for the same reason.
import * as tf from '@tensorflow/tfjs-core';
// Gradient functions: tfjs-core's Node bundle registers none (see gradients.ts).
import './gradients.js';
import { MODALITIES, type Modality } from '../model/types.js';
import { gelu, layerNorm } from './fused-ops.js';
import { bicubicMatrix2d } from './posembed.js';
import { gridSide, type EncoderShape } from './sizes.js';

export type ParamMap = Map<string, tf.Tensor>;

/** One view of a batch: patchified pixels per modality on a g x g token grid. */
export interface ViewTokens {
  grid: number;
  /** [B, g*g, C*p*p] per modality given; two or more are fused. */
  patches: Partial<Record<Modality, tf.Tensor3D>>;
}

function P(params: ParamMap, name: string): tf.Tensor {
  const t = params.get(name);
  if (!t) throw new Error(`missing parameter ${name}`);
  return t;
}

/** x @ W (+ b) over the last axis, any leading shape. */
function linear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.shape.length - 1];
  const lead = x.shape.slice(0, -1);
  let y = tf.matMul(tf.reshape(x, [-1, inDim]) as tf.Tensor2D, w as tf.Tensor2D) as tf.Tensor;
  if (b) y = tf.add(y, b);
  return tf.reshape(y, [...lead, w.shape[1] as number]);
}

/** Patch tokens of one modality: patch embedding + modality embedding + shared token projection. */
export function embedModality(params: ParamMap, s: EncoderShape, m: Modality, patches: tf.Tensor3D): tf.Tensor3D {
  const T = s.tokenDimFactor * s.embedDim;
  const mi = MODALITIES.indexOf(m);
  let x = linear(patches, P(params, `patch_embed.${m}.w`), P(params, `patch_embed.${m}.b`));
  x = tf.add(x, tf.reshape(tf.slice(P(params, 'modality_embed'), [mi, 0], [1, T]), [T]));
  x = linear(x, P(params, 'token_proj.0.w'));
  x = layerNorm(x, P(params, 'token_proj.norm.g'), P(params, 'token_proj.norm.b'), s.tokenNormEps);
  x = linear(x, P(params, 'token_proj.1.w'), P(params, 'token_proj.1.b'));
  x = linear(x, P(params, 'token_proj.2.w'), P(params, 'token_proj.2.b'));
  return x as tf.Tensor3D;
}

/**
 * Cross-modal fusion at each patch position: Q learned queries attend over the M modality tokens
 * X_m (keys X_m Wk, values X_m Wv), the Q results are averaged and projected, and added to the
 * modality mean: y = mean_m X_m + Wo (1/Q sum_q sum_m softmax_m(q . X_m Wk / sqrt(D)) X_m Wv) + bo.
 */
export function fuseModalities(params: ParamMap, s: EncoderShape, tokens: tf.Tensor3D[]): tf.Tensor3D {
  if (tokens.length === 1) return tokens[0];
  const [B, N, D] = tokens[0].shape;
  const M = tokens.length;
  const x = tf.reshape(tf.stack(tokens, 2), [B * N, M, D]); // [BN, M, D]
  const k = linear(x, P(params, 'fusion.k.w')); // [BN, M, D]
  const v = linear(x, P(params, 'fusion.v.w'));
  const q = P(params, 'fusion.queries'); // [Q, D]
  // scores [BN, M, Q] = k @ q^T, softmax over the modalities (axis 1, done as last axis after transpose).
  const scores = tf.transpose(tf.mul(linear(k, tf.transpose(q)), 1 / Math.sqrt(D)), [0, 2, 1]); // [BN, Q, M]
  const att = tf.softmax(scores);
  const pooled = tf.mean(tf.matMul(att as tf.Tensor3D, v as tf.Tensor3D), 1); // [BN, D]
  const fused = tf.add(tf.mean(x, 1), linear(pooled, P(params, 'fusion.o.w'), P(params, 'fusion.o.b')));
  return tf.reshape(fused, [B, N, D]) as tf.Tensor3D;
}

export function embedView(params: ParamMap, s: EncoderShape, view: ViewTokens): tf.Tensor3D {
  const ms = MODALITIES.filter((m) => view.patches[m] !== undefined);
  if (ms.length === 0) throw new Error('view has no modality');
  return fuseModalities(
    params,
    s,
    ms.map((m) => embedModality(params, s, m, view.patches[m]!)),
  );
}

const resizeCache = new Map<string, Float32Array>();

/** Position embedding for a g x g grid: [g*g + 1, D] (CLS row kept, patch rows bicubically resized). */
export function positionEmbedding(params: ParamMap, s: EncoderShape, g: number): tf.Tensor {
  const pos = P(params, 'pos_embed');
  const G = gridSide(s);
  if (g === G) return pos;
  const key = `${G}:${g}`;
  let m = resizeCache.get(key);
  if (!m) resizeCache.set(key, (m = bicubicMatrix2d(G, g)));
  const D = s.embedDim;
  const cls = tf.slice(pos, [0, 0], [1, D]);
  const patch = tf.slice(pos, [1, 0], [G * G, D]);
  return tf.concat([cls, tf.matMul(tf.tensor2d(m, [g * g, G * G]), patch as tf.Tensor2D)], 0);
}

function attention(params: ParamMap, s: EncoderShape, b: string, x: tf.Tensor3D): tf.Tensor {
  const [B, N, D] = x.shape;
  const h = s.heads;
  const dh = D / h;
  const qkv = tf.transpose(tf.reshape(linear(x, P(params, `${b}.attn.qkv.w`), P(params, `${b}.attn.qkv.b`)), [B, N, 3 * h, dh]), [0, 2, 1, 3]);
  const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.reshape(t, [B * h, N, dh]) as tf.Tensor3D);
  const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)));
  const o = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att as tf.Tensor3D, v), [B, h, N, dh]), [0, 2, 1, 3]), [B, N, D]);
  return linear(o, P(params, `${b}.attn.proj.w`), P(params, `${b}.attn.proj.b`));
}

/** CLS token + position embedding + pre-norm blocks + final norm; returns the normed CLS [B, D]. */
export function backbone(params: ParamMap, s: EncoderShape, tokens: tf.Tensor3D, grid: number): tf.Tensor2D {
  const [B, , D] = tokens.shape;
  const x = backboneTokens(params, s, tokens, grid, false);
  return tf.reshape(x, [B, D]) as tf.Tensor2D;
}

/**
 * The blocks' output after the final norm: every token [B, 1 + g*g, D] (CLS first), or with
 * `clsOnly` just the CLS row [B, 1, D] (the final norm is per token, so normalising only the CLS
 * row gives the same CLS values and skips the work on the patch rows).
 */
export function backboneTokens(params: ParamMap, s: EncoderShape, tokens: tf.Tensor3D, grid: number, all = true): tf.Tensor3D {
  const [B, , D] = tokens.shape;
  const cls = tf.tile(tf.reshape(P(params, 'cls_token'), [1, 1, D]), [B, 1, 1]);
  let x = tf.add(tf.concat([cls, tokens], 1), positionEmbedding(params, s, grid)) as tf.Tensor3D;
  for (let i = 0; i < s.depth; i++) {
    const b = `blocks.${i}`;
    x = tf.add(x, attention(params, s, b, layerNorm(x, P(params, `${b}.norm1.g`), P(params, `${b}.norm1.b`), s.layerNormEps) as tf.Tensor3D)) as tf.Tensor3D;
    const hdn = gelu(linear(layerNorm(x, P(params, `${b}.norm2.g`), P(params, `${b}.norm2.b`), s.layerNormEps), P(params, `${b}.mlp.fc1.w`), P(params, `${b}.mlp.fc1.b`)));
    x = tf.add(x, linear(hdn, P(params, `${b}.mlp.fc2.w`), P(params, `${b}.mlp.fc2.b`))) as tf.Tensor3D;
  }
  const out = all ? x : tf.slice(x, [0, 0, 0], [B, 1, D]);
  return layerNorm(out, P(params, 'norm.g'), P(params, 'norm.b'), s.layerNormEps) as tf.Tensor3D;
}

/** Encoder forward for one view: normed CLS features [B, D]. */
export function encode(params: ParamMap, s: EncoderShape, view: ViewTokens): tf.Tensor2D {
  return backbone(params, s, embedView(params, s, view), view.grid);
}

/** What a frozen tile feature is made of: the normed CLS token, or CLS followed by the mean of the normed patch tokens ([B, 2D], DINO's linear-eval feature for ViT-S). */
export type FeatureKind = 'cls' | 'cls+mean';

/** Frozen features of one view for evaluation and embedding: [B, D] (cls) or [B, 2D] (cls+mean). */
export function encodeFeature(params: ParamMap, s: EncoderShape, view: ViewTokens, kind: FeatureKind): tf.Tensor2D {
  if (kind === 'cls') return encode(params, s, view);
  const x = backboneTokens(params, s, embedView(params, s, view), view.grid);
  const [B, N, D] = x.shape;
  const cls = tf.reshape(tf.slice(x, [0, 0, 0], [B, 1, D]), [B, D]);
  const mean = tf.mean(tf.slice(x, [0, 1, 0], [B, N - 1, D]), 1);
  return tf.concat([cls, mean], 1) as tf.Tensor2D;
}

/** Indices of the views that share a grid, grouped in order of first appearance. */
export function viewGroups(views: ViewTokens[]): number[][] {
  const byGrid = new Map<number, number[]>();
  views.forEach((v, i) => byGrid.set(v.grid, [...(byGrid.get(v.grid) ?? []), i]));
  return [...byGrid.values()];
}

/**
 * Several views that share a grid go through the blocks as one batch (concatenated on the batch
 * axis); returns each view's CLS features in input order.
 */
export function encodeViews(params: ParamMap, s: EncoderShape, views: ViewTokens[]): tf.Tensor2D[] {
  const out: tf.Tensor2D[] = new Array(views.length);
  for (const idx of viewGroups(views)) {
    const grid = views[idx[0]].grid;
    const toks = idx.map((i) => embedView(params, s, views[i]));
    const sizes = toks.map((t) => t.shape[0]);
    const cls = backbone(params, s, toks.length === 1 ? toks[0] : (tf.concat(toks, 0) as tf.Tensor3D), grid);
    const parts = idx.length === 1 ? [cls] : tf.split(cls, sizes, 0);
    idx.forEach((vi, j) => (out[vi] = parts[j] as tf.Tensor2D));
  }
  return out;
}

/** DINO head: MLP -> L2-normalised bottleneck -> prototypes with unit-norm columns; logits [B, K]. */
export function projectionHead(params: ParamMap, cls: tf.Tensor2D): tf.Tensor2D {
  let x = gelu(linear(cls, P(params, 'head.fc1.w'), P(params, 'head.fc1.b')));
  x = gelu(linear(x, P(params, 'head.fc2.w'), P(params, 'head.fc2.b')));
  x = linear(x, P(params, 'head.fc3.w'), P(params, 'head.fc3.b'));
  x = tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12)));
  const v = P(params, 'head.proto.v');
  const vn = tf.div(v, tf.sqrt(tf.add(tf.sum(tf.square(v), 0, true), 1e-12)));
  return tf.matMul(x as tf.Tensor2D, vn as tf.Tensor2D);
}
