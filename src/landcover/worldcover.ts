// The ESA WorldCover vocabulary, the one owner of it: class codes, names, legend colours, histogram bins,
// the code -> bin lookup and the 12-bin class histogram. Every histogram in the product (tile records,
// shard statistics and their validation, the land-cover pass, the sampler, the trainer) is a flat row
// of NBINS numbers, bin i = WORLDCOVER_CLASSES[i]; bin 0 is nodata (and any code WorldCover does not
// define) and never counts as a class.

/** WorldCover class codes (0 = nodata). Index in this array = histogram bin. */
export const WORLDCOVER_CLASSES = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100] as const;
export type WorldCoverCode = (typeof WORLDCOVER_CLASSES)[number];

/** Bins per histogram row (nodata + 11 classes). */
export const NBINS = WORLDCOVER_CLASSES.length;
/** Number of real classes (bins 1..NBINS-1). */
export const NCLASSES = NBINS - 1;

export const WORLDCOVER_NAMES: Record<number, string> = {
  0: 'nodata',
  10: 'tree cover',
  20: 'shrubland',
  30: 'grassland',
  40: 'cropland',
  50: 'built-up',
  60: 'bare / sparse',
  70: 'snow and ice',
  80: 'permanent water',
  90: 'herbaceous wetland',
  95: 'mangroves',
  100: 'moss and lichen',
};

/** ESA WorldCover legend colours (RRGGBB, as the product's STAC `classification:classes` gives them). */
export const WORLDCOVER_COLOURS: Record<number, string> = {
  0: '000000',
  10: '006400',
  20: 'FFBB22',
  30: 'FFFF4C',
  40: 'F096FF',
  50: 'FA0000',
  60: 'B4B4B4',
  70: 'F0F0F0',
  80: '0064C8',
  90: '0096A0',
  95: '00CF75',
  100: 'FAE6A0',
};

/** A class's legend colour as CSS (`#rrggbb`), so charts read like the map itself. */
export function classColourCss(code: number): string {
  return `#${(WORLDCOVER_COLOURS[code] ?? WORLDCOVER_COLOURS[0]).toLowerCase()}`;
}

/** Bin of a raw map byte (0..255): unknown values -> 0, nodata. The lookup every count goes through. */
export const BYTE_TO_BIN: Uint8Array = (() => {
  const t = new Uint8Array(256);
  WORLDCOVER_CLASSES.forEach((code, bin) => {
    t[code] = bin;
  });
  return t;
})();

/** Histogram bin of a WorldCover code, or 0 (nodata) for anything unknown. */
export function classBin(code: number): number {
  return Number.isInteger(code) && code >= 0 && code < 256 ? BYTE_TO_BIN[code] : 0;
}

/** Bin of a code given as a class in a config (targets, quotas): undefined unless a real class. */
export function realClassBin(code: number): number | undefined {
  const bin = classBin(code);
  return bin > 0 && WORLDCOVER_CLASSES[bin] === code ? bin : undefined;
}

export function classCode(bin: number): number {
  return WORLDCOVER_CLASSES[bin];
}
export function className(bin: number): string {
  return WORLDCOVER_NAMES[WORLDCOVER_CLASSES[bin]];
}

/** Bin of permanent water (code 80), used by the all-water filter. */
export const WATER_BIN = classBin(80);

/** Pixel counts per bin of a land-cover raster (length NBINS; unknown codes count as nodata). */
export function classHistogram(lc: Uint8Array): number[] {
  // Count per byte value first (one increment per pixel), then fold the 256 counts into bins.
  const perCode = new Float64Array(256);
  for (let i = 0; i < lc.length; i++) perCode[lc[i]]++;
  const hist = new Array<number>(NBINS).fill(0);
  for (let code = 0; code < 256; code++) if (perCode[code] > 0) hist[BYTE_TO_BIN[code]] += perCode[code];
  return hist;
}

/** The bin holding most valid pixels of a class histogram (bin 0, nodata, excluded; the first bin wins a tie); 0 when no pixel is valid. */
export function dominantBin(hist: ArrayLike<number>): number {
  let best = 0;
  let bestCount = 0;
  for (let c = 1; c < hist.length; c++) if (hist[c] > bestCount) (best = c), (bestCount = hist[c]);
  return best;
}
