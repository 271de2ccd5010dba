// Test support for the PyTorch parity tests: random encoder weights (every parameter, biases and
// norms included), random images, our forward on them, and a runner for the PyTorch reference
// (test/peers/terrafm_reference.py) on /usr/bin/python3.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { peerEnv, PYTHON, torchUnavailable } from '../../bench/peers/torch-peer.js';
import { MODALITIES, type Modality } from '../../src/model/types.js';
import { cropPatches, FULL_BOX } from '../../src/train/crops.js';
import { encode, type ParamMap } from '../../src/train/model.js';
import type { ParamValues } from '../../src/train/params.js';
import { Rng } from '../../src/train/rng.js';
import { encoderParamSpecs, MODALITY_CHANNELS, numel, type EncoderShape } from '../../src/train/sizes.js';

// The same interpreter and environment as the benchmark's PyTorch peer (Debian python3-torch, OpenBLAS).
const PY_ENV = peerEnv();
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'terrafm_reference.py');

/** null when the peer interpreter imports torch, else why the parity tests are skipped. */
export const torchMissing = torchUnavailable;

/**
 * Every encoder parameter random, biases and norms included (a layout error anywhere changes the
 * output): gains 1 + U, everything else U, U uniform with std 0.2 resp. 0.03. A xorshift stream
 * instead of the trainer's RNG: base has 113M values and this takes well under a second.
 */
export function randomEncoderValues(s: EncoderShape, seed: number): ParamValues {
  let x = (seed * 2654435761 + 1) >>> 0 || 1;
  const u = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296 - 0.5; // U(-0.5, 0.5): std 1/sqrt(12)
  };
  const out: ParamValues = new Map();
  for (const spec of encoderParamSpecs(s)) {
    const a = new Float32Array(numel(spec.shape));
    const gain = spec.name.endsWith('.g');
    const k = Math.sqrt(12) * (gain ? 0.2 : 0.03);
    for (let i = 0; i < a.length; i++) a[i] = (gain ? 1 : 0) + k * u();
    out.set(spec.name, a);
  }
  return out;
}

export interface Case {
  modality: Modality;
  size: number;
  batch: number;
}

export const casesFor = (sizes: number[], batch: number, modalities: readonly Modality[] = MODALITIES): Case[] =>
  sizes.flatMap((size) => modalities.map((modality) => ({ modality, size, batch })));

/** Images [B, C, S, S] per case, values U(-1, 1). */
export function randomImages(cases: Case[], seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return cases.map((c) => Float32Array.from({ length: c.batch * MODALITY_CHANNELS[c.modality] * c.size * c.size }, () => rng.uniform(-1, 1)));
}

/** Our encoder's normed CLS per case, the images patchified by the training crop code (identity crop, mean 0, std 1). */
export function ourForward(s: EncoderShape, values: ParamValues, cases: Case[], images: Float32Array[]): Float32Array[] {
  const params: ParamMap = new Map([...values].map(([k, v]) => [k, tf.tensor(v, encoderParamSpecs(s).find((p) => p.name === k)!.shape)]));
  try {
    return cases.map((c, i) => {
      const C = MODALITY_CHANNELS[c.modality];
      const g = c.size / s.patchSize;
      const per = C * c.size * c.size;
      const patches = new Float32Array(c.batch * per);
      const stats = { mean: new Array(C).fill(0), std: new Array(C).fill(1) };
      for (let b = 0; b < c.batch; b++) {
        const tile = { shape: [C, c.size, c.size] as [number, number, number], data: images[i].subarray(b * per, (b + 1) * per), nodata: Number.NaN };
        cropPatches(c.modality, tile, stats, FULL_BOX, c.size, s.patchSize, patches, b * per);
      }
      return tf.tidy(() => encode(params, s, { grid: g, patches: { [c.modality]: tf.tensor3d(patches, [c.batch, g * g, per / (g * g)]) } }).dataSync() as Float32Array);
    });
  } finally {
    tf.dispose([...params.values()]);
  }
}

export interface ReferenceJob {
  weights?: string;
  random?: { seed: number; save: string };
  legacy?: { token_eps?: number; resize?: 'g' };
}

/** Runs the PyTorch reference on the cases; returns its normed CLS per case. */
export function referenceForward(s: EncoderShape, job: ReferenceJob, cases: Case[], images: Float32Array[], dir: string): Float32Array[] {
  const inputs = path.join(dir, 'inputs.f32');
  const out = path.join(dir, 'outputs.f32');
  const jobFile = path.join(dir, 'job.json');
  const all = new Float32Array(images.reduce((n, a) => n + a.length, 0));
  images.reduce((off, a) => (all.set(a, off), off + a.length), 0);
  fs.writeFileSync(inputs, Buffer.from(all.buffer));
  const shape = { embed_dim: s.embedDim, depth: s.depth, heads: s.heads, patch: s.patchSize, img_size: s.imgSize, channels: MODALITY_CHANNELS };
  fs.writeFileSync(jobFile, JSON.stringify({ ...job, shape, inputs, out, cases }));
  const r = spawnSync(PYTHON, [SCRIPT, jobFile], { env: PY_ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reference failed (${r.status}): ${r.stderr}`);
  const buf = fs.readFileSync(out);
  const flat = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  let off = 0;
  return cases.map((c) => flat.slice(off, (off += c.batch * s.embedDim)));
}

export const maxAbsDiff = (a: Float32Array, b: Float32Array): number => {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
};
