// `terrafm quicklook`: the stored quicklooks of a corpus as one contact sheet (per tile, S2 true colour
// beside S1 false colour, in manifest order) plus one PNG per tile and image, for a look without code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShardError } from '../errors.js';
import { decodePngRgb, encodePngRgb } from '../image/png.js';
import { mosaic, type RgbImage } from '../image/quicklook.js';
import { openCorpus, openShard } from '../shard/index.js';
import { readQuicklooks } from '../shard/reader.js';

export interface ContactSheetResult {
  sheet: string;
  tiles: string[];
  files: number;
}

/** Writes `contact-sheet.png`, `contact-sheet.json` (tile ids in sheet order) and `<tile>_{s2,s1}.png` into `outDir`. */
export async function writeContactSheet(corpusDir: string, outDir: string, opts: { limit?: number; columns?: number } = {}): Promise<ContactSheetResult> {
  const { manifest } = openCorpus(corpusDir);
  const limit = opts.limit ?? 64;
  mkdirSync(outDir, { recursive: true });
  const images: RgbImage[] = [];
  const tiles: string[] = [];
  let files = 0;
  let px = 0;
  for (const s of manifest.shards) {
    if (tiles.length >= limit) break;
    const shard = await openShard(join(corpusDir, s.file));
    try {
      for await (const q of readQuicklooks(shard)) {
        if (tiles.length >= limit) break;
        const pair: (RgbImage | undefined)[] = [q.s2, q.s1].map((png) => (png ? decodePngRgb(png) : undefined));
        if (!pair[0] && !pair[1]) continue;
        px ||= (pair[0] ?? pair[1])!.width;
        for (const [k, im] of [['s2', pair[0]], ['s1', pair[1]]] as const) {
          if (!im) continue;
          // deflated again: shards store them in zstd-compressed pages, uncompressed inside the PNG
          writeFileSync(join(outDir, `${q.tileId}_${k}.png`), encodePngRgb(im.width, im.height, im.rgb));
          files++;
        }
        const blank = { width: px, height: px, rgb: new Uint8Array(px * px * 3).fill(255) };
        images.push(pair[0] ?? blank, pair[1] ?? blank);
        tiles.push(q.tileId);
      }
    } finally {
      await shard.close();
    }
  }
  if (!images.length) throw new ShardError(`${corpusDir}: no tile has a stored quicklook (written with shard.quicklooks false?)`);
  const sheet = mosaic(images, 2 * (opts.columns ?? 8));
  const path = join(outDir, 'contact-sheet.png');
  writeFileSync(path, encodePngRgb(sheet.width, sheet.height, sheet.rgb));
  writeFileSync(join(outDir, 'contact-sheet.json'), `${JSON.stringify({ corpus: manifest.tiles, layout: 'rows of (S2 true colour, S1 false colour) pairs, left to right, top to bottom', tiles }, null, 2)}\n`);
  return { sheet: path, tiles, files };
}
