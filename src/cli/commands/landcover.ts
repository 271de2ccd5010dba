import { readFile } from 'node:fs/promises';
import { checkOutputDir } from '../../output-dir.js';
import { gridSection } from '../../config/sections/grid.js';
import { MAJOR_TOM_CORE } from '../../grid/index.js';
import type { SamplingConfig } from '../../config/sections/sampling.js';
import type { StacSource } from '../../discover/stac/types.js';
import type { BBox } from '../../model/types.js';
import { cellsInBBox, readCellsFile } from '../../sample/landcover/cells-input.js';
import { UsageError } from '../../errors.js';
import type { LandcoverCell } from '../../sample/landcover/plan.js';
import { loadSection } from '../../config/load-section.js';
import { landcoverStep } from '../../sample/stage.js';
import { defineCommand, int, num, oneOf, str } from '../command.js';

export interface LandcoverCommandOptions {
  /** Cells: a lon/lat box covered with the grid, or a file of GridCell / CellScenes records. */
  cells: { bbox: BBox; cellSizeKm: number; tileSizePx: number; gridResolutionM: number; limit?: number } | { file: string };
  /** Output directory: landcover.parquet and class-frequencies.json. */
  out: string;
  landcover: SamplingConfig['landcover'];
  /** STAC source for `source: stac` without per-cell hrefs; default Planetary Computer. */
  stac?: StacSource;
}

export async function runLandcoverCommand(opts: LandcoverCommandOptions, out: NodeJS.WritableStream = process.stdout) {
  let cells: LandcoverCell[];
  let perCellHrefs = new Map<string, string[]>();
  if ('bbox' in opts.cells) {
    const c = opts.cells;
    cells = cellsInBBox(c.bbox, { cellSizeKm: c.cellSizeKm, tileSizePx: c.tileSizePx, resolutionM: c.gridResolutionM }, c.limit);
  } else {
    const f = await readCellsFile(opts.cells.file);
    cells = f.cells;
    perCellHrefs = f.hrefs;
  }
  const r = await landcoverStep(cells, opts.landcover, opts.out, { perCellHrefs, links: { stac: opts.stac } });
  const rate = cells.length / Math.max(r.result.elapsedS, 1e-9);
  out.write(
    `landcover: ${cells.length} cells from ${r.source} at ${opts.landcover.resolutionM} m in ${r.result.elapsedS.toFixed(1)} s ` +
      `(${rate.toFixed(1)} cells/s); ${r.result.uncovered} cells had no map\n  wrote ${r.table}\n  wrote ${r.freqFile}\n`,
  );
  return r;
}

function parseBBox(text: string): BBox {
  const v = text.split(',').map(Number);
  if (v.length !== 4 || v.some((x) => !Number.isFinite(x)) || !(v[0] < v[2] && v[1] < v[3]))
    throw new UsageError(`--bbox: "${text}" is not valid; expected minlon,minlat,maxlon,maxlat with min < max`);
  return v as BBox;
}

export const landcoverCommand = defineCommand<LandcoverCommandOptions>({
  name: 'landcover',
  summary: 'Count WorldCover classes per grid cell (read through overviews) into a Parquet table plus global class frequencies.',
  positionals: [],
  options: {
    out: { type: 'string', short: 'o', valueName: '<dir>', description: 'Output directory (required).' },
    bbox: { type: 'string', valueName: '<minlon,minlat,maxlon,maxlat>', description: 'Cover this box with grid cells.' },
    cells: { type: 'string', valueName: '<file>', description: 'Cells instead of --bbox: JSON array / JSON lines of GridCell or CellScenes records.' },
    limit: { type: 'string', valueName: '<n>', description: 'With --bbox: at most this many cells (previews).' },
    'cell-size-km': { type: 'string', valueName: '<km>', description: 'Grid spacing for --bbox; the pipeline\'s grid by default, so cell ids are Major-TOM ids and join with `grid` and `discover`.', default: String(MAJOR_TOM_CORE.cellSizeKm) },
    raster: { type: 'string', valueName: '<path|url>', description: 'One land-cover raster or VRT covering the cells.' },
    href: { type: 'string', multiple: true, valueName: '<path|url>', description: 'A WorldCover tile (repeatable); matched to cells by tile name (N00E006).' },
    'hrefs-file': { type: 'string', valueName: '<file>', description: 'WorldCover tile hrefs, one per line. Without any map option: the landcover scenes of CellScenes records, else a Planetary Computer esa-worldcover search.' },
    pipeline: { type: 'string', valueName: '<pipeline.yaml>', description: 'Read options from its `sampling.landcover` section; flags override it.' },
    resolution: { type: 'string', valueName: '<m>', description: 'Resolution of the count in metres (overviews are used).', default: '80' },
    resampling: { type: 'string', valueName: '<nearest|mode>', description: 'Class-preserving resampling.', default: 'nearest' },
    concurrency: { type: 'string', valueName: '<n>', description: 'Cells read at once.', default: '2' },
  },
  examples: [
    'terrafm landcover --bbox 9.0,47.7,9.1,47.8 --raster data/demo/esa-worldcover/ESA_WorldCover_10m_2021_v200_N45E009/ESA_WorldCover_10m_2021_v200_N45E009_Map.tif --out runs/demo-landcover',
  ],
  parse(values) {
    const outDir = str(values, 'out');
    if (!outDir) throw new UsageError('missing --out <dir>');
    const base = loadSection(str(values, 'pipeline'), 'sampling').landcover;
    const bbox = str(values, 'bbox');
    const file = str(values, 'cells');
    if (!bbox === !file) throw new UsageError('give exactly one of --bbox <minlon,minlat,maxlon,maxlat> or --cells <file>');
    // The pipeline's grid (grid section defaults): same spacing, tile size and resolution, same ids.
    const grid = gridSection.normalise({ cell_size_km: num(values, 'cell-size-km') }, { baseDir: '.' });
    const cells: LandcoverCommandOptions['cells'] = bbox
      ? { bbox: parseBBox(bbox), cellSizeKm: grid.cellSizeKm, tileSizePx: grid.tileSizePx, gridResolutionM: grid.resolutionM, limit: int(values, 'limit', 1) }
      : { file: file! };
    const raster = str(values, 'raster');
    const hrefs = (values.href as string[] | undefined) ?? [];
    const hrefsFile = str(values, 'hrefs-file');
    if ([raster, hrefs.length > 0 || undefined, hrefsFile].filter(Boolean).length > 1)
      throw new UsageError('give at most one of --raster, --href, --hrefs-file');
    let source = base.source;
    if (raster) source = { kind: 'raster', path: raster };
    else if (hrefs.length > 0) source = { kind: 'hrefs', hrefs };
    else if (hrefsFile) source = { kind: 'hrefs', hrefs: [`@${hrefsFile}`] };
    const resolution = num(values, 'resolution');
    if (resolution !== undefined && !(resolution > 0)) throw new UsageError(`--resolution: ${resolution} is not valid; expected metres > 0`);
    return {
      cells,
      out: outDir,
      landcover: {
        resolutionM: resolution ?? base.resolutionM,
        resampling: oneOf(values, 'resampling', ['nearest', 'mode'] as const) ?? base.resampling,
        source,
        concurrency: int(values, 'concurrency', 1, 64) ?? base.concurrency,
      },
    };
  },
  async run(opts, io) {
    const src = opts.landcover.source;
    // An hrefs file is read here, not in parse, so parse stays free of I/O beyond the pipeline file.
    if (src.kind === 'hrefs' && src.hrefs.length === 1 && src.hrefs[0].startsWith('@')) {
      const file = src.hrefs[0].slice(1);
      const lines = (await readFile(file, 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean);
      if (lines.length === 0) throw new UsageError(`--hrefs-file ${file} lists no hrefs`);
      opts = { ...opts, landcover: { ...opts.landcover, source: { kind: 'hrefs', hrefs: lines } } };
    }
    checkOutputDir(opts.out, '--out');
    await runLandcoverCommand(opts, io?.stdout ?? process.stdout);
    return 0;
  },
});
