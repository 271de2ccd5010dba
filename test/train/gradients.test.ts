import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { normaliseTrain } from '../../src/config/sections/train.js';
import { selectBackend } from '../../src/train/backend.js';
import { BatchLoader } from '../../src/train/loader.js';
import { encodeViews, projectionHead, type ParamMap, type ViewTokens } from '../../src/train/model.js';
import { dinoLoss } from '../../src/train/objective.js';
import { createVariables, initParamValues } from '../../src/train/params.js';
import { synthStats, synthTiles } from '../../src/train/synthetic.js';
import { memoryTileSource } from '../../src/train/tiles.js';
import { trainSpecs } from '../../src/train/trainer.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

// The whole student path (patch embeddings, modality embedding, token projection, fusion, resized
// position embedding, blocks, head, DINO loss) differentiated by tfjs vs central finite differences.
describe('gradients of the DINO loss', () => {
  it('match finite differences for every kind of parameter', async () => {
    const tiles = synthTiles({ count: 4, size: 24 });
    const stats = synthStats(tiles);
    const cfg = normaliseTrain({ batch_size: 2, out_dim: 16, head: { hidden_dim: 16, bottleneck_dim: 8 }, crops: { global_size: 16, local_size: 8, local_count: 1 } });
    const { shape, specs } = trainSpecs(cfg);
    const vals = initParamValues(specs, 3);
    // the fusion output projection starts at zero; give it values so gradients flow through fusion
    for (const [k, v] of vals) if (k.startsWith('fusion.o')) for (let i = 0; i < v.length; i++) v[i] = 0.05 * Math.sin(i + 1);
    const vars = createVariables(specs, vals, true);
    const batch = await new BatchLoader(memoryTileSource(tiles, stats), cfg, 8, stats, 0).next();
    expect(batch.views[0].modalities).toHaveLength(3); // a fused view is in the graph
    const views: ViewTokens[] = batch.views.map((v) => {
      const p: ViewTokens['patches'] = {};
      for (const m of v.modalities) p[m] = tf.tensor3d(v.patches[m]!, [2, v.grid * v.grid, v.patches[m]!.length / (2 * v.grid * v.grid)]);
      return { grid: v.grid, patches: p };
    });
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
