// The loss curve PNG is the SVG rendered (title, axes and numbers included), not a second drawing.
import { describe, expect, it } from 'vitest';
import { lossCurvePng, lossCurveSvg } from '../../src/train/curve.js';
import { svgToPng } from '../../src/svg-to-png.js';

const points = [
  { step: 1, loss: 9.2 },
  { step: 2, loss: 8.1 },
  { step: 3, loss: 7.6 },
];

function pngSize(png: Buffer): [number, number] {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

describe('loss curve pictures', () => {
  it('puts the title and the axis numbers into the SVG', () => {
    const svg = lossCurveSvg(points, 'TerraFM tiny pretraining loss');
    expect(svg).toContain('>TerraFM tiny pretraining loss<');
    expect(svg).toContain('>9.200<');
    expect(svg).toContain('>7.600<');
    expect(svg).toContain('step 3');
  });

  it('renders the PNG from that SVG at 1.5x', () => {
    const png = lossCurvePng(points, 'TerraFM tiny pretraining loss');
    expect(pngSize(png)).toEqual([960, 540]);
    expect(png.equals(svgToPng(lossCurveSvg(points, 'TerraFM tiny pretraining loss')))).toBe(true);
    // the title is drawn: another title gives other pixels
    expect(png.equals(lossCurvePng(points, 'another title'))).toBe(false);
  });
});
