// Pixel arithmetic on small hand-made arrays.
import { describe, expect, it } from 'vitest';
import { cloudFraction, countNodata, fillNodata, harmonizeOffset, nodataFractionAllBands, toDb } from '../../src/tile/radiometry.js';

describe('radiometry and statistics', () => {
  it('fillNodata: first valid pixel wins, reports filled and remaining', () => {
    const a = new Uint16Array([0, 5, 0, 0]);
    expect(fillNodata(a, new Uint16Array([7, 9, 0, 3]), 0)).toEqual({ filled: 2, remaining: 1 });
    expect([...a]).toEqual([7, 5, 0, 3]);
    const f = new Float32Array([Number.NaN, -3, Number.NaN]);
    expect(fillNodata(f, new Float32Array([2, 8, Number.NaN]), Number.NaN)).toEqual({ filled: 1, remaining: 1 });
    expect([...f]).toEqual([2, -3, Number.NaN]);
    expect(() => fillNodata(new Uint8Array(2), new Uint8Array(3), 0)).toThrow('fillNodata: 2 vs 3 pixels; expected equal sizes');
    expect(countNodata(f, Number.NaN)).toBe(1);
  });

  it('harmonizeOffset subtracts the offset, clamps valid pixels to 1 and keeps nodata 0', () => {
    const a = new Uint16Array([0, 500, 1000, 1001, 5000]);
    harmonizeOffset(a, 1000);
    expect([...a]).toEqual([0, 1, 1, 1, 4000]);
  });

  it('toDb converts linear power and turns non-positive values into NaN', () => {
    const a = new Float32Array([1, 0.1, 0, -1, Number.NaN]);
    toDb(a);
    expect(a[0]).toBe(0);
    expect(a[1]).toBeCloseTo(-10, 5);
    expect([a[2], a[3], a[4]].every(Number.isNaN)).toBe(true);
  });

  it('nodata fraction counts pixels that are nodata in every band', () => {
    // 2 bands x 4 pixels: pixel 0 nodata in both, pixel 1 only in band 0.
    expect(nodataFractionAllBands(new Uint16Array([0, 0, 3, 4, 0, 2, 3, 4]), 2, 4, 0)).toBe(0.25);
  });

  it('cloud fraction over valid SCL pixels, null without any', () => {
    // 0 nodata (ignored), 4 vegetation, 8/9/10 cloud, 3 shadow, 5 bare soil.
    const scl = new Uint8Array([0, 0, 4, 8, 9, 10, 3, 5]);
    expect(cloudFraction(scl, [3, 8, 9, 10])).toBeCloseTo(4 / 6, 12);
    expect(cloudFraction(scl, [8, 9, 10])).toBeCloseTo(3 / 6, 12);
    expect(cloudFraction(new Uint8Array([0, 0]), [8])).toBeNull();
  });
});
