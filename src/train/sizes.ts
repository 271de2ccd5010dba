// Model sizes and the full list of parameter shapes, as data. Parameter counts are computed from
// these shapes without allocating anything, so `base` (~112.95M) and `large` (~345.0M) can be
// checked on any machine. Shapes follow the released TerraFM model file (its state-dict keys and
// shapes are listed in docs/train.md); `tiny` and `small` are ours, sized for a 2-core CPU.
import { MODALITIES, type Modality } from '../model/types.js';

export const MODEL_SIZES = ['tiny', 'small', 'base', 'large'] as const;
export type ModelSize = (typeof MODEL_SIZES)[number];

/** Input channels of each modality's patch embedding (L1C: 13 bands with B10 dropped). */
export const MODALITY_CHANNELS: Record<Modality, number> = { s2_l2a: 12, s2_l1c: 12, s1: 2 };

export interface EncoderShape {
  size: ModelSize;
  embedDim: number;
  depth: number;
  heads: number;
  patchSize: number;
  /** Input side the learned position embedding is laid out for (grid = imgSize / patchSize). */
  imgSize: number;
  mlpRatio: number;
  /** Patch embeddings project to tokenDimFactor x embedDim before the shared token projection. */
  tokenDimFactor: number;
  /** Learned queries of the cross-modal fusion (ours; not in the released model). */
  fusionQueries: number;
  /** LayerNorm eps of the blocks and the final norm (1e-6 in the released model). */
  layerNormEps: number;
  /** LayerNorm eps inside the shared token projection (1e-5, PyTorch's default, in the released model). */
  tokenNormEps: number;
}

export const ENCODER_SHAPES: Record<ModelSize, EncoderShape> = {
  // tiny: 4 x 64-dim tokens per 64 px crop at patch 8 gives 65 tokens; a step runs in ~1 s on wasm.
  tiny: { size: 'tiny', embedDim: 96, depth: 4, heads: 3, patchSize: 8, imgSize: 64, mlpRatio: 4, tokenDimFactor: 3, fusionQueries: 2, layerNormEps: 1e-6, tokenNormEps: 1e-5 },
  small: { size: 'small', embedDim: 192, depth: 6, heads: 3, patchSize: 8, imgSize: 64, mlpRatio: 4, tokenDimFactor: 3, fusionQueries: 2, layerNormEps: 1e-6, tokenNormEps: 1e-5 },
  base: { size: 'base', embedDim: 768, depth: 12, heads: 12, patchSize: 16, imgSize: 224, mlpRatio: 4, tokenDimFactor: 3, fusionQueries: 4, layerNormEps: 1e-6, tokenNormEps: 1e-5 },
  large: { size: 'large', embedDim: 1024, depth: 24, heads: 16, patchSize: 16, imgSize: 224, mlpRatio: 4, tokenDimFactor: 3, fusionQueries: 4, layerNormEps: 1e-6, tokenNormEps: 1e-5 },
};

export interface HeadShape {
  hiddenDim: number;
  bottleneckDim: number;
  /** Number of prototypes K. */
  outDim: number;
}

/** How a parameter starts: ViT-style truncated normal, zeros or ones. */
export type ParamInit = { kind: 'trunc_normal'; std: number } | { kind: 'zeros' } | { kind: 'ones' };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
  /** Which part it belongs to: the released backbone, our fusion module, or the DINO head. */
  group: 'backbone' | 'fusion' | 'head';
  /** Whether decoupled weight decay applies (matrices yes; biases, norms no, as in DINO). */
  decay: boolean;
}

const tn = (std = 0.02): ParamInit => ({ kind: 'trunc_normal', std });
const zeros: ParamInit = { kind: 'zeros' };
const ones: ParamInit = { kind: 'ones' };

export function gridSide(shape: EncoderShape): number {
  return shape.imgSize / shape.patchSize;
}

/** Every encoder parameter (backbone + fusion), in a fixed order. Weights are [in, out] (x @ W). */
export function encoderParamSpecs(s: EncoderShape): ParamSpec[] {
  const D = s.embedDim;
  const T = s.tokenDimFactor * D;
  const H = s.mlpRatio * D;
  const p = s.patchSize;
  const specs: ParamSpec[] = [];
  const add = (name: string, shape: number[], init: ParamInit, group: ParamSpec['group'] = 'backbone') =>
    specs.push({ name, shape, init, group, decay: shape.length >= 2 && !name.endsWith('.g') });
  for (const m of MODALITIES) {
    add(`patch_embed.${m}.w`, [MODALITY_CHANNELS[m] * p * p, T], tn());
    add(`patch_embed.${m}.b`, [T], zeros);
  }
  add('modality_embed', [MODALITIES.length, T], tn());
  add('token_proj.0.w', [T, T], tn());
  add('token_proj.norm.g', [T], ones);
  add('token_proj.norm.b', [T], zeros);
  add('token_proj.1.w', [T, T], tn());
  add('token_proj.1.b', [T], zeros);
  add('token_proj.2.w', [T, D], tn());
  add('token_proj.2.b', [D], zeros);
  add('cls_token', [1, D], tn(1e-6));
  add('pos_embed', [gridSide(s) * gridSide(s) + 1, D], tn());
  for (let i = 0; i < s.depth; i++) {
    const b = `blocks.${i}`;
    add(`${b}.norm1.g`, [D], ones);
    add(`${b}.norm1.b`, [D], zeros);
    add(`${b}.attn.qkv.w`, [D, 3 * D], tn());
    add(`${b}.attn.qkv.b`, [3 * D], zeros);
    add(`${b}.attn.proj.w`, [D, D], tn());
    add(`${b}.attn.proj.b`, [D], zeros);
    add(`${b}.norm2.g`, [D], ones);
    add(`${b}.norm2.b`, [D], zeros);
    add(`${b}.mlp.fc1.w`, [D, H], tn());
    add(`${b}.mlp.fc1.b`, [H], zeros);
    add(`${b}.mlp.fc2.w`, [H, D], tn());
    add(`${b}.mlp.fc2.b`, [D], zeros);
  }
  add('norm.g', [D], ones);
  add('norm.b', [D], zeros);
  // Cross-modal fusion (docs/train.md): learned queries attend over the modalities' tokens at each
  // patch position. The output projection starts at zero so fusion begins as the plain modality mean.
  add('fusion.queries', [s.fusionQueries, D], tn(), 'fusion');
  add('fusion.k.w', [D, D], tn(), 'fusion');
  add('fusion.v.w', [D, D], tn(), 'fusion');
  add('fusion.o.w', [D, D], zeros, 'fusion');
  add('fusion.o.b', [D], zeros, 'fusion');
  return specs;
}

/** DINO projection head: 3-layer MLP -> L2-normalised bottleneck -> weight-normalised prototypes. */
export function headParamSpecs(embedDim: number, h: HeadShape): ParamSpec[] {
  const specs: ParamSpec[] = [];
  const add = (name: string, shape: number[], init: ParamInit) =>
    specs.push({ name, shape, init, group: 'head', decay: shape.length >= 2 });
  add('head.fc1.w', [embedDim, h.hiddenDim], tn());
  add('head.fc1.b', [h.hiddenDim], zeros);
  add('head.fc2.w', [h.hiddenDim, h.hiddenDim], tn());
  add('head.fc2.b', [h.hiddenDim], zeros);
  add('head.fc3.w', [h.hiddenDim, h.bottleneckDim], tn());
  add('head.fc3.b', [h.bottleneckDim], zeros);
  // Direction only (weight norm with the gain frozen at 1, DINO's norm_last_layer=True).
  add('head.proto.v', [h.bottleneckDim, h.outDim], tn());
  return specs;
}

export function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export interface ParamCounts {
  /** The released backbone: patch embeddings, modality embedding, token projection, ViT. */
  backbone: number;
  fusion: number;
  head: number;
  total: number;
}

export function countParams(specs: ParamSpec[]): ParamCounts {
  const c = { backbone: 0, fusion: 0, head: 0, total: 0 };
  for (const s of specs) {
    const n = numel(s.shape);
    c[s.group] += n;
    c.total += n;
  }
  return c;
}
