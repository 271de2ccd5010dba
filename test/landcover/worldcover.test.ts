// The WorldCover vocabulary: bins, the code -> bin lookup, legend colours and the 12-bin histogram.
import { describe, expect, it } from 'vitest';
import { BYTE_TO_BIN, classBin, classCode, classColourCss, classHistogram, className, NBINS, realClassBin, WATER_BIN, WORLDCOVER_CLASSES } from '../../src/landcover/worldcover.js';

describe('WorldCover vocabulary', () => {
  it('class histogram has 12 bins in WORLDCOVER_CLASSES order; unknown codes count as nodata', () => {
    const lc = new Uint8Array([0, 10, 10, 80, 95, 100, 7, 255]);
    expect(classHistogram(lc)).toEqual([3, 2, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1]);
    expect(classHistogram(new Uint8Array(0))).toEqual(new Array(12).fill(0));
  });

  it('maps codes to bins one way: the byte table, the scalar lookup and the config check agree', () => {
    expect(NBINS).toBe(12);
    for (let code = 0; code < 256; code++) {
      const bin = WORLDCOVER_CLASSES.indexOf(code as (typeof WORLDCOVER_CLASSES)[number]);
      expect([BYTE_TO_BIN[code], classBin(code)]).toEqual([Math.max(bin, 0), Math.max(bin, 0)]);
      expect(realClassBin(code)).toBe(bin > 0 ? bin : undefined);
    }
    expect([classBin(-10), classBin(10.5), classBin(300)]).toEqual([0, 0, 0]);
    expect([classCode(WATER_BIN), className(WATER_BIN), className(6)]).toEqual([80, 'permanent water', 'bare / sparse']);
  });

  it('gives the ESA legend colours as CSS', () => {
    expect([classColourCss(0), classColourCss(20), classColourCss(95)]).toEqual(['#000000', '#ffbb22', '#00cf75']);
  });
});
