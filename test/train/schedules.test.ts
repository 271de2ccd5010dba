import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, clipFactor } from '../../src/train/adamw.js';
import { selectBackend } from '../../src/train/backend.js';
import { backboneLrScale, cosine, teacherTemperature, warmupCosine } from '../../src/train/schedules.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('schedules', () => {
  it('warms up linearly from 0, then decays by cosine to the final value at the last step', () => {
    expect(warmupCosine(0, 11, 1, 0, 2)).toBe(0);
    expect(warmupCosine(1, 11, 1, 0, 2)).toBe(0.5);
    expect(warmupCosine(2, 11, 1, 0, 2)).toBe(1);
    expect(warmupCosine(6, 11, 1, 0, 2)).toBeCloseTo(0.5, 12); // halfway through the 8-step cosine
    expect(warmupCosine(10, 11, 1, 0, 2)).toBeCloseTo(0, 12);
  });
  it('teacher momentum rises 0.996 -> 1 by cosine', () => {
    expect(cosine(0, 5, 0.996, 1)).toBe(0.996);
    expect(cosine(2, 5, 0.996, 1)).toBeCloseTo(0.998, 12);
    expect(cosine(4, 5, 0.996, 1)).toBeCloseTo(1, 12);
  });
  it('freezes the encoder for backbone.freeze_steps, then scales its lr', () => {
    const cfg = { backbone: { freezeSteps: 3, lrScale: 0.25 } };
    expect([0, 1, 2, 3, 9].map((s) => backboneLrScale(s, cfg))).toEqual([0, 0, 0, 0.25, 0.25]);
    expect(backboneLrScale(0, { backbone: { freezeSteps: 0, lrScale: 1 } })).toBe(1);
  });
  it('teacher temperature warms up linearly then stays', () => {
    expect(teacherTemperature(0, 0.04, 0.07, 30)).toBe(0.04);
    expect(teacherTemperature(15, 0.04, 0.07, 30)).toBeCloseTo(0.055, 12);
    expect(teacherTemperature(99, 0.04, 0.07, 30)).toBe(0.07);
  });
});

describe('AdamW', () => {
  it('applies decoupled decay only to decayed parameters, then the bias-corrected Adam step', () => {
    const vars = new Map([
      ['w', tf.variable(tf.tensor1d([1]))],
      ['b', tf.variable(tf.tensor1d([1]))],
    ]);
    const opt = new AdamW(vars, new Set(['w']));
    opt.step(new Map([['w', tf.tensor1d([0.5])], ['b', tf.tensor1d([0.5])]]), 0.1, 0.1);
    // m_hat = 0.5, v_hat = 0.25 -> update 1; w: 1*(1 - 0.1*0.1) - 0.1 = 0.89; b: 1 - 0.1 = 0.9
    expect(vars.get('w')!.dataSync()[0]).toBeCloseTo(0.89, 6);
    expect(vars.get('b')!.dataSync()[0]).toBeCloseTo(0.9, 6);
    // second step with g = -0.5: m = 0.9*0.05 - 0.05 = -0.005, m_hat = -0.005/0.19;
    // v = 0.999*0.00025 + 0.00025, v_hat = v / (1 - 0.999^2)
    opt.step(new Map([['b', tf.tensor1d([-0.5])]]), 0.1, 0);
    const mh = -0.005 / (1 - 0.81);
    const vh = (0.999 * 0.00025 + 0.001 * 0.25) / (1 - 0.999 ** 2);
    expect(vars.get('b')!.dataSync()[0]).toBeCloseTo(0.9 - (0.1 * mh) / (Math.sqrt(vh) + 1e-8), 6);
    expect(opt.t).toBe(2);
  });
  it('scales lr per parameter; a frozen one keeps its value while its moments accumulate', () => {
    const vars = new Map([
      ['enc', tf.variable(tf.tensor1d([1]))],
      ['head', tf.variable(tf.tensor1d([1]))],
    ]);
    const opt = new AdamW(vars, new Set(['enc', 'head']));
    const g = () => new Map([['enc', tf.tensor1d([0.5])], ['head', tf.tensor1d([0.5])]]);
    opt.step(g(), 0.1, 0.1, (k) => (k === 'enc' ? 0 : 1));
    expect(vars.get('enc')!.dataSync()[0]).toBe(1); // frozen: no decay, no step
    expect(vars.get('head')!.dataSync()[0]).toBeCloseTo(0.89, 6);
    expect(opt.m.get('enc')!.dataSync()[0]).toBeCloseTo(0.05, 7);
    // unfrozen at half lr: m_hat = (0.9*0.05 + 0.05) / 0.19 = 0.5, v_hat = 0.25 -> update 1
    opt.step(g(), 0.1, 0, (k) => (k === 'enc' ? 0.5 : 1));
    expect(vars.get('enc')!.dataSync()[0]).toBeCloseTo(1 - 0.05, 6);
  });
  it('clips by global norm', () => {
    expect(clipFactor(10, 3)).toBeCloseTo(0.3, 6);
    expect(clipFactor(1, 3)).toBe(1);
    expect(clipFactor(10, 0)).toBe(1);
  });
});
