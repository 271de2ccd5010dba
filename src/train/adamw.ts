// AdamW with decoupled weight decay (Loshchilov & Hutter), written on tfjs-core because its Adam
// has no decoupled decay and its state is awkward to checkpoint. Order per step matches PyTorch:
//   theta <- theta * (1 - lr * wd)          (only parameters marked decay)
//   m <- b1 m + (1 - b1) g ;  v <- b2 v + (1 - b2) g^2
//   theta <- theta - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
import * as tf from '@tensorflow/tfjs-core';
import type { ParamValues, ParamVars } from './params.js';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
}

export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export class AdamW {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Steps taken (bias-correction exponent). */
  t = 0;

  constructor(
    private readonly vars: ParamVars,
    private readonly decay: Set<string>,
    private readonly o: AdamWOptions = ADAMW_DEFAULTS,
  ) {
    for (const [k, p] of vars) {
      this.m.set(k, tf.variable(tf.zerosLike(p), false));
      this.v.set(k, tf.variable(tf.zerosLike(p), false));
    }
  }

  /**
   * Applies one update with the given (already clipped) gradients. `lrScale` multiplies lr per
   * parameter (0 freezes it: its moments still accumulate, so unfreezing needs no new warm-up).
   */
  step(grads: Map<string, tf.Tensor>, lr: number, wd: number, lrScale?: (name: string) => number): void {
    this.t += 1;
    const { beta1: b1, beta2: b2, eps } = this.o;
    const bc1 = 1 - Math.pow(b1, this.t);
    const bc2 = 1 - Math.pow(b2, this.t);
    for (const [k, p] of this.vars) {
      const g = grads.get(k);
      if (!g) continue;
      const plr = lr * (lrScale ? lrScale(k) : 1);
      tf.tidy(() => {
        const m = this.m.get(k)!;
        const v = this.v.get(k)!;
        const mNew = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const vNew = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        m.assign(mNew);
        v.assign(vNew);
        if (plr === 0) return;
        const base = this.decay.has(k) && wd > 0 ? tf.mul(p, 1 - plr * wd) : p;
        const upd = tf.div(tf.div(mNew, bc1), tf.add(tf.sqrt(tf.div(vNew, bc2)), eps));
        p.assign(tf.sub(base, tf.mul(upd, plr)));
      });
    }
  }

  state(): { t: number; m: ParamValues; v: ParamValues } {
    const read = (src: Map<string, tf.Variable>) => new Map([...src].map(([k, x]) => [k, x.dataSync() as Float32Array]));
    return { t: this.t, m: read(this.m), v: read(this.v) };
  }

  load(s: { t: number; m: ParamValues; v: ParamValues }): void {
    this.t = s.t;
    for (const [k, x] of this.m) x.assign(tf.tensor(req(s.m, k, 'adam.m'), x.shape));
    for (const [k, x] of this.v) x.assign(tf.tensor(req(s.v, k, 'adam.v'), x.shape));
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}

function req(map: ParamValues, k: string, what: string): Float32Array {
  const a = map.get(k);
  if (!a) throw new Error(`${what}: no state for ${k}`);
  return a;
}

/** Global L2 norm of the gradients and the factor min(1, maxNorm / (norm + 1e-6)) to clip them. */
export function clipFactor(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) return 1;
  return Math.min(1, maxNorm / (norm + 1e-6));
}
