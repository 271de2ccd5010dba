// Filters that run before any policy. Each cell is removed by the FIRST filter it fails (in the order
// nodata -> all-water -> cloud), so the per-filter counts add up to the total removed, and each count
// is also broken down by region so a filter that wipes out a latitude band or a UTM zone shows up.
import type { CellPopulation } from './population.js';
import { RegionCounter } from './regions.js';
import { NBINS, WATER_BIN } from '../landcover/worldcover.js';

export interface SampleFilters {
  /** Drop cells whose nodata share (bin 0 of all pixels) exceeds this (0..1). 1 keeps all. */
  maxNodataFraction: number;
  /** Drop cells whose valid pixels are all permanent water (class 80). */
  excludeAllWater: boolean;
  /** Drop cells whose cloud cover (percent) exceeds this; cells with unknown cloud cover are kept. */
  maxCloud: number;
}

export const NO_FILTERS: SampleFilters = { maxNodataFraction: 1, excludeAllWater: false, maxCloud: 100 };

export type FilterName = 'max_nodata_fraction' | 'exclude_all_water' | 'max_cloud';

export interface FilterRemoval {
  filter: FilterName;
  /** Human-readable rule, e.g. "nodata fraction > 0.5". */
  rule: string;
  removed: number;
  byLatBand: Record<string, number>;
  byUtmZone: Record<string, number>;
}

export interface FilterOutcome {
  before: number;
  after: number;
  /** Indices (into the input population) of the kept cells, ascending. */
  kept: Uint32Array;
  removals: FilterRemoval[];
}

export function applyFilters(pop: CellPopulation, f: SampleFilters): FilterOutcome {
  const n = pop.size;
  const reason = new Uint8Array(n); // 0 kept, else 1 + filter index
  const h = pop.hist;
  let keptCount = 0;
  for (let i = 0, o = 0; i < n; i++, o += NBINS) {
    let total = 0;
    for (let b = 0; b < NBINS; b++) total += h[o + b];
    const valid = total - h[o];
    // A cell with no pixels at all is all nodata.
    const nodataFrac = total > 0 ? h[o] / total : 1;
    if (nodataFrac > f.maxNodataFraction) reason[i] = 1;
    else if (f.excludeAllWater && valid > 0 && h[o + WATER_BIN] >= valid) reason[i] = 2;
    else if (pop.cloud[i] > f.maxCloud) reason[i] = 3; // NaN (unknown) compares false: kept
    else keptCount++;
  }
  const kept = new Uint32Array(keptCount);
  const names: FilterName[] = ['max_nodata_fraction', 'exclude_all_water', 'max_cloud'];
  const rules = [`nodata fraction > ${f.maxNodataFraction}`, 'all valid pixels are permanent water', `cloud cover > ${f.maxCloud}%`];
  const counts = names.map(() => ({ removed: 0, regions: new RegionCounter() }));
  for (let i = 0, k = 0; i < n; i++) {
    const r = reason[i];
    if (r === 0) {
      kept[k++] = i;
      continue;
    }
    const c = counts[r - 1];
    c.removed++;
    c.regions.add(pop.lat[i], pop.epsg[i]);
  }
  return {
    before: n,
    after: keptCount,
    kept,
    removals: names.map((filter, j) => {
      const g = counts[j].regions.result();
      return { filter, rule: rules[j], removed: counts[j].removed, byLatBand: g.latBands, byUtmZone: g.utmZones };
    }),
  };
}
