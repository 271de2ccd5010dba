// The WorldCover class covering most of a tile's valid pixels, from its stored class histogram: what the
// footprints' attributes and the sampling report's quicklook rows group tiles by.
import { dominantBin, WORLDCOVER_CLASSES } from '../landcover/worldcover.js';
import { classShares } from '../sample/stats.js';

/** Dominant class code and its share of valid pixels; code 0 and share 0 when no pixel is valid. */
export function dominantClass(classHistogram: ArrayLike<number>): { code: number; share: number; shares: Float64Array } {
  const shares = classShares(classHistogram);
  const best = dominantBin(shares);
  return shares[best] > 0 ? { code: WORLDCOVER_CLASSES[best], share: shares[best], shares } : { code: 0, share: 0, shares };
}
