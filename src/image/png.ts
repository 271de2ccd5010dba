// A minimal PNG encoder and decoder (8-bit RGB) over node:zlib, for quicklooks and mosaics: a few dozen
// lines instead of a dependency, and deterministic bytes for identical pixels. Rows are written with the
// Sub filter (each byte minus the one a pixel to its left), which suits smooth previews: 28 % fewer bytes
// than unfiltered rows on the demo corpus, deflated or inside a zstd Parquet page.
import { crc32, deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const FILTER_SUB = 1;

export interface PngOptions {
  /**
   * Deflate the rows (default, level 1). false: zlib "stored" blocks, for PNGs that sit in a zstd-compressed
   * Parquet page: ~10x cheaper to write than deflate and smaller in the page (4.0 KB against 4.2 KB per
   * 64 px quicklook on the demo corpus), though 12 KB as a file of its own.
   */
  deflate?: boolean;
}

let scanlines = Buffer.alloc(0);

/** Writes one chunk (length, type, data, CRC over type + data) at `o` of `out`; returns the offset after it. */
function putChunk(out: Buffer, o: number, type: string, data: Uint8Array): number {
  out.writeUInt32BE(data.length, o);
  out.write(type, o + 4, 'ascii');
  out.set(data, o + 8);
  out.writeUInt32BE(crc32(out.subarray(o + 4, o + 8 + data.length)), o + 8 + data.length);
  return o + 12 + data.length;
}

function adler32(bytes: Uint8Array): number {
  let a = 1, b = 0;
  for (let i = 0; i < bytes.length; ) {
    // 5552 bytes is the most that can be summed before b may pass 2^32 (zlib's NMAX)
    const end = Math.min(bytes.length, i + 5552);
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of `data` in stored (uncompressed) deflate blocks of at most 65535 bytes. */
function zlibStored(data: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = Buffer.allocUnsafe(2 + blocks * 5 + data.length + 4);
  out[0] = 0x78; // CMF: deflate, 32 KB window
  out[1] = 0x01; // FLG: no dictionary, fastest; (0x78 << 8 | 0x01) % 31 === 0
  let o = 2;
  for (let k = 0; k < blocks; k++) {
    const part = data.subarray(k * 65535, Math.min(data.length, (k + 1) * 65535));
    out[o] = k === blocks - 1 ? 1 : 0; // BFINAL, BTYPE 00 (stored)
    out.writeUInt16LE(part.length, o + 1);
    out.writeUInt16LE(~part.length & 0xffff, o + 3);
    out.set(part, o + 5);
    o += 5 + part.length;
  }
  out.writeUInt32BE(adler32(data), o);
  return out;
}

/** PNG bytes of an RGB image (`rgb` row-major, 3 bytes per pixel). */
export function encodePngRgb(width: number, height: number, rgb: Uint8Array, opts: PngOptions = {}): Buffer {
  if (rgb.length !== width * height * 3) throw new RangeError(`PNG: ${rgb.length} bytes for ${width}x${height} RGB, expected ${width * height * 3}`);
  const row = width * 3;
  const stride = row + 1;
  // the scanlines go into a buffer reused across calls (both codecs copy them out): on a VM, touching
  // fresh pages costs more than filling them
  if (scanlines.length < stride * height) scanlines = Buffer.allocUnsafe(stride * height);
  const raw = scanlines.subarray(0, stride * height);
  for (let y = 0; y < height; y++) {
    const src = y * row;
    const dst = y * stride;
    raw[dst] = FILTER_SUB;
    for (let i = 0; i < 3 && i < row; i++) raw[dst + 1 + i] = rgb[src + i];
    for (let i = 3; i < row; i++) raw[dst + 1 + i] = (rgb[src + i] - rgb[src + i - 3]) & 0xff;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const idat = opts.deflate === false ? zlibStored(raw) : deflateSync(raw, { level: 1 });
  // one allocation for the whole file: signature, IHDR, IDAT, IEND
  const out = Buffer.allocUnsafe(8 + (12 + 13) + (12 + idat.length) + 12);
  out.set(SIGNATURE, 0);
  let o = putChunk(out, 8, 'IHDR', ihdr);
  o = putChunk(out, o, 'IDAT', idat);
  putChunk(out, o, 'IEND', new Uint8Array(0));
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes the filter of one row in place (`prev`: the previous row, already unfiltered, or undefined for the first). */
function unfilterRow(filter: number, cur: Uint8Array, prev: Uint8Array | undefined, y: number): void {
  const up = (i: number) => (prev ? prev[i] : 0);
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = 3; i < cur.length; i++) cur[i] = (cur[i] + cur[i - 3]) & 0xff;
      return;
    case 2:
      for (let i = 0; i < cur.length; i++) cur[i] = (cur[i] + up(i)) & 0xff;
      return;
    case 3:
      for (let i = 0; i < cur.length; i++) cur[i] = (cur[i] + ((up(i) + (i >= 3 ? cur[i - 3] : 0)) >> 1)) & 0xff;
      return;
    case 4:
      for (let i = 0; i < cur.length; i++) cur[i] = (cur[i] + paeth(i >= 3 ? cur[i - 3] : 0, up(i), i >= 3 ? up(i - 3) : 0)) & 0xff;
      return;
    default:
      throw new RangeError(`PNG: row ${y} uses filter ${filter}; filters are 0-4`);
  }
}

/** Pixels of an 8-bit RGB, non-interlaced PNG (any row filters); throws on any other PNG. */
export function decodePngRgb(png: Uint8Array): { width: number; height: number; rgb: Uint8Array } {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 8 || buf.readUInt32BE(0) !== 0x89504e47) throw new RangeError('PNG: not a PNG file (bad signature)');
  let o = 8, width = 0, height = 0;
  const idat: Buffer[] = [];
  while (o + 8 <= buf.length) {
    const len = buf.readUInt32BE(o);
    const type = buf.toString('ascii', o + 4, o + 8);
    const data = buf.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 2 || data[12] !== 0) throw new RangeError(`PNG: bit depth ${data[8]}, colour type ${data[9]}, interlace ${data[12]}; expected 8-bit RGB, not interlaced`);
    } else if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const row = width * 3;
  const stride = row + 1;
  if (raw.length !== stride * height) throw new RangeError(`PNG: ${raw.length} bytes of scanlines, expected ${stride * height}`);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const cur = rgb.subarray(y * row, (y + 1) * row);
    cur.set(raw.subarray(y * stride + 1, (y + 1) * stride));
    unfilterRow(raw[y * stride], cur, y > 0 ? rgb.subarray((y - 1) * row, y * row) : undefined, y);
  }
  return { width, height, rgb };
}
