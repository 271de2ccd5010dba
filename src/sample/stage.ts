// The Sample stage's two steps as functions over plain inputs and output folders, shared by the CLI
// commands (`terrafm landcover`, `terrafm sample`), and the stage over a run directory that
// `terrafm run` calls through adapter.ts.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { SamplingConfig } from '../config/sections/sampling.js';
import type { SourcesConfig } from '../config/sections/sources.js';
import { stacOptionsFor } from '../discover/stac/from-config.js';
import { readScenesTable } from '../discover/scenes-table.js';
import { openStacSource } from '../discover/stac/index.js';
import type { StacSource } from '../discover/stac/types.js';
import { StageError } from '../errors.js';
import { filtersFromConfig, policySpec, targetByBin } from './config-specs.js';
import { gdalLandcoverReader } from './landcover/gdal-reader.js';
import { runLandcoverPass, type LandcoverPassResult } from './landcover/pass.js';
import { extentLonLatBBox } from '../grid/index.js';
import type { LandcoverCell } from './landcover/plan.js';
import type { AssetAccess } from '../net/access-policy.js';
import { assetAccessFor, assetPatcherFor } from '../net/link-access.js';
import type { HrefSigner } from '../net/links.js';
import { perCellHrefSource, rasterFileSource, tileHrefSource, type LandcoverSource } from './landcover/sources.js';
import { stacWorldCoverHrefs, unionBBox } from './landcover/stac-tiles.js';
import { classFrequencies, writeClassFrequencies, writeLandcoverTable, type ClassFrequencies } from './landcover/table.js';
import { writeSampleRun, type WrittenFiles } from './outputs.js';
import type { PolicyName } from './policies/types.js';
import type { CellPopulation } from './population.js';
import { runSampling, type SampleRun } from './run-sampling.js';
import { CLASS_FREQUENCIES, LANDCOVER_DIR, LANDCOVER_TABLE, SAMPLE_DIR, SAMPLE_TABLE, SCENES_TABLE } from '../pipeline/layout.js';
import { cellsFromRecords } from './landcover/cells-input.js';
import { joinPassedCells, passedCellsFromRecords } from './passed-cells.js';

/**
 * How the land-cover pass reaches its maps: the catalog an esa-worldcover search goes to (with its
 * credentials), the href patcher every read goes through (link-access.ts: PC blobs are signed) and
 * the access policy for hrefs that items named.
 */
export interface LandcoverLinks {
  /** Catalog searched when no map is configured and discovery chose none; default anonymous PC. */
  stac?: StacSource;
  /** Collection of that search; default `esa-worldcover`. */
  collection?: string;
  /** Default: the patcher of no pipeline (anonymous PC signing of PC blobs). */
  sign?: HrefSigner;
  access?: AssetAccess;
}

/** The land-cover links of a pipeline's sources: its `landcover` catalog, its patcher and policy. */
export function landcoverLinks(sources: SourcesConfig): LandcoverLinks {
  const lc = sources.landcover;
  return {
    ...(lc && lc.provider !== 'file' ? { stac: openStacSource(stacOptionsFor(lc)), collection: lc.collection } : {}),
    sign: assetPatcherFor(sources),
    access: assetAccessFor(sources).landcover,
  };
}

/**
 * Where the map comes from, in this order: the configured raster or hrefs; else per-cell hrefs that
 * discovery chose; else a STAC search of esa-worldcover under the cells. Hrefs that items named (per
 * cell, or from the search) pass `links.access`, the land-cover source's asset access policy, when the
 * pipeline's sources are known. Configured rasters and hrefs are the user's own and are read as given.
 */
export async function resolveLandcoverSource(
  cfg: SamplingConfig['landcover'],
  cells: readonly LandcoverCell[],
  perCell: Map<string, string[]>,
  links: LandcoverLinks = {},
): Promise<LandcoverSource> {
  const src = cfg.source;
  const sign = links.sign ?? assetPatcherFor(undefined);
  if (src.kind === 'raster') return rasterFileSource(src.path);
  if (src.kind === 'hrefs') return tileHrefSource(src.hrefs, sign);
  if (perCell.size > 0) return perCellHrefSource(perCell, sign, links.access);
  const s = links.stac ?? openStacSource({ provider: 'planetary-computer' });
  const hrefs = await stacWorldCoverHrefs(s, { bbox: unionBBox(cells.map(extentLonLatBBox)), collection: links.collection });
  if (hrefs.length === 0) throw new StageError('landcover', `the ${s.provider} STAC search found no esa-worldcover tiles under the cells`);
  return tileHrefSource(hrefs, sign, links.access);
}

export interface LandcoverStepResult {
  table: string;
  freqFile: string;
  result: LandcoverPassResult;
  frequencies: ClassFrequencies;
  source: string;
}

/** Land-cover pass over `cells` into `outDir`/landcover.parquet + class-frequencies.json. */
export async function landcoverStep(
  cells: readonly LandcoverCell[],
  cfg: SamplingConfig['landcover'],
  outDir: string,
  opts: { perCellHrefs?: Map<string, string[]>; links?: LandcoverLinks; onProgress?: (done: number, total: number) => void } = {},
): Promise<LandcoverStepResult> {
  if (cells.length === 0) throw new StageError('landcover', 'no cells to read; expected at least one grid cell');
  const source = await resolveLandcoverSource(cfg, cells, opts.perCellHrefs ?? new Map(), opts.links);
  const reader = gdalLandcoverReader({ resampling: cfg.resampling });
  try {
    const result = await runLandcoverPass(cells, source, reader, { resolutionM: cfg.resolutionM, concurrency: cfg.concurrency, onProgress: opts.onProgress });
    await mkdir(outDir, { recursive: true });
    const table = path.join(outDir, LANDCOVER_TABLE);
    const freqFile = path.join(outDir, CLASS_FREQUENCIES);
    await writeLandcoverTable(table, result.population, cfg.resolutionM);
    const frequencies = classFrequencies(result.population, cfg.resolutionM);
    await writeClassFrequencies(freqFile, frequencies);
    return { table, freqFile, result, frequencies, source: source.describe() };
  } finally {
    reader.close();
  }
}

export interface SampleStepOptions {
  /** Policies to run side by side; default just `cfg.policy`. */
  compare?: { name: PolicyName; alpha?: number }[];
  /** Global class frequencies by bin for inverse-frequency; default: the population's. */
  classFrequencies?: ArrayLike<number>;
  png?: boolean;
}

/** Filters + policies + report on `pop`, written to `outDir`. */
export async function sampleStep(pop: CellPopulation, cfg: SamplingConfig, outDir: string, opts: SampleStepOptions = {}): Promise<{ run: SampleRun; files: WrittenFiles }> {
  const names = opts.compare ?? [{ name: cfg.policy }];
  const run = runSampling(pop, {
    count: cfg.count,
    seed: cfg.seed,
    filters: filtersFromConfig(cfg),
    policies: names.map((p) => policySpec(cfg, p.name, { alpha: p.alpha, classFrequencies: opts.classFrequencies })),
    ...(cfg.target ? { target: targetByBin(cfg.target) } : {}),
  });
  const files = await writeSampleRun(outDir, run, { png: opts.png ?? true });
  return { run, files };
}

/** `--sample-from`: the given table, drawn once over every cell, becomes this run's sample table (whole or not at all). */
export function useGivenSample(sampleFrom: string, runDir: string): string {
  const dest = path.join(runDir, SAMPLE_TABLE);
  writeFileAtomic(dest, readFileSync(sampleFrom));
  return dest;
}

/**
 * The stage over a run directory: the cells discovery kept (scenes.parquet) -> land-cover pass
 * (landcover/) -> sampling policy and report (sample/). Undefined when discovery kept no cell.
 */
export async function sampleRunDir(
  cfg: SamplingConfig,
  sources: SourcesConfig | undefined,
  runDir: string,
  opts: { onProgress?: (done: number, total: number) => void } = {},
): Promise<{ landcover: LandcoverStepResult; run: SampleRun; files: WrittenFiles } | undefined> {
  const cellScenes = await readScenesTable(path.join(runDir, SCENES_TABLE));
  if (cellScenes.length === 0) return undefined;
  const { cells, hrefs } = cellsFromRecords(cellScenes, SCENES_TABLE);
  const landcover = await landcoverStep(cells, cfg.landcover, path.join(runDir, LANDCOVER_DIR), {
    perCellHrefs: hrefs,
    links: sources ? landcoverLinks(sources) : undefined,
    onProgress: opts.onProgress,
  });
  const passed = passedCellsFromRecords(cellScenes, SCENES_TABLE);
  const { population } = joinPassedCells(landcover.result.population, passed);
  const { run, files } = await sampleStep(population, cfg, path.join(runDir, SAMPLE_DIR));
  return { landcover, run, files };
}
