// Encoder export in the TensorFlow.js weights format: model.json (weightsManifest + our metadata)
// and one weights.bin of float32 little-endian values in manifest order, loadable with
// tf.io.loadWeights or our readEncoder.
import fs from 'node:fs';
import path from 'node:path';
import { TrainError } from '../errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import { encoderParamSpecs, ENCODER_SHAPES, numel, type EncoderShape, type ModelSize } from './sizes.js';
import { initParamValues, type ParamValues } from './params.js';

export const ENCODER_FORMAT = 'terrafm-encoder/1';

export interface EncoderModelJson {
  format: string;
  generatedBy: string;
  convertedBy: null;
  modelTopology: null;
  userDefinedMetadata: { shape: EncoderShape; step: number; note: string };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
}

/**
 * Writes the encoder parameters present in `values`: every backbone parameter is required; the
 * fusion module may be absent (an imported released model has none).
 */
export function writeEncoder(dir: string, shape: EncoderShape, values: ParamValues, step: number, note = 'Teacher encoder (backbone + fusion). Forward pass: src/train/model.ts encode().'): void {
  const specs = encoderParamSpecs(shape).filter((s) => s.group === 'backbone' || values.has(s.name));
  const total = specs.reduce((a, s) => a + numel(s.shape), 0);
  const blob = new Float32Array(total);
  let off = 0;
  for (const s of specs) {
    const v = values.get(s.name);
    if (!v || v.length !== numel(s.shape)) throw new TrainError(`export: parameter ${s.name} missing or of wrong size`);
    blob.set(v, off);
    off += v.length;
  }
  const json: EncoderModelJson = {
    format: ENCODER_FORMAT,
    generatedBy: 'terrafm-pipeline',
    convertedBy: null,
    modelTopology: null,
    userDefinedMetadata: { shape, step, note },
    weightsManifest: [{ paths: ['weights.bin'], weights: specs.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32' })) }],
  };
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'weights.bin'), Buffer.from(blob.buffer));
  writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(json, null, 1) + '\n');
}

export interface EncoderFile {
  shape: EncoderShape;
  values: ParamValues;
  step: number;
  /** 'file': the fusion weights came with the encoder; 'initial': it had none (an imported released
   * model) and they are the initial ones, whose zero output projection makes fusion the plain modality mean. */
  fusion: 'file' | 'initial';
}

export function readEncoder(dir: string): EncoderFile {
  const jf = path.join(dir, 'model.json');
  let json: EncoderModelJson;
  try {
    json = JSON.parse(fs.readFileSync(jf, 'utf8')) as EncoderModelJson;
  } catch (e) {
    throw new TrainError(`cannot read encoder ${jf}: ${(e as Error).message}`, e);
  }
  if (json.format !== ENCODER_FORMAT) throw new TrainError(`${jf}: format "${json.format}"; expected "${ENCODER_FORMAT}"`);
  const saved = json.userDefinedMetadata.shape;
  if (!ENCODER_SHAPES[saved.size as ModelSize]) throw new TrainError(`${jf}: unknown size ${saved.size}`);
  // Encoders written before the token-projection eps was split out used layerNormEps there too.
  const shape: EncoderShape = { ...saved, tokenNormEps: saved.tokenNormEps ?? saved.layerNormEps };
  const man = json.weightsManifest[0];
  const bin = fs.readFileSync(path.join(dir, man.paths[0]));
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const values: ParamValues = new Map();
  let off = 0;
  for (const w of man.weights) {
    const n = numel(w.shape);
    if (off + n > all.length) throw new TrainError(`${jf}: weights.bin is shorter than the manifest (${all.length} floats)`);
    values.set(w.name, all.slice(off, off + n));
    off += n;
  }
  const missing = encoderParamSpecs(shape).filter((s) => !values.has(s.name));
  const absent = missing.filter((s) => s.group !== 'fusion');
  if (absent.length) throw new TrainError(`${jf}: parameters missing from the manifest: ${absent.map((s) => s.name).join(', ')}`);
  if (missing.length) for (const [k, v] of initParamValues(missing, 0)) values.set(k, v);
  return { shape, values, step: json.userDefinedMetadata.step, fusion: missing.length ? 'initial' : 'file' };
}
