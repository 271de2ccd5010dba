// The WorldCover class covering most of a tile's valid pixels, from its stored class histogram: what the
// footprints' attributes and the sampling report's quicklook rows group tiles by.
import { WORLDCOVER_CLASSES } from '../model/types.js';
import { classShares } from '../sample/stats.js';

/** Dominant class code and its share of valid pixels; code 0 and share 0 when no pixel is valid. */
export function dominantClass(classHistogram: ArrayLike<number>): { code: number; share: number; shares: Float64Array } {
  const shares = classShares(classHistogram);
  let best = 0;
  for (let b = 1; b < shares.length; b++) if (shares[b] > shares[best]) best = b;
  return shares[best] > 0 ? { code: WORLDCOVER_CLASSES[best], share: shares[best], shares } : { code: 0, share: 0, shares };
}
