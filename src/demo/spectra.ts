// Radiometry of the demo world: Sentinel-2 band table (as Earth Search v1 names them), typical surface
// reflectance per WorldCover class, the atmosphere that turns it into top-of-atmosphere (L1C) values,
// and C-band backscatter (gamma0, linear) per class. Values are textbook-typical, not fitted to any
// product: they only need the relations a model should learn (water dark in NIR/SWIR, vegetation
// bright in NIR with a red edge, snow bright in the visible and dark in SWIR, built-up flat and bright
// in radar...).

export interface S2Band {
  /** Band name, e.g. "B8A". */
  name: string;
  /** Earth Search v1 asset key, e.g. "nir08". */
  key: string;
  /** eo:bands common_name. */
  commonName: string;
  /** Native ground sample distance (m). */
  gsd: 10 | 20 | 60;
  centerWavelength: number;
  fwhm: number;
  title: string;
  /** Only in L1C (B10 cirrus is absorbed before reaching the surface, so L2A drops it). */
  l1cOnly?: boolean;
}

/** All 13 MSI bands in band-number order; L2A uses the 12 without B10 (Major-TOM order). */
export const S2_BANDS: readonly S2Band[] = [
  { name: 'B01', key: 'coastal', commonName: 'coastal', gsd: 60, centerWavelength: 0.443, fwhm: 0.027, title: 'Coastal - 60m' },
  { name: 'B02', key: 'blue', commonName: 'blue', gsd: 10, centerWavelength: 0.49, fwhm: 0.098, title: 'Blue - 10m' },
  { name: 'B03', key: 'green', commonName: 'green', gsd: 10, centerWavelength: 0.56, fwhm: 0.045, title: 'Green - 10m' },
  { name: 'B04', key: 'red', commonName: 'red', gsd: 10, centerWavelength: 0.665, fwhm: 0.038, title: 'Red - 10m' },
  { name: 'B05', key: 'rededge1', commonName: 'rededge', gsd: 20, centerWavelength: 0.704, fwhm: 0.019, title: 'Red Edge 1 - 20m' },
  { name: 'B06', key: 'rededge2', commonName: 'rededge', gsd: 20, centerWavelength: 0.74, fwhm: 0.018, title: 'Red Edge 2 - 20m' },
  { name: 'B07', key: 'rededge3', commonName: 'rededge', gsd: 20, centerWavelength: 0.783, fwhm: 0.028, title: 'Red Edge 3 - 20m' },
  { name: 'B08', key: 'nir', commonName: 'nir', gsd: 10, centerWavelength: 0.842, fwhm: 0.145, title: 'NIR 1 - 10m' },
  { name: 'B8A', key: 'nir08', commonName: 'nir08', gsd: 20, centerWavelength: 0.865, fwhm: 0.033, title: 'NIR 2 - 20m' },
  { name: 'B09', key: 'nir09', commonName: 'nir09', gsd: 60, centerWavelength: 0.945, fwhm: 0.026, title: 'NIR 3 - 60m' },
  { name: 'B10', key: 'cirrus', commonName: 'cirrus', gsd: 60, centerWavelength: 1.3735, fwhm: 0.075, title: 'Cirrus - 60m', l1cOnly: true },
  { name: 'B11', key: 'swir16', commonName: 'swir16', gsd: 20, centerWavelength: 1.61, fwhm: 0.143, title: 'SWIR 1.6μm - 20m' },
  { name: 'B12', key: 'swir22', commonName: 'swir22', gsd: 20, centerWavelength: 2.19, fwhm: 0.242, title: 'SWIR 2.2μm - 20m' },
];
export const L2A_BANDS = S2_BANDS.filter((b) => !b.l1cOnly);
export const L1C_BANDS = S2_BANDS;
export const B10_INDEX = S2_BANDS.findIndex((b) => b.name === 'B10');

type Spectrum = readonly number[]; // 13 values, S2_BANDS order; B10 (index 10) is 0 at the surface.

/** Typical surface reflectance per WorldCover class (B01..B12 with B10 = 0). */
export const CLASS_SPECTRA: Record<number, Spectrum> = {
  // tree cover: dark visible, strong red edge, high NIR, moderate SWIR
  10: [0.025, 0.03, 0.05, 0.03, 0.08, 0.22, 0.28, 0.3, 0.32, 0.32, 0, 0.16, 0.08],
  20: [0.04, 0.05, 0.07, 0.07, 0.11, 0.19, 0.22, 0.24, 0.26, 0.26, 0, 0.24, 0.15],
  30: [0.04, 0.045, 0.08, 0.06, 0.12, 0.25, 0.3, 0.32, 0.33, 0.33, 0, 0.25, 0.14],
  // cropland as a green crop; bare parcels use SOIL below
  40: [0.035, 0.04, 0.08, 0.045, 0.12, 0.3, 0.36, 0.38, 0.4, 0.39, 0, 0.24, 0.12],
  // built-up: bright and spectrally flat
  50: [0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.17, 0.17, 0, 0.2, 0.18],
  60: [0.12, 0.14, 0.18, 0.22, 0.25, 0.27, 0.28, 0.29, 0.3, 0.3, 0, 0.35, 0.3],
  // snow: very bright visible, falling in NIR, dark in SWIR (absorption)
  70: [0.85, 0.86, 0.84, 0.82, 0.8, 0.76, 0.73, 0.7, 0.66, 0.55, 0, 0.08, 0.06],
  // water: dark, darkest in NIR and SWIR
  80: [0.06, 0.05, 0.045, 0.03, 0.025, 0.02, 0.018, 0.015, 0.012, 0.008, 0, 0.006, 0.004],
  90: [0.03, 0.035, 0.06, 0.045, 0.09, 0.18, 0.21, 0.23, 0.24, 0.24, 0, 0.15, 0.08],
  95: [0.02, 0.025, 0.045, 0.025, 0.07, 0.2, 0.25, 0.27, 0.28, 0.27, 0, 0.12, 0.05],
  100: [0.04, 0.05, 0.07, 0.08, 0.11, 0.15, 0.17, 0.18, 0.19, 0.19, 0, 0.2, 0.13],
};
/** Bare soil of a ploughed or harvested field. */
export const SOIL: Spectrum = [0.07, 0.08, 0.11, 0.14, 0.17, 0.19, 0.21, 0.22, 0.23, 0.24, 0, 0.3, 0.25];
/** Opaque cloud top. B10 gets its own term (clouds are high, so above most water vapour). */
export const CLOUD: Spectrum = [0.55, 0.55, 0.55, 0.56, 0.57, 0.57, 0.57, 0.58, 0.58, 0.5, 0, 0.42, 0.3];
/** Thin cirrus adds this (times its opacity) to every band. */
export const CIRRUS: Spectrum = [0.12, 0.12, 0.11, 0.11, 0.1, 0.1, 0.1, 0.1, 0.1, 0.09, 0, 0.07, 0.05];

/** Classes whose spectrum is vegetation (vigour and season modulate the red-edge/NIR contrast). */
export const VEGETATED = new Set([10, 20, 30, 40, 90, 95, 100]);

/** Atmospheric path reflectance added at top of atmosphere (scaled by each scene's haze). */
export const PATH_RADIANCE: Spectrum = [0.1, 0.08, 0.055, 0.04, 0.035, 0.03, 0.028, 0.025, 0.022, 0.02, 0, 0.008, 0.004];
/** Two-way transmittance surface -> sensor (B09 sits in a water-vapour band). */
export const TRANSMITTANCE: Spectrum = [0.8, 0.85, 0.9, 0.93, 0.95, 0.96, 0.97, 0.97, 0.975, 0.7, 0, 0.97, 0.95];
/** Sensor noise (reflectance units, 1 sigma) per band. */
export const NOISE_SIGMA: Spectrum = [0.0015, 0.002, 0.002, 0.002, 0.002, 0.002, 0.002, 0.0025, 0.002, 0.0015, 0.0004, 0.0025, 0.0025];

/** Typical C-band gamma0 (linear power) [VV, VH] per class; cropland is the green-crop value. */
export const SAR_GAMMA0: Record<number, readonly [number, number]> = {
  10: [0.12, 0.035],
  20: [0.07, 0.016],
  30: [0.05, 0.01],
  40: [0.065, 0.017],
  50: [0.35, 0.06],
  60: [0.045, 0.007],
  70: [0.03, 0.004],
  80: [0.006, 0.0007],
  90: [0.09, 0.014],
  95: [0.16, 0.045],
  100: [0.04, 0.007],
};
/** Bare field (ploughed) gamma0 [VV, VH]. */
export const SAR_SOIL: readonly [number, number] = [0.035, 0.005];

/** Sentinel-2 scene classification (SCL) code of a clear pixel of a class; green fraction for fields. */
export function sclOfClass(cls: number, greenFraction: number): number {
  if (cls === 80) return 6;
  if (cls === 70) return 11;
  if (cls === 50 || cls === 60) return 5;
  if (cls === 40) return greenFraction > 0.3 ? 4 : 5;
  return 4;
}

/** Sentinel-2 SCL codes (L2A scene classification). */
export const SCL = {
  nodata: 0,
  saturated: 1,
  darkArea: 2,
  cloudShadow: 3,
  vegetation: 4,
  notVegetated: 5,
  water: 6,
  unclassified: 7,
  cloudMedium: 8,
  cloudHigh: 9,
  thinCirrus: 10,
  snowIce: 11,
} as const;
