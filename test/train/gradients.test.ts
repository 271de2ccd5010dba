import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/train/backend.js';
import { encodeViews, projectionHead, type ParamMap } from '../../src/train/model.js';
import { dinoLoss } from '../../src/train/objective.js';
import { createVariables } from '../../src/train/params.js';
import { lossCase } from './synthetic.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

// The whole student path (patch embeddings, modality embedding, token projection, fusion, resized
// position embedding, blocks, head, DINO loss) differentiated by tfjs vs central finite differences.
describe('gradients of the DINO loss', () => {
  it('match finite differences for every kind of parameter', async () => {
    const { shape, specs, vals, batch, viewTokens } = await lossCase();
    const vars = createVariables(specs, vals, true);
    expect(batch.views[0].modalities).toHaveLength(3); // a fused view is in the graph
    const views = viewTokens();
    const targets = [1, 2].map((s) => tf.softmax(tf.randomNormal([2, 16], 0, 3, 'float32', s)) as tf.Tensor2D);
    const a = tf.tensor1d([0.5, 0.5]);
    const map = vars as unknown as ParamMap;
    const lossFn = () => dinoLoss(targets, encodeViews(map, shape, views).map((c) => projectionHead(map, c)), 0.1, a);
    const { grads } = tf.variableGrads(lossFn, [...vars.values()]);
    for (const name of ['patch_embed.s1.w', 'modality_embed', 'token_proj.norm.g', 'pos_embed', 'blocks.0.attn.qkv.w', 'blocks.3.mlp.fc2.b', 'fusion.o.w', 'norm.g', 'head.proto.v']) {
      const v = vars.get(name)!;
      const g = grads[v.name].dataSync();
      let idx = 0;
      for (let i = 0; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[idx])) idx = i;
      const base = v.dataSync().slice();
      const eps = 1e-2 * Math.max(1e-2, Math.abs(base[idx]));
      const at = (d: number) => {
        const b = base.slice();
        b[idx] += d;
        v.assign(tf.tensor(b, v.shape));
        return tf.tidy(() => lossFn().dataSync()[0]);
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(base, v.shape));
      expect(Math.abs(fd - g[idx]) / Math.abs(g[idx]), name).toBeLessThan(0.02);
    }
  });
});
