// The discover stage: grid cells of the area -> query groups -> one STAC search per group and
// source -> items assigned to cells by footprint -> per-cell pairing -> scenes table + summary.
// Streams group by group: memory is bounded by a few groups in flight, whatever the area.

import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { ConfigError } from '../errors.js';
import type { PipelineConfig } from '../config/pipeline.js';
import { requireIssues } from '../config/sections/pairing.js';
import type { SourceConfig } from '../config/sections/sources.js';
import { DISCOVER_SUMMARY, SCENES_TABLE, STAC_CACHE_DIR } from '../pipeline/layout.js';
import { inPartition, type Partition } from '../pipeline/partition.js';
import { MODALITIES, type Modality, type SceneItem, type SourceName } from '../model/types.js';
import { assignItems, type Candidate } from './batch-assign.js';
import { groupCells, type QueryGroup } from './batch.js';
import { coverArea, Grid } from '../grid/index.js';
import { pairCell, type PairingRules } from './pairing/pair.js';
import { ScenesTableWriter } from './scenes-table.js';
import { openStacSource } from './stac/index.js';
import { stacOptionsFor } from './stac/from-config.js';
import type { SearchRequest, StacSource, StacSourceOptions } from './stac/types.js';
import { MISSING_REASONS, type CellScenes, type DiscoverResult, type DiscoverSummary, type MissingReason } from './types.js';

export type DiscoverInput = Pick<PipelineConfig, 'area' | 'time' | 'grid' | 'sources' | 'discover' | 'pairing'>;

export interface DiscoverOptions {
  /** Run directory: scenes.parquet, discover-summary.json and the STAC cache go here. */
  outDir: string;
  /** Opens the STAC source of one configured source (tests inject fakes). Default: openStacSource. */
  openSource?: (key: SourceName, cfg: SourceConfig) => StacSource;
  /** Also return the kept cells in memory (small areas, tests, `terrafm run`). Default false. */
  collect?: boolean;
  /** Stop after this many grid cells (previews). Default: all. */
  limitCells?: number;
  /** Only the grid cells of this partition (`--partition i/N`), filtered before any search is made. */
  partition?: Partition;
  /** Called after each query group with the cells enumerated so far. */
  onProgress?: (cellsDone: number) => void;
}

const DAY_MS = 86_400_000;
/** Closed interval every STAC API accepts (some refuse `../..`). */
const LANDCOVER_ANY_TIME = ['1970-01-01T00:00:00Z', '2100-12-31T23:59:59Z'] as const;

/** Sources discovery searches: every configured one with a STAC provider (a `file` land-cover map is read by the tile stage). */
export function searchedSources(sources: DiscoverInput['sources']): SourceName[] {
  return (['s2_l2a', 's2_l1c', 's1', 'landcover'] as const).filter((k) => sources[k] && sources[k]!.provider !== 'file');
}

/** Modalities a cell must have: pairing.require, or every configured imaging modality. */
export function requiredModalities(config: DiscoverInput): Modality[] {
  if (config.pairing.require === 'all-configured') return MODALITIES.filter((m) => config.sources[m]);
  // The loader checked this already; a config built in code goes through the same rule.
  const issues = requireIssues(config.pairing.require, config.sources);
  if (issues.length) throw new ConfigError('pipeline', issues);
  return config.pairing.require;
}

/** The search of one source for one group (pure). */
export function searchRequest(key: SourceName, cfg: SourceConfig, group: QueryGroup, config: DiscoverInput): SearchRequest {
  let { start, end } = config.time;
  if (key === 'landcover') {
    // Land-cover maps are dated by their own epoch (WorldCover: 2020, 2021), not the imagery's: any date.
    start = LANDCOVER_ANY_TIME[0];
    end = LANDCOVER_ANY_TIME[1];
  } else if (key === 's1' && (config.sources.s2_l2a || config.sources.s2_l1c)) {
    // S1 pairs with S2 scenes up to windowDays before the first or after the last S2 date.
    start = new Date(Date.parse(start) - config.pairing.windowDays * DAY_MS).toISOString();
    end = new Date(Date.parse(end) + config.pairing.windowDays * DAY_MS).toISOString();
  }
  const clauses: unknown[] = [];
  if ((key === 's2_l2a' || key === 's2_l1c') && cfg.cloudMax < 100) {
    clauses.push({ op: '<=', args: [{ property: 'eo:cloud_cover' }, cfg.cloudMax] });
  }
  if (key === 's1' && cfg.orbit !== 'any') clauses.push({ op: '=', args: [{ property: 'sat:orbit_state' }, cfg.orbit] });
  return {
    collections: [cfg.collection!, ...cfg.altCollections],
    ...group.search,
    datetime: `${start}/${end}`,
    ...(clauses.length ? { filter: clauses.length === 1 ? clauses[0] : { op: 'and', args: clauses } } : {}),
    limit: cfg.limit,
  };
}

/** Pairing rules from the configuration (pure). */
export function pairingRules(config: DiscoverInput): PairingRules {
  const sources: PairingRules['sources'] = {};
  for (const key of searchedSources(config.sources)) {
    const s = config.sources[key]!;
    sources[key] = { collections: [s.collection!, ...s.altCollections], cloudMax: s.cloudMax, orbit: s.orbit };
  }
  return {
    sources,
    windowDays: config.pairing.windowDays,
    minCoverage: config.pairing.minCoverage,
    require: requiredModalities(config),
    keepIncomplete: config.pairing.keepIncomplete,
    time: config.time,
  };
}

function defaultOpener(config: DiscoverInput, outDir: string) {
  return (_key: SourceName, cfg: SourceConfig): StacSource => {
    const opts: StacSourceOptions = {
      ...stacOptionsFor(cfg),
      concurrency: config.discover.concurrency,
      timeoutMs: config.discover.timeoutS * 1000,
      retries: config.discover.maxAttempts,
      cacheDir: config.discover.cache ? join(outDir, STAC_CACHE_DIR) : undefined,
    };
    return openStacSource(opts);
  };
}

function* filterBatches<T extends { id: string }>(batches: Iterable<T[]>, keep: (id: string) => boolean): Generator<T[]> {
  for (const b of batches) {
    const kept = b.filter((c) => keep(c.id));
    if (kept.length) yield kept;
  }
}

function zeroReasons(): Record<MissingReason, number> {
  return Object.fromEntries(MISSING_REASONS.map((r) => [r, 0])) as Record<MissingReason, number>;
}

export async function runDiscover(config: DiscoverInput, opts: DiscoverOptions): Promise<DiscoverResult> {
  const t0 = performance.now();
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const rules = pairingRules(config);
  const keys = searchedSources(config.sources);
  const open = opts.openSource ?? defaultOpener(config, outDir);
  const sources = new Map(keys.map((k) => [k, open(k, config.sources[k]!)]));
  const grid = new Grid(config.grid);

  const summary: DiscoverSummary = {
    cellsEnumerated: 0,
    cellsFound: 0,
    cellsComplete: 0,
    cellsKept: 0,
    cellsDropped: 0,
    reasons: zeroReasons(),
    droppedByReason: zeroReasons(),
    queryGroups: 0,
    searches: 0,
    requests: 0,
    cacheHits: 0,
    retries: 0,
    itemsSeen: 0,
    itemsWrongCollection: {},
    required: rules.require,
    elapsedS: 0,
  };
  const tablePath = join(outDir, SCENES_TABLE);
  const partial = `${tablePath}.partial`;
  const table = new ScenesTableWriter(partial);
  const collected: CellScenes[] | undefined = opts.collect ? [] : undefined;

  const searchGroup = async (group: QueryGroup): Promise<Partial<Record<SourceName, SceneItem[]>>> => {
    const found = await Promise.all(
      keys.map(async (k) => {
        const cfg = config.sources[k]!;
        // Servers can answer with other collections than asked (only the CQL2 filter was re-checked):
        // an L1C item must not become a cell's s2_l2a scene.
        const accepted = new Set([cfg.collection, ...cfg.altCollections]);
        const items: SceneItem[] = [];
        for await (const it of sources.get(k)!.search(searchRequest(k, cfg, group, config))) {
          if (accepted.has(it.collection)) items.push(it);
          else summary.itemsWrongCollection[k] = (summary.itemsWrongCollection[k] ?? 0) + 1;
        }
        return [k, items] as const;
      }),
    );
    summary.searches += keys.length;
    return Object.fromEntries(found);
  };

  const handleGroup = (group: QueryGroup, items: Partial<Record<SourceName, SceneItem[]>>) => {
    const perSource = new Map<SourceName, Candidate[][]>();
    for (const k of keys) {
      summary.itemsSeen += items[k]?.length ?? 0;
      perSource.set(k, assignItems(group.cells, items[k] ?? []));
    }
    const kept: CellScenes[] = [];
    group.cells.forEach((target, i) => {
      const cands: Partial<Record<SourceName, Candidate[]>> = {};
      for (const k of keys) cands[k] = perSource.get(k)![i];
      const out = pairCell(target, cands, rules);
      summary.cellsEnumerated++;
      if (Object.keys(out.scenes.scenes).length) summary.cellsFound++;
      if (out.scenes.complete) summary.cellsComplete++;
      for (const r of out.scenes.missing) summary.reasons[r]++;
      if (out.keep) {
        summary.cellsKept++;
        kept.push(out.scenes);
      } else {
        summary.cellsDropped++;
        for (const r of out.missingRequired) summary.droppedByReason[r]++;
      }
    });
    table.append(kept);
    collected?.push(...kept);
  };

  try {
    // A few groups in flight so the HTTP layer stays busy; results are handled in stream order,
    // which keeps the table's row order deterministic.
    const inFlight = Math.max(1, config.discover.concurrency);
    const cells = coverArea(grid, config.area, { limit: opts.limitCells });
    const part = opts.partition;
    // Filtering before grouping: each worker batches and queries only its own cells.
    const mine = part && part.count > 1 ? filterBatches(cells, (id) => inPartition(id, part)) : cells;
    const groups = groupCells(mine, { grid, batchCells: config.discover.batchCells });
    let window: { group: QueryGroup; items: Promise<Partial<Record<SourceName, SceneItem[]>>> }[] = [];
    const drain = async () => {
      for (const w of window) {
        handleGroup(w.group, await w.items);
        opts.onProgress?.(summary.cellsEnumerated);
      }
      window = [];
    };
    for (const group of groups) {
      summary.queryGroups++;
      const items = searchGroup(group);
      items.catch(() => undefined); // awaited in drain; avoids an unhandled rejection meanwhile
      window.push({ group, items });
      if (window.length >= inFlight) await drain();
    }
    await drain();
    table.finish();
    renameSync(partial, tablePath);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }

  for (const s of sources.values()) {
    summary.requests += s.stats.requests;
    summary.cacheHits += s.stats.cacheHits;
    summary.retries += s.stats.retries;
  }
  summary.elapsedS = Math.round((performance.now() - t0) / 10) / 100;
  const summaryFile = join(outDir, DISCOVER_SUMMARY);
  writeFileAtomic(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  return { summary, scenesTable: tablePath, summaryFile, ...(collected ? { cells: collected } : {}) };
}
