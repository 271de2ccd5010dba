import { describe, expect, it } from 'vitest';
import { countParams, encoderParamSpecs, ENCODER_SHAPES, headParamSpecs } from '../../src/train/sizes.js';

describe('parameter counts from shapes (nothing allocated)', () => {
  it('base matches TerraFM-B: about 112.95M backbone parameters', () => {
    const c = countParams(encoderParamSpecs(ENCODER_SHAPES.base));
    // patch embeds 2 x (12*256*2304 + 2304) + (2*256*2304 + 2304) = 15,342,336; modality embed 3*2304;
    // token projection 2304^2 + 2*2304 + (2304^2 + 2304) + (2304*768 + 768) = 12,393,984;
    // 12 ViT-B blocks 85,054,464; cls 768; pos 197*768; final norm 1536.
    expect(c.backbone).toBe(112_951_296);
    expect(c.backbone / 1e6).toBeCloseTo(112.95, 2);
  });

  it('large matches TerraFM-L: about 345.0M backbone parameters', () => {
    const c = countParams(encoderParamSpecs(ENCODER_SHAPES.large));
    expect(c.backbone).toBe(345_010_176);
    expect(c.backbone / 1e6).toBeCloseTo(345.0, 1);
  });

  it('counts fusion and head separately from the released backbone', () => {
    const s = ENCODER_SHAPES.tiny;
    const enc = countParams(encoderParamSpecs(s));
    // fusion: queries 2*96 + k, v, o 3*96*96 + o bias 96
    expect(enc.fusion).toBe(2 * 96 + 3 * 96 * 96 + 96);
    const head = countParams(headParamSpecs(96, { hiddenDim: 32, bottleneckDim: 8, outDim: 16 }));
    expect(head.head).toBe(96 * 32 + 32 + 32 * 32 + 32 + 32 * 8 + 8 + 8 * 16);
    expect(head.backbone).toBe(0);
  });

  it('gives every parameter a unique name', () => {
    const names = encoderParamSpecs(ENCODER_SHAPES.small).map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
