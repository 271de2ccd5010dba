// Our parameter names and layouts <-> the released TerraFM model file's state-dict keys and layouts.
// Ours: linear weights [in, out] (x @ W), patch embeddings [C*p*p, T] (patchified input), one
// [3, T] modality-embedding table, cls [1, D], pos [N, D]. Released: linear [out, in], convolution
// [out, C, p, p], one [1, T] embedding per modality, cls [1, 1, D], pos [1, N, D]. Our fusion
// module is not in the released model; it travels under FUSION_PREFIX in PyTorch's layout.
import { WeightsError } from '../../errors.js';
import { MODALITIES } from '../../model/types.js';
import type { ParamValues } from '../params.js';
import { encoderParamSpecs, MODALITY_CHANNELS, numel, type EncoderShape, type ParamSpec } from '../sizes.js';
import { shapeText, type NamedTensor, type TensorMap } from './tensors.js';

export const FUSION_PREFIX = 'terrafm_fusion.';

/** How one released tensor is made from (a part of) one of our parameters. */
interface KeyRule {
  key: string;
  ours: string;
  shape: number[];
  /** transpose: our [in, out] is their [out, in] (conv: [out, C, p, p] flattened); reshape: same values; row: one row of ours. */
  layout: 'transpose' | 'reshape' | { row: number };
}

function rulesFor(s: EncoderShape, spec: ParamSpec): KeyRule[] {
  const n = spec.name;
  const D = s.embedDim;
  const T = s.tokenDimFactor * D;
  const p = s.patchSize;
  const pe = /^patch_embed\.(\w+)\.(w|b)$/.exec(n);
  if (pe) {
    const m = pe[1] as (typeof MODALITIES)[number];
    if (pe[2] === 'w') return [{ key: `patch_embed.conv2d_${m}.weight`, ours: n, shape: [T, MODALITY_CHANNELS[m], p, p], layout: 'transpose' }];
    return [{ key: `patch_embed.conv2d_${m}.bias`, ours: n, shape: [T], layout: 'reshape' }];
  }
  if (n === 'modality_embed') return MODALITIES.map((m, row) => ({ key: `patch_embed.${m}_embed`, ours: n, shape: [1, T], layout: { row } }));
  if (n === 'cls_token') return [{ key: 'cls_token', ours: n, shape: [1, 1, D], layout: 'reshape' }];
  if (n === 'pos_embed') return [{ key: 'pos_embed', ours: n, shape: [1, ...spec.shape], layout: 'reshape' }];
  const renamed = n
    .replace(/^token_proj\.0\./, 'patch_embed.projection.proj1.')
    .replace(/^token_proj\.norm\./, 'patch_embed.projection.norm_input.')
    .replace(/^token_proj\.1\./, 'patch_embed.projection.proj2.')
    .replace(/^token_proj\.2\./, 'patch_embed.projection.proj3.')
    .replace(/^fusion\./, FUSION_PREFIX)
    .replace(/\.(w|g)$/, '.weight')
    .replace(/\.b$/, '.bias');
  if (spec.shape.length === 2 && /\.weight$/.test(renamed))
    return [{ key: renamed, ours: n, shape: [spec.shape[1], spec.shape[0]], layout: 'transpose' }];
  return [{ key: renamed, ours: n, shape: spec.shape, layout: 'reshape' }];
}

/** Every released (and fusion) key with its shape and where it comes from, in our parameter order. */
export function releasedKeys(s: EncoderShape, opts: { fusion: boolean }): KeyRule[] {
  return encoderParamSpecs(s)
    .filter((spec) => opts.fusion || spec.group !== 'fusion')
    .flatMap((spec) => rulesFor(s, spec));
}

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** Our encoder values -> released keys and layouts (plus fusion under FUSION_PREFIX when asked). */
export function toReleased(s: EncoderShape, values: ParamValues, opts: { fusion: boolean }): TensorMap {
  const specs = new Map(encoderParamSpecs(s).map((p) => [p.name, p]));
  const out: TensorMap = new Map();
  for (const r of releasedKeys(s, opts)) {
    const v = values.get(r.ours);
    const spec = specs.get(r.ours)!;
    if (!v || v.length !== numel(spec.shape)) throw new WeightsError(`export: parameter ${r.ours} missing or not of shape ${shapeText(spec.shape)}`);
    let data: Float32Array;
    if (r.layout === 'transpose') data = transpose(v, spec.shape[0], spec.shape[1]);
    else if (r.layout === 'reshape') data = v.slice();
    else data = v.slice(r.layout.row * spec.shape[1], (r.layout.row + 1) * spec.shape[1]);
    out.set(r.key, { shape: r.shape, data });
  }
  return out;
}

export interface ImportResult {
  /** Our parameters filled from the file (backbone always; fusion when the file has all of it). */
  values: ParamValues;
  /** Keys in the file that are neither released nor our fusion (ignored). */
  unexpected: string[];
  /** Whether the file carried our fusion module. */
  fusion: boolean;
}

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Released keys and layouts -> our parameters. Every shape is checked (all mismatches reported at
 * once); missing keys are an error (our fusion may be absent as a whole); unexpected keys are
 * returned for the caller to report.
 */
export function fromReleased(s: EncoderShape, tensors: TensorMap, source: string): ImportResult {
  const specs = new Map(encoderParamSpecs(s).map((p) => [p.name, p]));
  const rules = releasedKeys(s, { fusion: true });
  const known = new Set(rules.map((r) => r.key));
  const unexpected = [...tensors.keys()].filter((k) => !known.has(k));
  const missing = rules.filter((r) => !tensors.has(r.key) && !r.key.startsWith(FUSION_PREFIX)).map((r) => r.key);
  const fusionRules = rules.filter((r) => r.key.startsWith(FUSION_PREFIX));
  const fusionPresent = fusionRules.filter((r) => tensors.has(r.key));
  if (fusionPresent.length > 0 && fusionPresent.length < fusionRules.length)
    missing.push(...fusionRules.filter((r) => !tensors.has(r.key)).map((r) => r.key));
  const badShapes = rules
    .filter((r) => tensors.has(r.key) && !sameShape(tensors.get(r.key)!.shape, r.shape))
    .map((r) => `${r.key} is ${shapeText(tensors.get(r.key)!.shape)}, expected ${shapeText(r.shape)}`);
  if (badShapes.length)
    throw new WeightsError(`${source}: ${badShapes.length} tensor(s) do not fit TerraFM ${s.size}:\n  ${badShapes.join('\n  ')}\n(is --size right?)`);
  if (missing.length) throw new WeightsError(`${source}: ${missing.length} key(s) of TerraFM ${s.size} missing: ${missing.join(', ')}`);
  const values: ParamValues = new Map();
  for (const r of rules) {
    const t: NamedTensor | undefined = tensors.get(r.key);
    if (!t) continue;
    const spec = specs.get(r.ours)!;
    if (r.layout === 'transpose') values.set(r.ours, transpose(t.data, r.shape[0], numel(r.shape) / r.shape[0]));
    else if (r.layout === 'reshape') values.set(r.ours, t.data.slice());
    else {
      const table = values.get(r.ours) ?? new Float32Array(numel(spec.shape));
      table.set(t.data, r.layout.row * spec.shape[1]);
      values.set(r.ours, table);
    }
  }
  return { values, unexpected, fusion: fusionPresent.length === fusionRules.length };
}
