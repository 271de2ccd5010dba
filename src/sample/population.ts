// The sampler's input: a column-oriented population of grid cells. A million cells as objects would
// cost ~1 GB of heap; flat typed arrays (one Float32Array of n*NBINS for the histograms) keep it at
// ~80 MB and let every policy run as tight loops.
import { ValidationError } from '../errors.js';
import { NBINS } from '../landcover/worldcover.js';

export interface CellPopulation {
  readonly size: number;
  /** Grid cell ids, e.g. `917D_239R`. */
  readonly ids: string[];
  /** Lower-left corner in degrees (Major-TOM convention). */
  readonly lon: Float64Array;
  readonly lat: Float64Array;
  /** UTM EPSG code of the cell (326zz north, 327zz south). */
  readonly epsg: Int32Array;
  /** Pixel counts per WorldCover bin, row i at [i*NBINS, (i+1)*NBINS); bin 0 is nodata. */
  readonly hist: Float32Array;
  /** Scene cloud cover in percent (0..100, as STAC eo:cloud_cover), NaN when unknown. */
  readonly cloud: Float32Array;
}

/** One cell as plain data, the shape other stages hand over. */
export interface CellInput {
  cellId: string;
  lon: number;
  lat: number;
  epsg: number;
  /** NBINS pixel counts (or shares) by WorldCover bin, index 0 = nodata. */
  histogram: ArrayLike<number>;
  /** Percent 0..100; omitted or null when unknown. */
  cloudCover?: number | null;
}

/** Allocate an empty population of `n` cells to be filled in place (fast path for big inputs). */
export function allocatePopulation(n: number): CellPopulation {
  const cloud = new Float32Array(n);
  cloud.fill(NaN);
  return {
    size: n,
    ids: new Array<string>(n),
    lon: new Float64Array(n),
    lat: new Float64Array(n),
    epsg: new Int32Array(n),
    hist: new Float32Array(n * NBINS),
    cloud,
  };
}

/** Build a population from plain cells, checking each one (bad input names the cell and the field). */
export function populationFromCells(cells: readonly CellInput[]): CellPopulation {
  const pop = allocatePopulation(cells.length);
  const problems: string[] = [];
  const seen = new Set<string>();
  cells.forEach((c, i) => {
    const where = `cell ${i} (${c.cellId})`;
    if (typeof c.cellId !== 'string' || c.cellId === '') problems.push(`cell ${i}: cellId must be a non-empty string`);
    else if (seen.has(c.cellId)) problems.push(`${where}: duplicate cellId; expected each cell once`);
    seen.add(c.cellId);
    if (!(c.lon >= -180 && c.lon <= 180) || !(c.lat >= -90 && c.lat <= 90))
      problems.push(`${where}: lon/lat ${c.lon},${c.lat} outside [-180,180] x [-90,90]`);
    if (!c.histogram || c.histogram.length !== NBINS)
      problems.push(`${where}: histogram has ${c.histogram?.length ?? 'no'} bins, expected ${NBINS} (nodata + 11 WorldCover classes)`);
    else
      for (let b = 0; b < NBINS; b++) {
        const v = c.histogram[b];
        if (!(v >= 0)) problems.push(`${where}: histogram[${b}] = ${v}, expected a count >= 0`);
        pop.hist[i * NBINS + b] = v;
      }
    if (c.cloudCover != null) {
      if (!(c.cloudCover >= 0 && c.cloudCover <= 100)) problems.push(`${where}: cloudCover ${c.cloudCover} outside 0..100 (percent)`);
      pop.cloud[i] = c.cloudCover;
    }
    pop.ids[i] = c.cellId;
    pop.lon[i] = c.lon;
    pop.lat[i] = c.lat;
    pop.epsg[i] = c.epsg;
  });
  if (problems.length > 0) throw new ValidationError('sample population', problems.slice(0, 20).concat(problems.length > 20 ? [`... and ${problems.length - 20} more`] : []));
  return pop;
}

/** The cells at `indices`, in that order, as a new population (copies; the input is untouched). */
export function subsetPopulation(pop: CellPopulation, indices: ArrayLike<number>): CellPopulation {
  const n = indices.length;
  const out = allocatePopulation(n);
  for (let j = 0; j < n; j++) {
    const i = indices[j];
    out.ids[j] = pop.ids[i];
    out.lon[j] = pop.lon[i];
    out.lat[j] = pop.lat[i];
    out.epsg[j] = pop.epsg[i];
    out.cloud[j] = pop.cloud[i];
    out.hist.set(pop.hist.subarray(i * NBINS, (i + 1) * NBINS), j * NBINS);
  }
  return out;
}

/** Valid (non-nodata) pixel total of each cell. */
export function validTotals(pop: CellPopulation): Float64Array {
  const out = new Float64Array(pop.size);
  const h = pop.hist;
  for (let i = 0, o = 0; i < pop.size; i++, o += NBINS) {
    let s = 0;
    for (let b = 1; b < NBINS; b++) s += h[o + b];
    out[i] = s;
  }
  return out;
}
