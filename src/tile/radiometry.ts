// Pixel arithmetic on warped bands: mosaicking, baseline harmonisation, dB, and per-tile statistics.
// Pure functions on typed arrays; nodata is either a value or NaN (float tensors).
import { type TypedPixels } from '../model/types.js';
import { classBin, WORLDCOVER_CLASSES } from '../landcover/worldcover.js';

export function isNodataValue(v: number, nodata: number): boolean {
  return Number.isNaN(nodata) ? Number.isNaN(v) : v === nodata;
}

/** Fills the nodata pixels of `target` from `next` (first valid pixel wins). Returns how many pixels
 *  were filled and how many are still nodata, so callers can stop reading further scenes once full. */
export function fillNodata(target: TypedPixels, next: TypedPixels, nodata: number): { filled: number; remaining: number } {
  if (target.length !== next.length) throw new Error(`fillNodata: ${target.length} vs ${next.length} pixels; expected equal sizes`);
  let filled = 0;
  let remaining = 0;
  const nan = Number.isNaN(nodata);
  for (let i = 0; i < target.length; i++) {
    const t = target[i];
    if (nan ? t === t : t !== nodata) continue;
    const v = next[i];
    if (nan ? v === v : v !== nodata) {
      target[i] = v;
      filled++;
    } else {
      remaining++;
    }
  }
  return { filled, remaining };
}

export function countNodata(a: TypedPixels, nodata: number): number {
  let n = 0;
  if (Number.isNaN(nodata)) {
    for (let i = 0; i < a.length; i++) if (a[i] !== a[i]) n++;
  } else {
    for (let i = 0; i < a.length; i++) if (a[i] === nodata) n++;
  }
  return n;
}

/** Removes the baseline >= 04.00 offset in place: valid DN become max(DN - offset, 1), so a valid pixel
 *  never turns into the nodata value 0 and the nodata mask is unchanged. */
export function harmonizeOffset(a: Uint16Array, offsetDn: number, nodata = 0): void {
  if (offsetDn === 0) return;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v === nodata) continue;
    const h = v - offsetDn;
    a[i] = h < 1 ? 1 : h;
  }
}

/** Linear power to decibels in place; non-positive values (no log) become NaN like nodata. */
export function toDb(a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    a[i] = v > 0 ? 10 * Math.log10(v) : Number.NaN;
  }
}

/** Share of pixels that are nodata in every band of a band-major [bands, h, w] tensor. */
export function nodataFractionAllBands(data: TypedPixels, bands: number, pixels: number, nodata: number): number {
  if (pixels === 0) return 0;
  const nan = Number.isNaN(nodata);
  let n = 0;
  for (let p = 0; p < pixels; p++) {
    let all = true;
    for (let b = 0; b < bands; b++) {
      const v = data[b * pixels + p];
      if (nan ? v === v : v !== nodata) {
        all = false;
        break;
      }
    }
    if (all) n++;
  }
  return n / pixels;
}

/** Cloud share of valid SCL pixels (SCL 0 = no data is not valid); null when no pixel is valid. */
export function cloudFraction(scl: Uint8Array, cloudClasses: readonly number[]): number | null {
  const isCloud = new Uint8Array(256);
  for (const c of cloudClasses) isCloud[c] = 1;
  let valid = 0;
  let cloud = 0;
  for (let i = 0; i < scl.length; i++) {
    const v = scl[i];
    if (v === 0) continue;
    valid++;
    cloud += isCloud[v];
  }
  return valid === 0 ? null : cloud / valid;
}

