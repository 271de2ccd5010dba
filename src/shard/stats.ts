// Corpus statistics: pure accumulation and an associative merge, so shards written by separate processes
// combine into the same totals as one process would produce.
//
// Numerics: every band of every tile is first reduced on its own (count, sum, sum of squares, min, max,
// histogram) with float64 accumulators, then added into the shard's totals, and shard totals are merged
// into the dataset in manifest order. For the integer dtypes (uint8/uint16/int16) a tile's sums are exact
// integers (a 256x256 uint16 band has sum_sq <= 2.8e14 < 2^53), so shard and dataset sums are exact until
// they pass 2^53 (~9e15, i.e. ~1e5 typical S2 tiles per band for sum_sq) and carry float64 rounding
// (relative 1e-16) beyond. The variance is (sum_sq - sum^2/n) / n, clamped at 0; its relative error is
// about 1e-16 * (mean/std)^2, negligible for imagery where mean/std is of order 1 to 10.
import { ShardError } from '../errors.js';
import { type Modality, type TensorDType, type TypedPixels } from '../model/types.js';
import { classBin, WORLDCOVER_CLASSES } from '../landcover/worldcover.js';

export interface BandStats {
  /** Valid (not nodata, not NaN) pixels. */
  count: number;
  sum: number;
  sumSq: number;
  /** +Infinity / -Infinity while count is 0 (null in JSON). */
  min: number;
  max: number;
  /** Valid pixels below lo / at or above hi of the histogram range. */
  below: number;
  above: number;
  hist: number[];
}

export interface ModalityStats {
  dtype: TensorDType;
  bands: string[];
  /** Fixed histogram range [lo, hi) and bin count: identical in every shard so histograms add up. */
  lo: number;
  hi: number;
  bins: number;
  /** Tiles that carried this modality. */
  tiles: number;
  perBand: BandStats[];
}

export interface CorpusStats {
  tiles: number;
  /** Pixel count per WorldCover bin (order of WORLDCOVER_CLASSES). */
  classPixelCounts: number[];
  /** Tiles with at least one pixel of the class, per bin. */
  classTileCounts: number[];
  modalities: Partial<Record<Modality, ModalityStats>>;
}

export function emptyStats(): CorpusStats {
  return { tiles: 0, classPixelCounts: WORLDCOVER_CLASSES.map(() => 0), classTileCounts: WORLDCOVER_CLASSES.map(() => 0), modalities: {} };
}

function emptyBand(bins: number): BandStats {
  return { count: 0, sum: 0, sumSq: 0, min: Infinity, max: -Infinity, below: 0, above: 0, hist: new Array<number>(bins).fill(0) };
}

export function emptyModalityStats(dtype: TensorDType, bands: string[], lo: number, hi: number, bins: number): ModalityStats {
  return { dtype, bands: [...bands], lo, hi, bins, tiles: 0, perBand: bands.map(() => emptyBand(bins)) };
}

/** Default fixed histogram range of a dtype (see ShardConfig.histogramRanges). */
export function defaultHistogramRange(dtype: TensorDType): [number, number] {
  switch (dtype) {
    case 'uint8': return [0, 256];
    case 'uint16': return [0, 20000];
    case 'int16': return [-32768, 32768];
    case 'float32': return [-50, 50];
  }
}

/** Adds one tile's land cover to the class totals. */
export function addLandcover(stats: CorpusStats, classCounts: number[]): void {
  stats.tiles++;
  for (let k = 0; k < classCounts.length; k++) {
    stats.classPixelCounts[k] += classCounts[k];
    if (classCounts[k] > 0) stats.classTileCounts[k]++;
  }
}

/**
 * Adds one modality tensor (band-major) of one tile. Pixels equal to `nodata`, and NaN, are excluded
 * band by band.
 */
export function addTensor(ms: ModalityStats, data: TypedPixels, nodata: number): void {
  const nb = ms.bands.length;
  const plane = data.length / nb;
  if (!Number.isInteger(plane)) throw new ShardError(`tensor of ${data.length} values does not split into ${nb} bands`);
  ms.tiles++;
  const integer = !(data instanceof Float32Array);
  for (let b = 0; b < nb; b++) {
    const band = data.subarray(b * plane, (b + 1) * plane);
    const local = integer ? integerBandStats(band as Uint8Array | Uint16Array | Int16Array, nodata, ms) : floatBandStats(band as Float32Array, nodata, ms);
    const acc = ms.perBand[b];
    acc.count += local.count;
    acc.sum += local.sum;
    acc.sumSq += local.sumSq;
    if (local.min < acc.min) acc.min = local.min;
    if (local.max > acc.max) acc.max = local.max;
    acc.below += local.below;
    acc.above += local.above;
    for (let k = 0; k < ms.bins; k++) acc.hist[k] += local.hist[k];
  }
}

/** One band of one tile, before it is added to the running BandStats (float histogram counts). */
type LocalBand = Omit<BandStats, 'hist'> & { hist: Float64Array };

function binOf(v: number, lo: number, scale: number, bins: number): number {
  const k = Math.floor((v - lo) * scale);
  return k >= bins ? bins - 1 : k; // rounding at the top edge
}

// Integer bands: count each distinct value once (one increment per pixel), then derive every statistic
// from the value counts. Sums are exact integers, so the result equals the pixel-by-pixel loop exactly.
// One counting loop per array type keeps each loop monomorphic (a loop over a union of typed-array
// types runs several times slower in V8). Each loop also finds the band's smallest and largest index,
// so only that span of the table is read and cleared afterwards: reflectances fill a few thousand of
// uint16's 65,536 values, and scanning the whole table cost as much as counting a 256 px band.
// The table is all zeros between calls.
const valueCounts = new Uint32Array(65536);
let spanLo = 0;
let spanHi = -1;
function countU16(band: Uint16Array, counts: Uint32Array): void {
  let lo = 65535, hi = 0;
  for (let i = 0; i < band.length; i++) {
    const v = band[i];
    counts[v]++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  spanLo = lo;
  spanHi = hi;
}
function countI16(band: Int16Array, counts: Uint32Array): void {
  let lo = 65535, hi = 0;
  for (let i = 0; i < band.length; i++) {
    const j = band[i] + 32768;
    counts[j]++;
    if (j < lo) lo = j;
    if (j > hi) hi = j;
  }
  spanLo = lo;
  spanHi = hi;
}
function countU8(band: Uint8Array, counts: Uint32Array): void {
  for (let i = 0; i < band.length; i++) counts[band[i]]++;
  spanLo = 0;
  spanHi = 255;
}
function integerBandStats(band: Uint8Array | Uint16Array | Int16Array, nodata: number, ms: ModalityStats): LocalBand {
  const offset = band instanceof Int16Array ? 32768 : 0;
  const counts = valueCounts;
  spanLo = 0;
  spanHi = -1;
  if (band instanceof Uint16Array) countU16(band, counts);
  else if (band instanceof Int16Array) countI16(band, counts);
  else countU8(band, counts);
  if (Number.isInteger(nodata) && nodata + offset >= spanLo && nodata + offset <= spanHi) counts[nodata + offset] = 0;
  const { lo, hi, bins } = ms;
  const scale = bins / (hi - lo);
  const out: LocalBand = { count: 0, sum: 0, sumSq: 0, min: Infinity, max: -Infinity, below: 0, above: 0, hist: new Float64Array(bins) };
  for (let j = spanLo; j <= spanHi; j++) {
    const c = counts[j];
    if (c === 0) continue;
    counts[j] = 0;
    const v = j - offset;
    out.count += c;
    out.sum += c * v;
    out.sumSq += c * v * v;
    if (v < out.min) out.min = v;
    if (v > out.max) out.max = v;
    if (v < lo) out.below += c;
    else if (v >= hi) out.above += c;
    else out.hist[binOf(v, lo, scale, bins)] += c;
  }
  return out;
}

function floatBandStats(band: Float32Array, nodata: number, ms: ModalityStats): LocalBand {
  const { lo, hi, bins } = ms;
  const scale = bins / (hi - lo);
  const noNodata = Number.isNaN(nodata);
  const hist = new Float64Array(bins);
  let count = 0, sum = 0, sumSq = 0, min = Infinity, max = -Infinity, below = 0, above = 0;
  for (let i = 0; i < band.length; i++) {
    const v = band[i];
    // v !== v is NaN: never a valid value
    if (v !== v || (!noNodata && v === nodata)) continue;
    count++;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v < lo) below++;
    else if (v >= hi) above++;
    else hist[binOf(v, lo, scale, bins)]++;
  }
  return { count, sum, sumSq, min, max, below, above, hist };
}

function sameLayout(a: ModalityStats, b: ModalityStats): string | undefined {
  if (a.dtype !== b.dtype) return `dtype ${a.dtype} vs ${b.dtype}`;
  if (a.bands.join(',') !== b.bands.join(',')) return `bands [${a.bands}] vs [${b.bands}]`;
  if (a.lo !== b.lo || a.hi !== b.hi || a.bins !== b.bins) return `histogram [${a.lo}, ${a.hi}) x ${a.bins} vs [${b.lo}, ${b.hi}) x ${b.bins}`;
  return undefined;
}

/** Sum of two statistics (neither is modified). Associative and commutative up to float64 rounding of sums. */
export function mergeStats(a: CorpusStats, b: CorpusStats): CorpusStats {
  const out: CorpusStats = {
    tiles: a.tiles + b.tiles,
    classPixelCounts: a.classPixelCounts.map((v, k) => v + b.classPixelCounts[k]),
    classTileCounts: a.classTileCounts.map((v, k) => v + b.classTileCounts[k]),
    modalities: {},
  };
  const names = new Set([...Object.keys(a.modalities), ...Object.keys(b.modalities)] as Modality[]);
  for (const m of [...names].sort()) {
    const x = a.modalities[m];
    const y = b.modalities[m];
    if (!x || !y) {
      out.modalities[m] = structuredClone((x ?? y) as ModalityStats);
      continue;
    }
    const diff = sameLayout(x, y);
    if (diff) throw new ShardError(`cannot merge ${m} statistics with different layouts: ${diff}`);
    out.modalities[m] = {
      ...x,
      bands: [...x.bands],
      tiles: x.tiles + y.tiles,
      perBand: x.perBand.map((p, i) => {
        const q = y.perBand[i];
        return {
          count: p.count + q.count,
          sum: p.sum + q.sum,
          sumSq: p.sumSq + q.sumSq,
          min: Math.min(p.min, q.min),
          max: Math.max(p.max, q.max),
          below: p.below + q.below,
          above: p.above + q.above,
          hist: p.hist.map((h, k) => h + q.hist[k]),
        };
      }),
    };
  }
  return out;
}

/** Mean and population std of a band; NaN when it has no valid pixel. */
export function bandMoments(b: BandStats): { mean: number; std: number } {
  if (b.count === 0) return { mean: NaN, std: NaN };
  const mean = b.sum / b.count;
  const variance = Math.max(0, (b.sumSq - (b.sum * b.sum) / b.count) / b.count);
  return { mean, std: Math.sqrt(variance) };
}

/** Per-band normalisation constants of one modality (what the trainer subtracts and divides by), in band order. */
export interface BandNormalisation {
  mean: number[];
  std: number[];
  /** Band names; absent for in-memory tiles that carry none. */
  bands?: string[];
}

/** What training takes from a corpus's statistics: each modality's normalisation and the class pixel
 *  counts (length NBINS), as the trainer's TileSource hands them over. */
export interface CorpusNormalisation {
  modalities: Partial<Record<Modality, BandNormalisation>>;
  classPixelCounts: number[];
}

/** The normalisation constants of one modality; undefined when the corpus has no such modality. */
export function normalisation(stats: CorpusStats, modality: Modality): Required<BandNormalisation> | undefined {
  const ms = stats.modalities[modality];
  if (!ms) return undefined;
  const m = ms.perBand.map(bandMoments);
  return { mean: m.map((x) => x.mean), std: m.map((x) => x.std), bands: [...ms.bands] };
}

/** Pixel share of each WorldCover class (order of WORLDCOVER_CLASSES), for class-frequency-aware centring. */
export function classShares(stats: CorpusStats): number[] {
  const total = stats.classPixelCounts.reduce((a, b) => a + b, 0);
  return stats.classPixelCounts.map((c) => (total ? c / total : 0));
}

// ---- JSON form (stats.json and the `terrafm:stats` file metadata): snake_case, derived mean/std included ----

export interface BandStatsJson {
  band: string;
  count: number;
  sum: number;
  sum_sq: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  below: number;
  above: number;
  hist: number[];
}
export interface StatsJson {
  tiles: number;
  classes: { codes: number[]; pixel_counts: number[]; tile_counts: number[]; shares: number[] };
  modalities: Record<string, { dtype: TensorDType; bands: string[]; tiles: number; histogram: { bins: number; lo: number; hi: number }; per_band: BandStatsJson[] }>;
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function statsToJson(s: CorpusStats): StatsJson {
  const totalPx = s.classPixelCounts.reduce((a, b) => a + b, 0);
  const modalities: StatsJson['modalities'] = {};
  for (const m of Object.keys(s.modalities).sort() as Modality[]) {
    const ms = s.modalities[m]!;
    modalities[m] = {
      dtype: ms.dtype,
      bands: ms.bands,
      tiles: ms.tiles,
      histogram: { bins: ms.bins, lo: ms.lo, hi: ms.hi },
      per_band: ms.perBand.map((b, i) => {
        const { mean, std } = bandMoments(b);
        return { band: ms.bands[i], count: b.count, sum: b.sum, sum_sq: b.sumSq, min: fin(b.min), max: fin(b.max), mean: fin(mean), std: fin(std), below: b.below, above: b.above, hist: b.hist };
      }),
    };
  }
  return {
    tiles: s.tiles,
    classes: {
      codes: [...WORLDCOVER_CLASSES],
      pixel_counts: s.classPixelCounts,
      tile_counts: s.classTileCounts,
      shares: s.classPixelCounts.map((c) => (totalPx ? c / totalPx : 0)),
    },
    modalities,
  };
}

const isNumArray = (v: unknown, len?: number): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number') && (len === undefined || v.length === len);

/** Parses the JSON form back; throws ShardError naming the first field that is missing or malformed. */
export function statsFromJson(j: unknown, where: string): CorpusStats {
  const bad = (what: string): never => {
    throw new ShardError(`${where}: statistics field ${what} is missing or malformed`);
  };
  if (typeof j !== 'object' || j === null) bad('(root)');
  const o = j as Record<string, any>;
  if (typeof o.tiles !== 'number') bad('tiles');
  const n = WORLDCOVER_CLASSES.length;
  if (!isNumArray(o.classes?.pixel_counts, n)) bad('classes.pixel_counts');
  if (!isNumArray(o.classes?.tile_counts, n)) bad('classes.tile_counts');
  const out: CorpusStats = { tiles: o.tiles, classPixelCounts: [...o.classes.pixel_counts], classTileCounts: [...o.classes.tile_counts], modalities: {} };
  for (const [m, v] of Object.entries((o.modalities ?? {}) as Record<string, any>)) {
    const h = v?.histogram;
    if (!Array.isArray(v?.bands) || typeof h?.bins !== 'number' || !Array.isArray(v?.per_band) || v.per_band.length !== v.bands.length) bad(`modalities.${m}`);
    out.modalities[m as Modality] = {
      dtype: v.dtype,
      bands: [...v.bands],
      lo: h.lo,
      hi: h.hi,
      bins: h.bins,
      tiles: v.tiles,
      perBand: v.per_band.map((b: any, i: number) => {
        if (typeof b?.count !== 'number' || typeof b.sum !== 'number' || typeof b.sum_sq !== 'number' || !isNumArray(b.hist, h.bins)) bad(`modalities.${m}.per_band[${i}]`);
        return { count: b.count, sum: b.sum, sumSq: b.sum_sq, min: b.min ?? Infinity, max: b.max ?? -Infinity, below: b.below, above: b.above, hist: [...b.hist] };
      }),
    };
  }
  return out;
}

/**
 * Differences between two statistics, as readable lines. Counts, min, max and histograms must be equal;
 * sums may differ by `relTol` relative (0 = exact, used for a shard's own statistics, which are
 * recomputed in the same order).
 */
export function diffStats(stored: CorpusStats, recomputed: CorpusStats, relTol: number): string[] {
  const out: string[] = [];
  if (stored.tiles !== recomputed.tiles) out.push(`tiles ${stored.tiles} stored vs ${recomputed.tiles} recomputed`);
  for (let k = 0; k < WORLDCOVER_CLASSES.length; k++) {
    if (stored.classPixelCounts[k] !== recomputed.classPixelCounts[k]) out.push(`class ${WORLDCOVER_CLASSES[k]} pixel count ${stored.classPixelCounts[k]} stored vs ${recomputed.classPixelCounts[k]} recomputed`);
    if (stored.classTileCounts[k] !== recomputed.classTileCounts[k]) out.push(`class ${WORLDCOVER_CLASSES[k]} tile count ${stored.classTileCounts[k]} stored vs ${recomputed.classTileCounts[k]} recomputed`);
  }
  const names = new Set([...Object.keys(stored.modalities), ...Object.keys(recomputed.modalities)] as Modality[]);
  const close = (a: number, b: number) => a === b || Math.abs(a - b) <= relTol * Math.max(Math.abs(a), Math.abs(b));
  for (const m of [...names].sort()) {
    const s = stored.modalities[m];
    const r = recomputed.modalities[m];
    if (!s || !r) {
      out.push(`${m} statistics ${s ? 'stored but not in the data' : 'missing but the data has it'}`);
      continue;
    }
    const layout = sameLayout(s, r);
    if (layout) {
      out.push(`${m} layout differs: ${layout}`);
      continue;
    }
    if (s.tiles !== r.tiles) out.push(`${m} tiles ${s.tiles} stored vs ${r.tiles} recomputed`);
    s.perBand.forEach((p, i) => {
      const q = r.perBand[i];
      const band = `${m}.${s.bands[i]}`;
      for (const key of ['count', 'min', 'max', 'below', 'above'] as const) if (p[key] !== q[key]) out.push(`${band} ${key} ${p[key]} stored vs ${q[key]} recomputed`);
      if (!close(p.sum, q.sum)) out.push(`${band} sum ${p.sum} stored vs ${q.sum} recomputed`);
      if (!close(p.sumSq, q.sumSq)) out.push(`${band} sum_sq ${p.sumSq} stored vs ${q.sumSq} recomputed`);
      const bin = p.hist.findIndex((h, k) => h !== q.hist[k]);
      if (bin >= 0) out.push(`${band} histogram bin ${bin}: ${p.hist[bin]} stored vs ${q.hist[bin]} recomputed`);
    });
  }
  return out;
}
