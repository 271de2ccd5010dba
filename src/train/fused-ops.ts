// GELU and LayerNorm as single differentiable ops (tf.customGrad) with hand-written gradients.
// Why: tfjs keeps every tensor made inside tf.variableGrads until the step ends, so the five
// element-wise ops of an erf-GELU and the eight of a LayerNorm, and their gradients' temporaries,
// all stayed resident; on [rows, 4D] MLP activations that was most of a step's peak memory. A
// customGrad op runs its forward in its own scope (only the output and what `save` keeps survive)
// and our gradient functions free their temporaries with tf.tidy. Same maths as the composed ops:
//   gelu(x) = x/2 (1 + erf(x / sqrt 2)),        gelu'(x) = (1 + erf(x / sqrt 2))/2 + x phi(x)
//   y = xhat g + b, xhat = (x - mean) rstd,     rstd = 1 / sqrt(var + eps) (biased var, last axis)
//   dxhat = dy g;  dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat));  dg = sum dy xhat;  db = sum dy
import * as tf from '@tensorflow/tfjs-core';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

type Forward = (
  inputs: tf.Tensor[],
  save: tf.GradSaveFunc,
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

/** tf.customGrad over `arity` tensor inputs, with the inputs as an array (customGrad's typing is variadic). */
function customOp(arity: number, f: Forward): (...xs: tf.Tensor[]) => tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => f(args.slice(0, arity) as tf.Tensor[], args[arity] as tf.GradSaveFunc));
  return (...xs) => op(...xs);
}

/** Exact GELU (erf form, as PyTorch's nn.GELU). */
export const gelu: (x: tf.Tensor) => tf.Tensor = customOp(1, ([x], save) => {
  save([x]);
  return {
    value: tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)),
    gradFunc: (dy: tf.Tensor, [xs]: tf.Tensor[]) =>
      tf.tidy(() => {
        const cdf = tf.mul(tf.add(tf.erf(tf.mul(xs, Math.SQRT1_2)), 1), 0.5);
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
        return tf.mul(dy, tf.add(cdf, tf.mul(xs, pdf)));
      }),
  };
});

/** Sums a gradient of shape [..., D] down to a parameter of shape [D]. */
function sumToLastAxis(t: tf.Tensor): tf.Tensor {
  const D = t.shape[t.shape.length - 1];
  return tf.sum(tf.reshape(t, [-1, D]), 0);
}

function layerNormWith(eps: number) {
  return customOp(3, ([x, g, b], save) => {
    const { mean, variance } = tf.moments(x, -1, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(x, mean), rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, [xh, rs, gs]: tf.Tensor[]) =>
        tf.tidy(() => {
          const dxhat = tf.mul(dy, gs);
          const m1 = tf.mean(dxhat, -1, true);
          const m2 = tf.mean(tf.mul(dxhat, xh), -1, true);
          const dx = tf.mul(tf.sub(tf.sub(dxhat, m1), tf.mul(xh, m2)), rs);
          return [dx, sumToLastAxis(tf.mul(dy, xh)), sumToLastAxis(dy)];
        }),
    };
  });
}

const layerNorms = new Map<number, (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor>();

/** LayerNorm over the last axis with gain g and bias b ([D] each). */
export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  let f = layerNorms.get(eps);
  if (!f) layerNorms.set(eps, (f = layerNormWith(eps)));
  return f(x, g, b);
}

/**
 * A zero-valued term whose gradient with respect to x is g: injects a gradient computed elsewhere
 * (KoLeo's, taken on the whole batch, into one worker's slice; see slice-gradients.ts).
 */
export const injectGradient: (x: tf.Tensor, g: tf.Tensor) => tf.Tensor = customOp(2, ([, g], save) => {
  save([g]);
  return { value: tf.scalar(0), gradFunc: (dy: tf.Tensor, [gs]: tf.Tensor[]) => [tf.mul(dy, gs), tf.zerosLike(gs)] };
});
