// `terrafm tile`: runs the tile stage on its own over discovery's scenes table, printing the summary
// and failures table and, with --cog, writing inspectable COGs per tile. The work is in src/tile/.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, StageError, UsageError } from '../../errors.js';
import { loadPipelineFile } from '../../config/load.js';
import { loadSection } from '../../config/load-section.js';
import { parseJsonRecords } from '../../json-records.js';
import type { TileConfig } from '../../config/sections/tile.js';
import { readScenesTable } from '../../discover/scenes-table.js';
import { planTiles, type PlanAccess, type TileSourceInput } from '../../tile/plan.js';
import { assetAccessFor, assetPatcherFor } from '../../net/link-access.js';
import type { HrefSigner } from '../../net/links.js';
import { tileAll, type TileRunSummary } from '../../tile/run-tiles.js';
import { writeTileCogs } from '../../tile/cog.js';
import { failuresJsonLines, formatFailuresTable } from '../../tile/failures-table.js';
import { defineCommand, int, str, type CommandIO } from '../command.js';

export interface TileCommandOptions {
  /** scenes.parquet from `terrafm discover`, or a JSON array / JSON lines of CellScenes. */
  scenes: string;
  /** Pipeline YAML whose `tile:` section configures the stage; default: all tile defaults. */
  pipeline?: string;
  /** Directory for COGs (`<dir>/<tileId>/<modality>.tif`); none written when absent. */
  cog?: string;
  /** Only these cell ids. */
  cells?: string[];
  /** Overrides tile.concurrency. */
  concurrency?: number;
  /** Write the failures table here as JSON lines. */
  failures?: string;
  failFast: boolean;
}

/** Reads the tile stage's input: Parquet scenes table, JSON array or JSON lines. */
export async function readTileInputs(file: string): Promise<TileSourceInput[]> {
  if (file.endsWith('.parquet')) return readScenesTable(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new StageError('tile', `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); expected the scenes table from \`terrafm discover\``, e);
  }
  try {
    const rows = parseJsonRecords(text);
    for (const [i, r] of rows.entries()) {
      const o = r as Partial<TileSourceInput>;
      if (!o || typeof o !== 'object' || !o.cell || typeof o.cell.id !== 'string' || typeof o.scenes !== 'object') {
        throw new Error(`row ${i + 1} has no cell.id and scenes`);
      }
    }
    return rows as TileSourceInput[];
  } catch (e) {
    throw new StageError('tile', `${file}: ${(e as Error).message}; expected a JSON array or JSON lines of {cell, scenes} (CellScenes)`, e);
  }
}

/** Tile settings and, with a pipeline, its sources' asset access policy (without one: not checked)
 *  and href patcher (without one: anonymous Planetary Computer signing of PC blobs). */
function tileConfigOf(pipeline: string | undefined): { config: TileConfig; access?: PlanAccess; sign: HrefSigner } {
  if (!pipeline) return { config: loadSection(undefined, 'tile'), sign: assetPatcherFor(undefined) };
  const cfg = loadPipelineFile(pipeline);
  return { config: cfg.tile, access: assetAccessFor(cfg.sources), sign: assetPatcherFor(cfg.sources) };
}

export async function runTileCommand(opts: TileCommandOptions, io?: CommandIO): Promise<TileRunSummary & { cogFiles: number }> {
  const out = io?.stdout ?? process.stdout;
  const { config, access, sign } = tileConfigOf(opts.pipeline);
  let inputs = await readTileInputs(opts.scenes);
  if (opts.cells) {
    const want = new Set(opts.cells);
    inputs = inputs.filter((i) => want.has(i.cell.id));
    const missing = [...want].filter((id) => !inputs.some((i) => i.cell.id === id));
    if (missing.length) throw new UsageError(`--cells: ${missing.join(', ')} not in ${opts.scenes}`);
  }
  const plan = planTiles(inputs, config, { baseDir: path.dirname(path.resolve(opts.scenes)), access });
  let cogFiles = 0;
  const t0 = performance.now();
  const summary = await tileAll(plan, { config, sign, concurrency: opts.concurrency, failFast: opts.failFast }, async (rec) => {
    if (opts.cog) cogFiles += (await writeTileCogs(rec, opts.cog)).length;
  });
  const s = (performance.now() - t0) / 1000;
  out.write(`tile: ${plan.tiles.length} tiles planned, ${summary.ok} ok, ${summary.failed} failed, ${summary.skipped} skipped in ${s.toFixed(1)} s\n`);
  if (opts.cog) out.write(`  wrote ${cogFiles} COGs under ${path.resolve(opts.cog)}\n`);
  if (summary.failures.length) out.write(formatFailuresTable(summary.failures));
  if (opts.failures) await writeFile(opts.failures, failuresJsonLines(summary.failures));
  return { ...summary, cogFiles };
}

export const tileCommand = defineCommand<TileCommandOptions>({
  name: 'tile',
  summary: 'Warp every modality and the land-cover map of each cell onto its target grid; report failures; optionally write COGs.',
  positionals: [],
  options: {
    scenes: { type: 'string', valueName: '<scenes.parquet|.json|.jsonl>', description: 'Cells and their chosen scenes, from `terrafm discover` (required).' },
    pipeline: { type: 'string', valueName: '<pipeline.yaml>', description: 'Read options from its `tile:` section (default: tile defaults).' },
    cog: { type: 'string', valueName: '<dir>', description: 'Write inspectable COGs: <dir>/<tile>/<modality>.tif and landcover.tif.' },
    cells: { type: 'string', valueName: '<id,id,...>', description: 'Only these cell ids.' },
    concurrency: { type: 'string', valueName: '<n>', description: 'Concurrent warps (overrides tile.concurrency).' },
    failures: { type: 'string', valueName: '<file.jsonl>', description: 'Also write the failures table as JSON lines.' },
    'fail-fast': { type: 'boolean', description: 'Stop at the first failed tile instead of recording it and going on.' },
  },
  examples: ['terrafm tile --scenes runs/demo/scenes.parquet --pipeline pipelines/demo.yaml --cog runs/demo-cogs'],
  parse: (values) => {
    const scenes = str(values, 'scenes');
    if (!scenes) throw new UsageError('missing --scenes <scenes.parquet>');
    return {
      scenes,
      pipeline: str(values, 'pipeline'),
      cog: str(values, 'cog'),
      cells: str(values, 'cells')?.split(',').map((c) => c.trim()).filter(Boolean),
      concurrency: int(values, 'concurrency', 1, 64),
      failures: str(values, 'failures'),
      failFast: values['fail-fast'] === true,
    };
  },
  async run(opts, io) {
    const r = await runTileCommand(opts, io);
    return r.failed > 0 ? ExitCode.partial : ExitCode.ok;
  },
});
