// Small previews of a tile for people: Sentinel-2 true colour (B04, B03, B02) and Sentinel-1 false
// colour (R = VV, G = VH, B = VV/VH, in dB), box-averaged (on a regular sample of each box) down to
// `size` pixels a side, then each channel
// stretched between its 2nd and 98th percentile (robust to clouds, glint and speckle).
import type { ModalityTensor } from '../model/types.js';
import { encodePngRgb } from './png.js';

export interface RgbImage {
  width: number;
  height: number;
  /** Row-major RGB, 3 bytes per pixel. */
  rgb: Uint8Array;
}

/**
 * Working memory reused from one preview to the next. The shard writer renders two previews per tile, and
 * on a VM the first touch of freshly allocated pages costs more than the arithmetic (three new 32 KB
 * planes took ~170 µs here, the sampling itself ~35 µs). Nothing handed out of this module points into it.
 */
const scratch = {
  f64: [] as Float64Array[],
  i32: [] as Int32Array[],
  rgb: new Uint8Array(0),
};

function f64(slot: number, n: number): Float64Array {
  if (!(scratch.f64[slot]?.length >= n)) scratch.f64[slot] = new Float64Array(n);
  return scratch.f64[slot].subarray(0, n);
}

function i32(slot: number, n: number): Int32Array {
  if (!(scratch.i32[slot]?.length >= n)) scratch.i32[slot] = new Int32Array(n);
  return scratch.i32[slot].subarray(0, n).fill(0);
}

/**
 * Band `name` of a tensor box-averaged down to `size` x `size` (nodata and NaN left out of each box; NaN
 * where a box has no valid pixel), straight from the tensor so no full-size copy is made, into scratch
 * plane `slot`.
 */
function shrinkBand(t: ModalityTensor, name: string, size: number, slot: number): Float64Array | undefined {
  const b = t.bands.indexOf(name);
  if (b < 0) return undefined;
  const [, h, w] = t.shape;
  const data = t.data;
  const base = b * h * w;
  const nodata = t.nodata;
  const sum = f64(slot, size * size).fill(0);
  const cnt = i32(0, size * size);
  // every `step`-th pixel of each row and column: a 2 x 2 to 3 x 3 sample of each box is enough for a
  // preview, and keeps the cost at a few size x size reads per band whatever the tile size
  const step = Math.max(1, Math.floor(Math.min(h, w) / size / 2));
  const col = i32(1, w);
  for (let x = 0; x < w; x++) col[x] = Math.min(size - 1, Math.floor((x * size) / w));
  for (let y = 0; y < h; y += step) {
    const row = Math.min(size - 1, Math.floor((y * size) / h)) * size;
    const off = base + y * w;
    for (let x = 0; x < w; x += step) {
      const v = data[off + x];
      if (v !== v || v === nodata) continue; // NaN or nodata
      sum[row + col[x]] += v;
      cnt[row + col[x]]++;
    }
  }
  // tiles smaller than the preview: boxes without a source pixel copy their nearest one
  for (let oy = 0; oy < size; oy++) for (let ox = 0; ox < size; ox++) {
    const k = oy * size + ox;
    if (cnt[k] === 0 && (h < size || w < size)) {
      const v = data[base + Math.floor((oy * h) / size) * w + Math.floor((ox * w) / size)];
      if (v === v && v !== nodata) { sum[k] = v; cnt[k] = 1; }
    }
    sum[k] = cnt[k] ? sum[k] / cnt[k] : NaN;
  }
  return sum;
}

/** The k-th smallest of a[lo..hi] (Hoare quickselect, in place): percentiles without a full sort. */
function select(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++; j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

/** The non-NaN values of every `stride`-th element of v, in scratch (valid until the next call). */
function validValues(v: Float64Array, stride = 1): Float64Array {
  const out = f64(PLANES, Math.ceil(v.length / stride));
  let n = 0;
  for (let i = 0; i < v.length; i += stride) if (v[i] === v[i]) out[n++] = v[i];
  return out.subarray(0, n);
}

/** 2nd and 98th percentile of the non-NaN values (estimated from a quarter of them: plenty for a stretch). */
function robustRange(v: Float64Array): [number, number] {
  const valid = validValues(v, v.length >= 1024 ? 4 : 1);
  if (!valid.length) return [0, 1];
  const lo = select(valid, Math.floor(0.02 * (valid.length - 1)));
  const hi = select(valid, Math.ceil(0.98 * (valid.length - 1)));
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** The channels stretched into the scratch RGB buffer (valid until the next call). */
function compose(channels: Float64Array[], size: number): RgbImage {
  if (scratch.rgb.length < size * size * 3) scratch.rgb = new Uint8Array(size * size * 3);
  const rgb = scratch.rgb.subarray(0, size * size * 3);
  for (let k = 0; k < channels.length; k++) {
    const c = channels[k];
    const [lo, hi] = robustRange(c);
    const scale = 255 / (hi - lo);
    for (let i = 0; i < c.length; i++) {
      const v = (c[i] - lo) * scale; // NaN stays NaN and becomes 0 below
      rgb[i * 3 + k] = v > 255 ? 255 : v > 0 ? (v + 0.5) | 0 : 0;
    }
  }
  return { width: size, height: size, rgb };
}

/** Scratch planes 0-2 hold a preview's three channels; validValues uses the next one. */
const PLANES = 3;

function renderS2(t: ModalityTensor, size: number): RgbImage | undefined {
  const planes: Float64Array[] = [];
  for (const [slot, band] of ['B04', 'B03', 'B02'].entries()) {
    const p = shrinkBand(t, band, size, slot);
    if (!p) return undefined;
    planes.push(p);
  }
  return compose(planes, size);
}

const dB = (x: number) => (x > 0 ? 10 * Math.log10(x) : NaN);

function renderS1(t: ModalityTensor, size: number, linear: boolean): RgbImage | undefined {
  const vv = shrinkBand(t, 'VV', size, 0);
  const vh = shrinkBand(t, 'VH', size, 1);
  if (!vv || !vh) return undefined;
  if (linear) for (const p of [vv, vh]) for (let i = 0; i < p.length; i++) p[i] = dB(p[i]);
  const ratio = f64(2, vv.length);
  for (let i = 0; i < vv.length; i++) ratio[i] = vv[i] - vh[i];
  return compose([vv, vh, ratio], size);
}

const own = (im: RgbImage | undefined): RgbImage | undefined => im && { ...im, rgb: im.rgb.slice() };

/** True-colour preview of a Sentinel-2 tensor (needs B04, B03, B02), or undefined without those bands. */
export function s2Quicklook(t: ModalityTensor, size: number): RgbImage | undefined {
  return own(renderS2(t, size));
}

/**
 * False-colour preview of a Sentinel-1 tensor (needs VV and VH). `linear`: the values are backscatter
 * power, averaged in power (multilooking) and then converted to dB; otherwise they are dB already.
 */
export function s1Quicklook(t: ModalityTensor, size: number, linear: boolean): RgbImage | undefined {
  return own(renderS1(t, size, linear));
}

/** Images side by side in a grid of `columns`, `gap` pixels of white between them. */
export function mosaic(images: RgbImage[], columns: number, gap = 2): RgbImage {
  const cw = Math.max(...images.map((i) => i.width));
  const ch = Math.max(...images.map((i) => i.height));
  const cols = Math.min(columns, images.length);
  const rows = Math.ceil(images.length / cols);
  const width = cols * cw + (cols + 1) * gap;
  const height = rows * ch + (rows + 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  images.forEach((im, k) => {
    const ox = gap + (k % cols) * (cw + gap);
    const oy = gap + Math.floor(k / cols) * (ch + gap);
    for (let y = 0; y < im.height; y++) rgb.set(im.rgb.subarray(y * im.width * 3, (y + 1) * im.width * 3), ((oy + y) * width + ox) * 3);
  });
  return { width, height, rgb };
}

/** Whether S1 values are linear power (median of the box-averaged VV above 0) rather than dB (mostly negative). */
export function s1LooksLinear(t: ModalityTensor, size = 16): boolean {
  const vv = shrinkBand(t, 'VV', size, 0);
  if (!vv) return true;
  const valid = validValues(vv);
  return valid.length === 0 || select(valid, valid.length >> 1) > 0;
}

type TileModalities = { s2_l2a?: ModalityTensor; s2_l1c?: ModalityTensor; s1?: ModalityTensor };

/** Each quicklook a shard stores for a tile, passed to `use` while it lies in scratch: S2 true colour (L2A, else L1C) and S1 false colour. */
function renderTile<T>(modalities: TileModalities, size: number, use: (im: RgbImage) => T): { s2?: T; s1?: T } {
  const out: { s2?: T; s1?: T } = {};
  const s2src = modalities.s2_l2a ?? modalities.s2_l1c;
  const s2 = s2src && renderS2(s2src, size);
  if (s2) out.s2 = use(s2);
  const s1 = modalities.s1 && renderS1(modalities.s1, size, s1LooksLinear(modalities.s1));
  if (s1) out.s1 = use(s1);
  return out;
}

/** The quicklooks a shard stores for a tile as RGB images. */
export function tileQuicklooks(modalities: TileModalities, size: number): { s2?: RgbImage; s1?: RgbImage } {
  return renderTile(modalities, size, (im) => own(im)!);
}

/** The quicklooks a shard stores for a tile as PNG bytes (rendered and encoded without keeping the RGB). */
export function tileQuicklookPngs(modalities: TileModalities, size: number): { s2?: Buffer; s1?: Buffer } {
  return renderTile(modalities, size, (im) => encodePngRgb(im.width, im.height, im.rgb, { deflate: false }));
}
