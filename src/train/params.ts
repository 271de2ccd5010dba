// Parameter values as plain Float32Arrays (initialised from our own seeded RNG so a run is
// reproducible on any backend), and their tf.Variable counterparts.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from './rng.js';
import { numel, type ParamSpec } from './sizes.js';

export type ParamValues = Map<string, Float32Array>;
export type ParamVars = Map<string, tf.Variable>;

export function initParamValues(specs: ParamSpec[], seed: number): ParamValues {
  const rng = new Rng(seed);
  const out: ParamValues = new Map();
  for (const s of specs) {
    const a = new Float32Array(numel(s.shape));
    if (s.init.kind === 'ones') a.fill(1);
    else if (s.init.kind === 'trunc_normal') for (let i = 0; i < a.length; i++) a[i] = rng.truncNormal(s.init.std);
    out.set(s.name, a);
  }
  return out;
}

/** Variables are left unnamed: tfjs names must be unique per process, and two models may coexist. */
export function createVariables(specs: ParamSpec[], values: ParamValues, trainable: boolean): ParamVars {
  const vars: ParamVars = new Map();
  for (const s of specs) {
    const v = values.get(s.name);
    if (!v) throw new Error(`no value for parameter ${s.name}`);
    vars.set(s.name, tf.variable(tf.tensor(v, s.shape, 'float32'), trainable));
  }
  return vars;
}

export function readValues(vars: ParamVars): ParamValues {
  const out: ParamValues = new Map();
  for (const [k, v] of vars) out.set(k, v.dataSync() as Float32Array);
  return out;
}

export function disposeVars(vars: ParamVars): void {
  for (const v of vars.values()) v.dispose();
  vars.clear();
}
