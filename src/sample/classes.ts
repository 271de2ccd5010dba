// Class bookkeeping shared by the sampler: WorldCover bins, display names and the official palette.
// Histograms everywhere in this stage are flat rows of NBINS numbers, bin i = WORLDCOVER_CLASSES[i];
// bin 0 is nodata and never counts as a class (shares are over the 11 real classes).
import { WORLDCOVER_CLASSES, WORLDCOVER_NAMES } from '../model/types.js';

/** Bins per histogram row (nodata + 11 classes). */
export const NBINS = WORLDCOVER_CLASSES.length;
/** Number of real classes (bins 1..NBINS-1). */
export const NCLASSES = NBINS - 1;
/** Bin of permanent water (code 80), used by the all-water filter. */
export const WATER_BIN = WORLDCOVER_CLASSES.indexOf(80);

export function classCode(bin: number): number {
  return WORLDCOVER_CLASSES[bin];
}
export function className(bin: number): string {
  return WORLDCOVER_NAMES[WORLDCOVER_CLASSES[bin]];
}

/** ESA WorldCover legend colours, so charts read like the map itself. */
export const CLASS_COLOURS: Record<number, string> = {
  0: '#000000',
  10: '#006400',
  20: '#ffbb22',
  30: '#ffff4c',
  40: '#f096ff',
  50: '#fa0000',
  60: '#b4b4b4',
  70: '#f0f0f0',
  80: '#0064c8',
  90: '#0096a0',
  95: '#00cf75',
  100: '#fae6a0',
};

/** Lookup table from a raw WorldCover byte value to its histogram bin (unknown values -> 0, nodata). */
export const BYTE_TO_BIN: Uint8Array = (() => {
  const t = new Uint8Array(256);
  WORLDCOVER_CLASSES.forEach((code, bin) => {
    t[code] = bin;
  });
  return t;
})();
