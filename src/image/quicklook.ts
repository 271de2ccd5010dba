// Small previews of a tile for people: Sentinel-2 true colour (B04, B03, B02) and Sentinel-1 false
// colour (R = VV, G = VH, B = VV/VH, in dB), each channel stretched between its 2nd and 98th percentile
// of valid pixels (robust to clouds, glint and speckle), box-averaged down to `size` pixels a side.
import type { ModalityTensor } from '../model/types.js';

export interface RgbImage {
  width: number;
  height: number;
  /** Row-major RGB, 3 bytes per pixel. */
  rgb: Uint8Array;
}

/** Box-averaged channel of `size` x `size` from a [h, w] plane; NaN where no valid pixel fell. */
function shrink(plane: Float64Array, w: number, h: number, size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let oy = 0; oy < size; oy++) {
    const y0 = Math.floor((oy * h) / size), y1 = Math.max(y0 + 1, Math.floor(((oy + 1) * h) / size));
    for (let ox = 0; ox < size; ox++) {
      const x0 = Math.floor((ox * w) / size), x1 = Math.max(x0 + 1, Math.floor(((ox + 1) * w) / size));
      let s = 0, n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
        const v = plane[y * w + x];
        if (!Number.isNaN(v)) { s += v; n++; }
      }
      out[oy * size + ox] = n ? s / n : NaN;
    }
  }
  return out;
}

/** 2nd and 98th percentile of the non-NaN values. */
function robustRange(v: Float64Array): [number, number] {
  const valid = Array.from(v).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!valid.length) return [0, 1];
  const lo = valid[Math.floor(0.02 * (valid.length - 1))];
  const hi = valid[Math.ceil(0.98 * (valid.length - 1))];
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

function compose(channels: Float64Array[], size: number): RgbImage {
  const rgb = new Uint8Array(size * size * 3);
  channels.forEach((c, k) => {
    const [lo, hi] = robustRange(c);
    for (let i = 0; i < c.length; i++) rgb[i * 3 + k] = Number.isNaN(c[i]) ? 0 : Math.round(255 * Math.min(1, Math.max(0, (c[i] - lo) / (hi - lo))));
  });
  return { width: size, height: size, rgb };
}

/** Band `name` of a tensor as float64 with nodata (and NaN) as NaN. */
function plane(t: ModalityTensor, name: string, map: (x: number) => number = (x) => x): Float64Array | undefined {
  const b = t.bands.indexOf(name);
  if (b < 0) return undefined;
  const [, h, w] = t.shape;
  const out = new Float64Array(h * w);
  const nodataNaN = Number.isNaN(t.nodata);
  for (let i = 0; i < h * w; i++) {
    const v = t.data[b * h * w + i];
    out[i] = Number.isNaN(v) || (!nodataNaN && v === t.nodata) ? NaN : map(v);
  }
  return out;
}

/** True-colour preview of a Sentinel-2 tensor (needs B04, B03, B02), or undefined without those bands. */
export function s2Quicklook(t: ModalityTensor, size: number): RgbImage | undefined {
  const [, h, w] = t.shape;
  const planes = ['B04', 'B03', 'B02'].map((b) => plane(t, b));
  if (planes.some((p) => !p)) return undefined;
  return compose(planes.map((p) => shrink(p!, w, h, size)), size);
}

const dB = (x: number) => (x > 0 ? 10 * Math.log10(x) : NaN);

/**
 * False-colour preview of a Sentinel-1 tensor (needs VV and VH). `linear`: the values are backscatter
 * power (converted to dB here); otherwise they are dB already (tile.s1_db).
 */
export function s1Quicklook(t: ModalityTensor, size: number, linear: boolean): RgbImage | undefined {
  const [, h, w] = t.shape;
  const vv = plane(t, 'VV', linear ? dB : undefined);
  const vh = plane(t, 'VH', linear ? dB : undefined);
  if (!vv || !vh) return undefined;
  const ratio = new Float64Array(vv.length);
  for (let i = 0; i < vv.length; i++) ratio[i] = vv[i] - vh[i];
  return compose([vv, vh, ratio].map((p) => shrink(p, w, h, size)), size);
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

/** Whether S1 values are linear power (median valid VV above 0) rather than dB (mostly negative). */
export function s1LooksLinear(t: ModalityTensor): boolean {
  const vv = plane(t, 'VV');
  if (!vv) return true;
  const valid = Array.from(vv).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return valid.length === 0 || valid[valid.length >> 1] > 0;
}

/** The quicklooks a shard stores for a tile: S2 true colour (L2A, else L1C) and S1 false colour, RGB images. */
export function tileQuicklooks(modalities: { s2_l2a?: ModalityTensor; s2_l1c?: ModalityTensor; s1?: ModalityTensor }, size: number): { s2?: RgbImage; s1?: RgbImage } {
  const s2src = modalities.s2_l2a ?? modalities.s2_l1c;
  const s2 = s2src ? s2Quicklook(s2src, size) : undefined;
  const s1 = modalities.s1 ? s1Quicklook(modalities.s1, size, s1LooksLinear(modalities.s1)) : undefined;
  return { ...(s2 ? { s2 } : {}), ...(s1 ? { s1 } : {}) };
}
