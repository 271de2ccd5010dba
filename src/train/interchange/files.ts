// The I/O edge of checkpoint interchange: our run or encoder directory -> a safetensors file with
// the released key names (export), and a released .pth / .safetensors -> our encoder directory
// (import), which `train --init` starts from.
import fs from 'node:fs';
import path from 'node:path';
import { WeightsError } from '../../errors.js';
import { writeFileAtomic } from '../../atomic-file.js';
import { corpusTileSource } from '../corpus.js';
import { readEncoder, writeEncoder } from '../export.js';
import { countParams, encoderParamSpecs, ENCODER_SHAPES, MODALITY_CHANNELS, type ModelSize } from '../sizes.js';
import { fromReleased, toReleased } from './released-layout.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { readTorchStateDict } from './torch-pth.js';
import type { TensorMap } from './tensors.js';
import type { BandNormalisation, CorpusNormalisation } from '../../shard/stats.js';

/** The JSON block stored under "terrafm" in the safetensors metadata. */
export interface ExportMetadata {
  format: 'terrafm-safetensors/1';
  size: ModelSize;
  embed_dim: number;
  depth: number;
  heads: number;
  patch_size: number;
  img_size: number;
  step: number;
  /** Input channels per modality, in model order, with band names where the corpus has them. */
  bands: Record<string, { channels: number; names?: string[] }>;
  /** Per-band (x - mean) / std applied to raw pixels before the model, from the corpus stats.json. */
  normalisation: Record<string, { mean: number[]; std: number[] }> | null;
  fusion: boolean;
  key_prefix_fusion: string;
}

/** A run directory (with encoder/) or an encoder directory itself. */
export function encoderDirOf(run: string): string {
  if (fs.existsSync(path.join(run, 'model.json'))) return run;
  const d = path.join(run, 'encoder');
  if (fs.existsSync(path.join(d, 'model.json'))) return d;
  throw new WeightsError(`${run}: neither a run directory with encoder/model.json nor an encoder directory (model.json); has the run finished?`);
}

/** Band statistics the run recorded in train.json, else those of the given corpus. */
async function normalisationFor(run: string, corpus: string | undefined): Promise<CorpusNormalisation['modalities'] | null> {
  if (corpus) return (await corpusTileSource(corpus).stats()).modalities;
  const tj = path.join(run, 'train.json');
  if (!fs.existsSync(tj)) return null;
  return (JSON.parse(fs.readFileSync(tj, 'utf8')) as { normalisation?: CorpusNormalisation['modalities'] }).normalisation ?? null;
}

export interface ExportOptions {
  out?: string;
  /** Include our fusion weights (under terrafm_fusion.); without them the file holds exactly the released keys. */
  fusion?: boolean;
  /** Corpus whose stats.json gives the normalisation, for runs that did not record it. */
  corpus?: string;
}

export async function exportSafetensors(run: string, opts: ExportOptions = {}): Promise<{ file: string; tensors: number; metadata: ExportMetadata }> {
  const dir = encoderDirOf(run);
  const enc = readEncoder(dir);
  const fusion = (opts.fusion ?? true) && enc.fusion === 'file';
  const tensors = toReleased(enc.shape, enc.values, { fusion });
  const stats = await normalisationFor(run, opts.corpus);
  const s = enc.shape;
  const metadata: ExportMetadata = {
    format: 'terrafm-safetensors/1',
    size: s.size,
    embed_dim: s.embedDim,
    depth: s.depth,
    heads: s.heads,
    patch_size: s.patchSize,
    img_size: s.imgSize,
    step: enc.step,
    bands: Object.fromEntries(Object.entries(MODALITY_CHANNELS).map(([m, c]) => [m, { channels: c, ...(stats?.[m as keyof typeof stats]?.bands ? { names: modelBands(stats[m as keyof typeof stats]!, c) } : {}) }])),
    normalisation: stats ? Object.fromEntries(Object.entries(stats).map(([m, b]) => [m, { mean: modelValues(b!, b!.mean, MODALITY_CHANNELS[m as keyof typeof MODALITY_CHANNELS]), std: modelValues(b!, b!.std, MODALITY_CHANNELS[m as keyof typeof MODALITY_CHANNELS]) }])) : null,
    fusion,
    key_prefix_fusion: 'terrafm_fusion.',
  };
  const file = opts.out ?? path.join(dir === run ? dir : run, 'encoder.safetensors');
  writeFileAtomic(file, encodeSafetensors(tensors, { format: 'pt', terrafm: JSON.stringify(metadata) }));
  return { file, tensors: tensors.size, metadata };
}

/** Stored bands minus the one the model drops (B10 of 13-band L1C), as crops.ts does. */
function keptIndices(b: BandNormalisation, channels: number): number[] {
  const all = b.mean.map((_, i) => i);
  if (all.length === channels) return all;
  const drop = b.bands ? b.bands.indexOf('B10') : 10;
  return all.filter((i) => i !== (drop < 0 ? 10 : drop));
}
const modelBands = (b: BandNormalisation, c: number) => keptIndices(b, c).map((i) => b.bands![i]);
const modelValues = (b: BandNormalisation, v: number[], c: number) => keptIndices(b, c).map((i) => v[i]);

export interface ImportReport {
  out: string;
  size: ModelSize;
  /** Where the state dict sat in a .pth ('' = top level). */
  path: string;
  tensorsRead: number;
  backboneParameters: number;
  fusion: boolean;
  /** Keys in the file that are neither released nor our fusion (ignored). */
  unexpected: string[];
}

export function readWeightsFile(file: string): { tensors: TensorMap; path: string } {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new WeightsError(`cannot read ${file}: ${(e as Error).message}`, e);
  }
  if (file.endsWith('.safetensors')) return { tensors: decodeSafetensors(buf, file).tensors, path: '' };
  if (/\.(pth|pt|ckpt|bin)$/.test(file)) return readTorchStateDict(buf, file);
  throw new WeightsError(`${file}: unknown weights format; expected .safetensors or a torch.save file (.pth, .pt)`);
}

export function importWeights(file: string, size: ModelSize, out: string): ImportReport {
  const shape = ENCODER_SHAPES[size];
  const { tensors, path: where } = readWeightsFile(file);
  const r = fromReleased(shape, tensors, file);
  writeEncoder(out, shape, r.values, 0, `Imported from ${path.basename(file)}${r.fusion ? '' : ' (released backbone; no fusion weights)'}. Forward pass: src/train/model.ts encode().`);
  const backbone = countParams(encoderParamSpecs(shape).filter((s) => s.group === 'backbone')).backbone;
  return { out, size, path: where, tensorsRead: tensors.size, backboneParameters: backbone, fusion: r.fusion, unexpected: r.unexpected };
}
