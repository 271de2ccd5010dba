// The publish stage over a run directory (`terrafm run` calls it through adapter.ts): after the corpus
// is written, describe it for others. corpus/collection.json and corpus/items.parquet (STAC),
// corpus/README.md (dataset card) with its pictures (class shares, a map of the cells, a quicklook
// mosaic) and a copy of the shard format (SHARDS.md); and, beside the sampling report,
// sample/quicklooks.png of the drawn cells by class (the sample stage runs before tiles exist). Reads
// the corpus, the scenes table and the sampling report; changes none of them.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { fileURLToPath } from 'node:url';
import { readScenesTable } from '../discover/scenes-table.js';
import { extentRing } from '../grid/index.js';
import type { PipelineConfig } from '../config/pipeline.js';
import type { SampleReport } from '../sample/report/build.js';
import { svgToPng } from '../svg-to-png.js';
import { shareBarsSvg } from '../sample/report/svg.js';
import { columnsFor, iterateTiles, openCorpus, openShard } from '../shard/index.js';
import { readTileMetadata } from '../shard/reader.js';
import { CORPUS_DIR, SAMPLE_REPORT, SAMPLE_TABLE, SCENES_TABLE } from '../pipeline/layout.js';
import { VERSION } from '../version.js';
import { datasetCard } from './card.js';
import { corpusMapSvg, type MapCell } from './map-svg.js';
import { encodePngRgb } from '../image/png.js';
import { mosaic, s1Quicklook, s2Quicklook, type RgbImage } from '../image/quicklook.js';
import { CARD_FILE, writeCorpusStac } from './stac-collection.js';
import { DrawnTileSelection, writeDrawnQuicklooks } from './drawn-quicklooks.js';
import { readSampleWeights } from '../sample/outputs.js';

const SHARDS_DOC = fileURLToPath(new URL('../../schemas/SHARDS.md', import.meta.url));
const MOSAIC_TILES = 16;
const QUICKLOOK_PX = 96;

/** The command line of this process as typed, with the run directory shown as `<run>`; undefined outside the CLI. */
function commandLine(runDir: string): string | undefined {
  const entry = process.argv[1] ?? '';
  if (!/terrafm(\.mjs)?$|cli[/\\]main\.ts$/.test(entry)) return undefined;
  // flags that change how a run goes, not what it writes, are left out so reruns give the same card
  const args: string[] = [];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (['--fresh', '--verbose', '--quiet'].includes(argv[i])) continue;
    if (argv[i] === '--log-format') { i++; continue; }
    if (argv[i].startsWith('--log-format=')) continue;
    args.push(argv[i] === runDir || argv[i].startsWith(`${runDir}/`) ? argv[i].replace(runDir, '<run>') : argv[i]);
  }
  return `npx terrafm ${args.join(' ')}`;
}

/** Quicklooks of the first tiles: per tile an S2 true-colour and an S1 false-colour image, side by side. */
async function quicklookMosaic(corpusDir: string, s1Linear: boolean): Promise<RgbImage | undefined> {
  const images: RgbImage[] = [];
  let tiles = 0;
  for await (const t of iterateTiles(corpusDir, { columns: columnsFor(['s2_l2a', 's1'], []) })) {
    const s2 = t.modalities.s2_l2a ? s2Quicklook(t.modalities.s2_l2a, QUICKLOOK_PX) : undefined;
    const s1 = t.modalities.s1 ? s1Quicklook(t.modalities.s1, QUICKLOOK_PX, s1Linear) : undefined;
    const blank = { width: QUICKLOOK_PX, height: QUICKLOOK_PX, rgb: new Uint8Array(QUICKLOOK_PX * QUICKLOOK_PX * 3).fill(255) };
    images.push(s2 ?? blank, s1 ?? blank);
    if (++tiles >= MOSAIC_TILES) break;
  }
  return images.length ? mosaic(images, 8) : undefined;
}

export interface PublishResult {
  card: string;
  collection: string;
  /** Number of STAC items written. */
  items: number;
  itemsTable: string;
  /** Picture files, relative to the run directory. */
  pictures: string[];
}

export async function publishRunDir(config: PipelineConfig, runDir: string): Promise<PublishResult> {
  const corpusDir = join(runDir, CORPUS_DIR);
  const { manifest, statsJson } = openCorpus(corpusDir);
  const stac = await writeCorpusStac(corpusDir, { id: config.name, description: `TerraFM pretraining corpus written by terrafm-pipeline from ${basename(config.file)}; see ${CARD_FILE}.` });

  // cells: every discovered cell, and which of them the corpus holds; the tiles of drawn cells to show
  // in the sampling report, by class
  const sampleTable = join(runDir, SAMPLE_TABLE);
  const drawn = existsSync(sampleTable) ? new DrawnTileSelection(new Set((await readSampleWeights(sampleTable)).keys())) : undefined;
  const tiled = new Set<string>();
  const epsgs = new Set<number>();
  for (const s of manifest.shards) {
    const shard = await openShard(join(corpusDir, s.file));
    try {
      for await (const t of readTileMetadata(shard)) {
        tiled.add(t.cellId);
        epsgs.add(t.epsg);
        drawn?.add(t);
      }
    } finally {
      await shard.close();
    }
  }
  const collection = JSON.parse(readFileSync(stac.collection, 'utf8'));
  const bbox: [number, number, number, number] | undefined = manifest.tiles ? collection.extent.spatial.bbox[0] : undefined;
  const interval: [string | null, string | null] = collection.extent.temporal.interval[0];
  const scenesPath = join(runDir, SCENES_TABLE);
  const scenes = existsSync(scenesPath) ? await readScenesTable(scenesPath) : [];
  const cells: MapCell[] = scenes.map((c) => ({ ring: extentRing(c.cell), sampled: tiled.has(c.cell.id) }));

  const reportPath = join(runDir, SAMPLE_REPORT);
  const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as SampleReport) : undefined;
  const corpusShare = Object.fromEntries(statsJson.classes.codes.map((c, i) => [String(c), statsJson.classes.shares[i]]));
  const series = [
    ...(report ? [{ name: 'before sampling (candidate cells)', share: report.population.classShare }, { name: `sample (${report.policies[0].label})`, share: report.policies[0].classShare }] : []),
    { name: 'corpus tiles', share: corpusShare },
  ];
  const write = (name: string, body: string | Buffer) => writeFileAtomic(join(corpusDir, name), body);
  const bars = shareBarsSvg('WorldCover class shares of pixels', series.map((x) => ({ ...x, share: Object.fromEntries(Object.entries(x.share).filter(([k]) => k !== '0')) })));
  write('class-shares.svg', bars);
  write('class-shares.png', svgToPng(bars));
  const map = corpusMapSvg(`${config.name}: ${tiled.size} of ${cells.length} discovered cells in the corpus`, cells);
  write('map.svg', map);
  write('map.png', svgToPng(map));
  const ql = await quicklookMosaic(corpusDir, !config.tile.s1Db);
  if (ql) write('quicklooks.png', encodePngRgb(ql.width, ql.height, ql.rgb));
  copyFileSync(SHARDS_DOC, join(corpusDir, 'SHARDS.md'));
  const drawnLooks = drawn ? await writeDrawnQuicklooks(corpusDir, drawn, dirname(sampleTable)) : undefined;

  const card = datasetCard({
    name: config.name,
    version: VERSION,
    command: commandLine(runDir),
    pipelineFileName: basename(config.file),
    pipelineText: existsSync(config.file) ? readFileSync(config.file, 'utf8') : '(pipeline file not found)',
    time: config.time,
    interval,
    bbox,
    epsgs: [...epsgs].sort((a, b) => a - b),
    candidateCells: cells.length,
    tiledCells: tiled.size,
    grid: { cellSizeKm: config.grid.cellSizeKm, tileSizePx: config.grid.tileSizePx, resolutionM: config.grid.resolutionM },
    sources: Object.fromEntries(Object.entries(config.sources).filter(([, v]) => v).map(([k, v]) => [k, { provider: v!.provider, collection: v!.collection }])),
    manifest,
    stats: statsJson,
    report,
    pictures: { classShares: 'class-shares.png', map: 'map.png', quicklooks: ql ? 'quicklooks.png' : undefined },
    drawnQuicklooks: drawnLooks ? relative(corpusDir, drawnLooks.png) : undefined,
  });
  write(CARD_FILE, card);
  return { card: join(corpusDir, CARD_FILE), collection: stac.collection, items: stac.items, itemsTable: stac.table, pictures: [...['class-shares.png', 'map.png', ...(ql ? ['quicklooks.png'] : [])].map((p) => relative(runDir, join(corpusDir, p))), ...(drawnLooks ? [relative(runDir, drawnLooks.png)] : [])] };
}
