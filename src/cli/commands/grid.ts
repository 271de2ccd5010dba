// `terrafm grid`: prints or writes the Major-TOM grid cells of an area (with each cell's UTM zone
// and pixel-snapped target extent). The grid itself is in src/grid/.
import { bboxIssues } from '../../config/sections/area.js';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { UsageError } from '../../errors.js';
import type { BBox } from '../../model/types.js';
import { CELL_FORMATS, cellWriter, type CellFormat } from '../../grid/format.js';
import { Grid, MAJOR_TOM_CORE, countCells, coverArea, type Area } from '../../grid/index.js';
import { defineCommand, int, num, oneOf, str, type CommandIO } from '../command.js';

export interface GridCommandOptions {
  /** Area: bboxes [w, s, e, n] (west > east crosses the antimeridian), or the whole globe. */
  area: Area;
  cellSizeKm: number;
  tileSizePx: number;
  resolutionM: number;
  format: CellFormat;
  /** Output file; stdout when absent. */
  out?: string;
  /** At most this many cells. */
  limit?: number;
  /** Only print the number of cells. */
  count: boolean;
}

function parseBbox(text: string): BBox {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || !parts.every(Number.isFinite)) {
    throw new UsageError(`--bbox: "${text}" is not valid; expected west,south,east,north in degrees, e.g. 7,45,8,46`);
  }
  return parts as BBox;
}

async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

export const gridCommand = defineCommand<GridCommandOptions>({
  name: 'grid',
  summary: 'Print or write the Major-TOM grid cells of an area, with UTM zone and pixel-snapped extent.',
  positionals: [],
  options: {
    bbox: { type: 'string', valueName: '<w,s,e,n>', multiple: true, description: 'Area in degrees (negative west/south as written: --bbox -111.7,40.5,-111.6,40.6); repeat for several boxes.' },
    antimeridian: { type: 'boolean', description: 'Boxes with west > east cross the antimeridian (without it, west > east is an error).' },
    global: { type: 'boolean', description: 'The whole globe (rows -85..85, as Major-TOM).' },
    'cell-size-km': { type: 'string', valueName: '<km>', default: String(MAJOR_TOM_CORE.cellSizeKm), description: `Grid spacing in km (Major-TOM Core: ${MAJOR_TOM_CORE.cellSizeKm}).` },
    'tile-size-px': { type: 'string', valueName: '<px>', default: String(MAJOR_TOM_CORE.tileSizePx), description: 'Tile side in pixels.' },
    'resolution-m': { type: 'string', valueName: '<m>', default: String(MAJOR_TOM_CORE.resolutionM), description: 'Pixel size in metres.' },
    format: { type: 'string', valueName: '<csv|geojson|json>', default: 'csv', description: 'Output format.' },
    out: { type: 'string', short: 'o', valueName: '<file>', description: 'Write here instead of stdout.' },
    limit: { type: 'string', valueName: '<n>', description: 'At most n cells.' },
    count: { type: 'boolean', description: 'Only print the number of cells of the area.' },
  },
  examples: ['terrafm grid --bbox 7,45,8,46 --format geojson --out runs/alps.geojson', 'terrafm grid --bbox -111.7,40.5,-111.6,40.6 --count', 'terrafm grid --bbox 179.5,-17,-179.5,-16 --antimeridian --count', 'terrafm grid --global --count'],
  parse(values) {
    const boxes = values.bbox === undefined ? [] : (Array.isArray(values.bbox) ? values.bbox : [String(values.bbox)]).map(parseBbox);
    const global = values.global === true;
    if (global === boxes.length > 0) throw new UsageError('give either --bbox (one or more) or --global');
    for (const b of boxes) {
      const [issue] = bboxIssues(b, '--bbox', values.antimeridian === true);
      if (issue) throw new UsageError(`--bbox ${b.join(',')}: ${issue.message.replace('antimeridian: true (--antimeridian on the command line)', '--antimeridian')}`);
    }
    return {
      area: global ? { kind: 'global' } : { kind: 'bbox', bboxes: boxes },
      cellSizeKm: num(values, 'cell-size-km') ?? MAJOR_TOM_CORE.cellSizeKm,
      tileSizePx: int(values, 'tile-size-px', 1) ?? MAJOR_TOM_CORE.tileSizePx,
      resolutionM: num(values, 'resolution-m') ?? MAJOR_TOM_CORE.resolutionM,
      format: oneOf(values, 'format', CELL_FORMATS) ?? 'csv',
      out: str(values, 'out'),
      limit: int(values, 'limit', 1),
      count: values.count === true,
    };
  },
  async run(opts, io?: CommandIO) {
    const grid = new Grid({ cellSizeKm: opts.cellSizeKm, tileSizePx: opts.tileSizePx, resolutionM: opts.resolutionM });
    const stdout = io?.stdout ?? process.stdout;
    if (opts.count) {
      await write(stdout, `${countCells(grid, opts.area)}\n`);
      return 0;
    }
    const stream = opts.out ? createWriteStream(opts.out) : stdout;
    const w = cellWriter(opts.format, grid);
    await write(stream, w.header);
    let first = true;
    for (const batch of coverArea(grid, opts.area, { limit: opts.limit })) {
      let chunk = '';
      for (const c of batch) {
        chunk += w.cell(c, first);
        first = false;
      }
      await write(stream, chunk);
    }
    await write(stream, w.footer);
    if (opts.out) {
      (stream as NodeJS.WritableStream & { end(): void }).end();
      await once(stream, 'finish');
    }
    return 0;
  },
});
