// The land-cover table: one row per grid cell with its WorldCover pixel counts, plus the global class
// frequencies as JSON. Column `px_<code>` holds the count of class <code> (px_0 = nodata). GeoParquet:
// each cell's anchor (lower-left corner) as a Point `geometry` with a `bbox` covering column.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../atomic-file.js';
import { StageError } from '../../errors.js';
import { readColumns, writeColumns, type Column } from '../parquet-columns.js';
import { allocatePopulation, type CellPopulation } from '../population.js';
import { classPixelTotals } from '../stats.js';
import { NBINS, WORLDCOVER_CLASSES, WORLDCOVER_NAMES } from '../../landcover/worldcover.js';

export const COUNT_COLUMNS = WORLDCOVER_CLASSES.map((c) => `px_${c}`);
const ID_COLUMNS = ['cell_id', 'lon', 'lat', 'epsg'];

export async function writeLandcoverTable(filename: string, pop: CellPopulation, resolutionM: number): Promise<void> {
  const cols: Column[] = [
    { name: 'cell_id', type: 'STRING', data: pop.ids },
    { name: 'lon', type: 'DOUBLE', data: pop.lon },
    { name: 'lat', type: 'DOUBLE', data: pop.lat },
    { name: 'epsg', type: 'INT32', data: pop.epsg },
  ];
  COUNT_COLUMNS.forEach((name, b) => {
    const d = new Int32Array(pop.size);
    for (let i = 0; i < pop.size; i++) d[i] = pop.hist[i * NBINS + b];
    cols.push({ name, type: 'INT32', data: d });
  });
  writeColumns(filename, cols, { 'terrafm:landcover_resolution_m': String(resolutionM) }, { lon: pop.lon, lat: pop.lat });
}

export interface LandcoverTable {
  population: CellPopulation;
  /** Resolution the histograms were counted at, from the file metadata (NaN if absent). */
  resolutionM: number;
}

export async function readLandcoverTable(filename: string): Promise<LandcoverTable> {
  const { rows, columns, kv } = await readColumns(filename, [...ID_COLUMNS, ...COUNT_COLUMNS], 'land-cover table');
  const pop = allocatePopulation(rows);
  const ids = columns.get('cell_id')!;
  const lon = columns.get('lon')!;
  const lat = columns.get('lat')!;
  const epsg = columns.get('epsg')!;
  for (let i = 0; i < rows; i++) {
    pop.ids[i] = String(ids[i]);
    pop.lon[i] = Number(lon[i]);
    pop.lat[i] = Number(lat[i]);
    pop.epsg[i] = Number(epsg[i]);
  }
  COUNT_COLUMNS.forEach((name, b) => {
    const c = columns.get(name)!;
    for (let i = 0; i < rows; i++) pop.hist[i * NBINS + b] = Number(c[i]);
  });
  return { population: pop, resolutionM: Number(kv['terrafm:landcover_resolution_m'] ?? NaN) };
}

/** Global class frequencies: what inverse-frequency weighting reads. Keys are WorldCover codes. */
export interface ClassFrequencies {
  resolutionM: number;
  cells: number;
  /** Pixel counts per class code, nodata ("0") included. */
  pixels: Record<string, number>;
  /** Share of each class among valid pixels (nodata excluded; sums to 1). */
  frequencies: Record<string, number>;
  names: Record<string, string>;
  nodataFraction: number;
}

export function classFrequencies(pop: CellPopulation, resolutionM: number): ClassFrequencies {
  const t = classPixelTotals(pop.hist);
  let all = 0;
  for (let b = 0; b < NBINS; b++) all += t[b];
  const valid = all - t[0];
  const pixels: Record<string, number> = {};
  const frequencies: Record<string, number> = {};
  const names: Record<string, string> = {};
  WORLDCOVER_CLASSES.forEach((code, b) => {
    pixels[String(code)] = t[b];
    names[String(code)] = WORLDCOVER_NAMES[code];
    if (b > 0) frequencies[String(code)] = valid > 0 ? t[b] / valid : 0;
  });
  return { resolutionM, cells: pop.size, pixels, frequencies, names, nodataFraction: all > 0 ? t[0] / all : 0 };
}

export async function writeClassFrequencies(filename: string, f: ClassFrequencies): Promise<void> {
  writeFileAtomic(filename, JSON.stringify(f, null, 2) + '\n');
}

/** Read a frequencies JSON into an array by bin (bin 0 = 0), checking every class is there. */
export async function readClassFrequencies(filename: string): Promise<Float64Array> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(filename, 'utf8'));
  } catch (e) {
    throw new StageError('sample', `cannot read class frequencies ${filename}: ${(e as Error).message}`, e);
  }
  const freq = (raw as { frequencies?: Record<string, unknown> })?.frequencies;
  if (!freq || typeof freq !== 'object')
    throw new StageError('sample', `${filename}: no "frequencies" object; expected the JSON written by \`terrafm landcover\``);
  const out = new Float64Array(NBINS);
  for (let b = 1; b < NBINS; b++) {
    const v = freq[String(WORLDCOVER_CLASSES[b])];
    if (typeof v !== 'number' || !(v >= 0))
      throw new StageError('sample', `${filename}: frequencies["${WORLDCOVER_CLASSES[b]}"] is ${JSON.stringify(v)}; expected a number >= 0`);
    out[b] = v;
  }
  return out;
}
