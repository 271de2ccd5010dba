// A synthetic, long-tailed cell population with known class frequencies, for tests, benchmarks and
// policy experiments without any raster. Deterministic from its seed.
import { allocatePopulation, type CellPopulation } from './population.js';
import { createRng } from '../prng.js';
import { NBINS } from '../landcover/worldcover.js';

/**
 * Class frequencies by bin with a long tail, roughly the global WorldCover mix on land plus ocean:
 * water and trees dominate, mangroves and moss are rarer than 1 %.
 */
export const LONG_TAIL_FREQUENCIES: readonly number[] = [
  0, // nodata
  0.3, // 10 tree cover
  0.08, // 20 shrubland
  0.12, // 30 grassland
  0.06, // 40 cropland
  0.01, // 50 built-up
  0.1, // 60 bare / sparse
  0.03, // 70 snow and ice
  0.27, // 80 permanent water
  0.016, // 90 herbaceous wetland
  0.002, // 95 mangroves
  0.012, // 100 moss and lichen
];

export interface SyntheticOptions {
  cells: number;
  seed: number;
  /** Class frequencies by bin (bin 0 ignored); default LONG_TAIL_FREQUENCIES. */
  frequencies?: readonly number[];
  /** Pixels per cell. Default 1000. */
  pixels?: number;
  /** Share of cells given some nodata (0..1). Default 0.05. */
  nodataCells?: number;
}

/**
 * Each cell draws a dominant class from the frequencies and gives it 70-100 % of its valid pixels; the
 * rest goes to up to two more classes drawn the same way. Cells sit at random places (lon/lat uniform),
 * with a UTM EPSG matching their longitude and a cloud cover uniform in 0..100.
 */
export function syntheticPopulation(o: SyntheticOptions): CellPopulation {
  const f = o.frequencies ?? LONG_TAIL_FREQUENCIES;
  const pixels = o.pixels ?? 1000;
  const nodataCells = o.nodataCells ?? 0.05;
  const cdf = new Float64Array(NBINS);
  let acc = 0;
  for (let b = 1; b < NBINS; b++) {
    acc += f[b];
    cdf[b] = acc;
  }
  const rng = createRng(o.seed);
  const pick = () => {
    const u = rng.nextDouble() * acc;
    for (let b = 1; b < NBINS; b++) if (u < cdf[b]) return b;
    return NBINS - 1;
  };
  const pop = allocatePopulation(o.cells);
  for (let i = 0; i < o.cells; i++) {
    const row = i * NBINS;
    const nodata = rng.nextDouble() < nodataCells ? Math.floor(rng.nextDouble() * pixels) : 0;
    const valid = pixels - nodata;
    const dom = pick();
    let main = Math.round(valid * (0.7 + 0.3 * rng.nextDouble()));
    const others = rng.nextInt(3);
    let rest = valid - main;
    for (let k = 0; k < others && rest > 0; k++) {
      const b = pick();
      const take = k === others - 1 ? rest : Math.floor(rest * rng.nextDouble());
      pop.hist[row + b] += take;
      rest -= take;
    }
    main += rest; // whatever is left stays with the dominant class
    pop.hist[row + dom] += main;
    pop.hist[row] = nodata;
    const lon = -180 + 360 * rng.nextDouble();
    const lat = -80 + 160 * rng.nextDouble();
    pop.ids[i] = `S${i}`;
    pop.lon[i] = lon;
    pop.lat[i] = lat;
    pop.epsg[i] = (lat >= 0 ? 32600 : 32700) + Math.min(60, Math.floor((lon + 180) / 6) + 1);
    pop.cloud[i] = 100 * rng.nextDouble();
  }
  return pop;
}
