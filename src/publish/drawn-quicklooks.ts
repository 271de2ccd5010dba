// The sampling report's look at what was drawn: the stored quicklooks of the drawn cells' tiles, one row
// per dominant WorldCover class. The sample is drawn before any tile is cut, so the sample stage cannot
// show them; the publish stage writes them into the sampling report's folder (sample/quicklooks.png and
// quicklooks.json) once the shards exist. The images are the shards' own PNG columns, not re-rendered.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORLDCOVER_NAMES } from '../landcover/worldcover.js';
import { decodePngRgb } from '../image/png.js';
import { openShard, readQuicklooks, type TileMetadata } from '../shard/reader.js';
import { escapeXml, svgToPng } from '../svg-to-png.js';
import { dominantClass } from './dominant-class.js';

export const DRAWN_QUICKLOOKS_PNG = 'quicklooks.png';
export const DRAWN_QUICKLOOKS_JSON = 'quicklooks.json';
export const TILES_PER_CLASS = 4;

export interface DrawnClassRow {
  /** WorldCover code of the tiles' dominant class (0: no valid land-cover pixel). */
  code: number;
  name: string;
  /** Tiles of drawn cells with this dominant class in the corpus. */
  tiles: number;
  /** The first of them in manifest order, as shown. */
  shown: string[];
}

/** Fed every tile of the corpus in manifest order; keeps, per dominant class, the first tiles of drawn cells. */
export class DrawnTileSelection {
  private readonly rows = new Map<number, DrawnClassRow>();
  private readonly shardOf = new Map<string, string>();
  constructor(
    private readonly drawnCells: ReadonlySet<string>,
    private readonly perClass = TILES_PER_CLASS,
  ) {}

  add(t: TileMetadata): void {
    if (!this.drawnCells.has(t.cellId)) return;
    const { code } = dominantClass(t.classHistogram);
    let row = this.rows.get(code);
    if (!row) this.rows.set(code, (row = { code, name: WORLDCOVER_NAMES[code], tiles: 0, shown: [] }));
    row.tiles++;
    if (row.shown.length < this.perClass) {
      row.shown.push(t.tileId);
      this.shardOf.set(t.tileId, t.shard);
    }
  }

  /** Rows by class code, tiles without valid land cover last. */
  classRows(): DrawnClassRow[] {
    return [...this.rows.values()].sort((a, b) => (a.code || 1000) - (b.code || 1000));
  }

  /** Shard file -> tile ids shown from it. */
  shownByShard(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const [tile, shard] of this.shardOf) {
      if (!out.has(shard)) out.set(shard, new Set());
      out.get(shard)!.add(tile);
    }
    return out;
  }
}

export interface StoredQuicklooks {
  s2: Uint8Array | null;
  s1: Uint8Array | null;
}

const LABEL_W = 190;
const TITLE_H = 44;
const GAP = 4;
const PAIR_GAP = 12;

/** The picture: a title, then per class a label and the S2 | S1 pairs of the tiles shown (PNG bytes embedded as they are). */
export function drawnQuicklooksSvg(rows: DrawnClassRow[], images: ReadonlyMap<string, StoredQuicklooks>, px: number): string {
  const perRow = Math.max(1, ...rows.map((r) => r.shown.length));
  const width = LABEL_W + perRow * (2 * px + GAP + PAIR_GAP);
  const rowH = px + 2 * GAP;
  const height = TITLE_H + rows.length * rowH + GAP;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">Drawn cells by dominant WorldCover class</text>`,
    `<text x="8" y="36" fill="#444">stored quicklooks, first ${perRow} tiles per class: S2 true colour | S1 false colour (grey: modality absent)</text>`,
  ];
  rows.forEach((r, k) => {
    const y = TITLE_H + k * rowH + GAP;
    out.push(`<text x="8" y="${y + px / 2 - 2}" font-weight="bold">${escapeXml(`${r.code} ${r.name}`)}</text>`);
    out.push(`<text x="8" y="${y + px / 2 + 14}" fill="#444">${r.tiles} tile${r.tiles === 1 ? '' : 's'} drawn</text>`);
    r.shown.forEach((tile, j) => {
      const x = LABEL_W + j * (2 * px + GAP + PAIR_GAP);
      const q = images.get(tile);
      [q?.s2, q?.s1].forEach((png, m) => {
        const ix = x + m * (px + GAP);
        out.push(png
          ? `<image x="${ix}" y="${y}" width="${px}" height="${px}" href="data:image/png;base64,${Buffer.from(png).toString('base64')}"><title>${escapeXml(tile)}</title></image>`
          : `<rect x="${ix}" y="${y}" width="${px}" height="${px}" fill="#dddddd"/>`);
      });
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

export interface DrawnQuicklooksResult {
  png: string;
  json: string;
  rows: DrawnClassRow[];
}

/**
 * Reads the shown tiles' stored quicklooks and writes the picture and its index into `outDir` (the
 * sampling report's folder). Undefined, and nothing written, when no drawn tile has a stored quicklook
 * (schema v1 shards, or `shard.quicklooks: false`).
 */
export async function writeDrawnQuicklooks(corpusDir: string, selection: DrawnTileSelection, outDir: string): Promise<DrawnQuicklooksResult | undefined> {
  const rows = selection.classRows();
  const images = new Map<string, StoredQuicklooks>();
  for (const [file, tiles] of selection.shownByShard()) {
    const shard = await openShard(join(corpusDir, file));
    try {
      if (shard.schemaVersion < 2) continue;
      for await (const q of readQuicklooks(shard)) if (tiles.has(q.tileId) && (q.s2 || q.s1)) images.set(q.tileId, { s2: q.s2, s1: q.s1 });
    } finally {
      await shard.close();
    }
  }
  const first = images.values().next().value;
  if (!first) return undefined;
  const px = decodePngRgb((first.s2 ?? first.s1)!).width;
  const png = join(outDir, DRAWN_QUICKLOOKS_PNG);
  const json = join(outDir, DRAWN_QUICKLOOKS_JSON);
  writeFileSync(png, svgToPng(drawnQuicklooksSvg(rows, images, px)));
  const index = {
    description: 'Stored quicklooks of the tiles of drawn cells, a row per dominant WorldCover class; per tile an S2 true-colour and an S1 false-colour image',
    classes: rows.map((r) => ({ code: r.code, name: r.name, tiles_drawn: r.tiles, shown: r.shown.map((t) => ({ tile_id: t, s2: images.get(t)?.s2 != null, s1: images.get(t)?.s1 != null })) })),
  };
  writeFileSync(json, `${JSON.stringify(index, null, 2)}\n`);
  return { png, json, rows };
}
