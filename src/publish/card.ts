// The dataset card (corpus/README.md): what a person needs to find, trust, cite and open the corpus,
// generated from the run's own outputs. Pure: every figure comes in through CardInput.
import type { SampleReport } from '../sample/report/build.js';
import type { Manifest, StatsJson } from '../shard/index.js';
import { CC_BY_4, COPERNICUS_TERMS } from './stac-collection.js';
import { WORLDCOVER_NAMES } from '../landcover/worldcover.js';

export interface CardInput {
  name: string;
  version: string;
  /** The command as typed (run directory shown as `<run>`), or undefined when not run from the CLI. */
  command: string | undefined;
  pipelineFileName: string;
  pipelineText: string;
  time: { start: string; end: string };
  /** Acquisition span of the tiles (UTC). */
  interval: [string | null, string | null];
  bbox: [number, number, number, number] | undefined;
  epsgs: number[];
  candidateCells: number;
  tiledCells: number;
  grid: { cellSizeKm: number; tileSizePx: number; resolutionM: number };
  sources: Record<string, { provider: string; collection?: string }>;
  manifest: Manifest;
  stats: StatsJson;
  report: SampleReport | undefined;
  pictures: { classShares: string; map: string; quicklooks: string | undefined };
  /** Path of the drawn cells' quicklooks by class beside the sampling report, relative to the corpus; undefined when not written. */
  drawnQuicklooks?: string;
}

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(v * 100).toFixed(1)} %`);
const num = (v: number | null, d = 1) => (v === null ? '–' : v.toFixed(d));
const MODALITY_NAMES: Record<string, string> = {
  s2_l2a: 'Sentinel-2 L2A (surface reflectance)',
  s2_l1c: 'Sentinel-2 L1C (top-of-atmosphere reflectance)',
  s1: 'Sentinel-1 GRD (backscatter)',
};

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function samplingSection(r: SampleReport | undefined, stats: StatsJson): string {
  const corpusShare = Object.fromEntries(stats.classes.codes.map((c, i) => [String(c), stats.classes.shares[i]]));
  if (!r) {
    return ['## Sampling', '', 'No land-cover-aware sampling: every discovered cell with all required modalities was tiled (`sample_weight` = 1).', '',
      table(['class', 'share of corpus pixels'], stats.classes.codes.filter((c) => c !== 0).map((c) => [`${c} ${WORLDCOVER_NAMES[c]}`, pct(corpusShare[String(c)])]))].join('\n');
  }
  const p = r.policies[0];
  const codes = Object.keys(r.population.classShare);
  return [
    '## Sampling',
    '',
    `Policy **${p.label}**, seed **${r.seed}**, ${r.count} cells requested, drawn from ${r.filtered.cells} candidate cells (${r.population.cells} before filters). ` +
      `Weights: ${p.weightKind}, min ${p.weights.min.toFixed(3)}, max ${p.weights.max.toFixed(3)}; effective sample size ${p.ess.toFixed(1)} (${pct(p.essFraction)} of the draw). ` +
      `Class entropy ${r.population.entropyBits.toFixed(2)} bits before, ${p.entropyBits.toFixed(2)} bits after sampling` +
      (p.klToUniformBits !== null ? `; KL divergence to uniform ${p.klToUniformBits.toFixed(3)} bits after` : '') + '.',
    '',
    'Class shares of WorldCover pixels before sampling (all candidate cells, counted at the land-cover resolution), in the drawn sample, and in the corpus tiles (10 m, `stats.json`):',
    '',
    table(['class', 'before sampling', 'sample', 'corpus'], codes.filter((c) => c !== '0').map((c) => [`${c} ${WORLDCOVER_NAMES[Number(c)]}`, pct(r.population.classShare[c]), pct(p.classShare[c]), pct(corpusShare[c])])),
    ...(p.notes.length ? ['', ...p.notes.map((n) => `- ${n}`)] : []),
    '',
    'The full sampling report (per policy, quotas, geographic spread) is `../sample/report.md` in the run directory.',
  ].join('\n');
}

function bandSection(stats: StatsJson): string {
  const out = ['## Per-band statistics', '', 'Over valid pixels (nodata and NaN excluded) of all tiles; `stats.json` also holds sums, counts and histograms, which merge exactly across corpora.', ''];
  for (const [m, ms] of Object.entries(stats.modalities)) {
    out.push(`**${MODALITY_NAMES[m] ?? m}** (${ms.dtype}, ${ms.tiles} tiles)`, '');
    out.push(table(['band', 'mean', 'std', 'min', 'max', 'valid pixels'], ms.per_band.map((b) => [b.band, num(b.mean, 2), num(b.std, 2), num(b.min, 2), num(b.max, 2), b.count])), '');
  }
  return out.join('\n');
}

/** The README.md text. */
export function datasetCard(c: CardInput): string {
  const mods = Object.entries(c.manifest.layout.modalities);
  const [w, s, e, n] = c.bbox ?? [NaN, NaN, NaN, NaN];
  const years = [c.interval[0], c.interval[1]].filter(Boolean).map((t) => t!.slice(0, 4));
  const yearText = [...new Set(years)].join('–') || '[year]';
  return [
    `# ${c.name}: a TerraFM pretraining corpus`,
    '',
    `${c.manifest.tiles} co-registered tiles of ${c.grid.tileSizePx} × ${c.grid.tileSizePx} pixels at ${c.grid.resolutionM} m (${mods.map(([m]) => MODALITY_NAMES[m] ?? m).join(', ')}, with ESA WorldCover land cover per pixel), ` +
      `on the Major-TOM grid (${c.grid.cellSizeKm} km cells), in ${c.manifest.shards.length} Parquet shards (${(c.manifest.bytes / 1e6).toFixed(1)} MB, schema v${c.manifest.schema_version}). ` +
      `Written by terrafm-pipeline ${c.version}.`,
    '',
    '## What, where, when',
    '',
    table(['', ''], [
      ['tiles', c.manifest.tiles],
      ['modalities (bands)', mods.map(([m, l]) => `${m} (${l.bands.join(', ')}; ${l.dtype})`).join('<br>')],
      ['extent (lon/lat, WGS84)', c.bbox ? `${w.toFixed(4)}, ${s.toFixed(4)} .. ${e.toFixed(4)}, ${n.toFixed(4)}` : '–'],
      ['tile grids (UTM EPSG)', c.epsgs.join(', ')],
      ['grid cells tiled / discovered', `${c.tiledCells} / ${c.candidateCells}`],
      ['requested time range', `${c.time.start} .. ${c.time.end}`],
      ['acquisitions (UTC)', `${c.interval[0] ?? '–'} .. ${c.interval[1] ?? '–'}`],
      ['sources', Object.entries(c.sources).map(([k, v]) => `${k}: ${v.provider}${v.collection ? ` \`${v.collection}\`` : ''}`).join('<br>')],
    ]),
    '',
    `![Cells of the corpus](${c.pictures.map})`,
    '',
    '*Map: each panel is one place, zoomed to its cells; filled cells are in the corpus, outlined ones were candidates the sampler left out.*',
    '',
    samplingSection(c.report, c.stats),
    '',
    `![Class shares](${c.pictures.classShares})`,
    '',
    bandSection(c.stats),
    ...(c.pictures.quicklooks ? [`![Quicklooks](${c.pictures.quicklooks})`, '', '*Quicklooks of the first tiles: Sentinel-2 true colour (B04, B03, B02) and Sentinel-1 false colour (VV, VH, VV/VH in dB), each stretched between its 2nd and 98th percentile.*', ''] : []),
    // outside the corpus folder, so named rather than embedded: the card must render when the corpus is shared alone
    ...(c.drawnQuicklooks ? [`The stored quicklooks of the drawn cells, a row per dominant WorldCover class, are in \`${c.drawnQuicklooks}\` (run directory, beside the sampling report).`, ''] : []),
    '## Licences and required attribution',
    '',
    table(['source', 'licence', 'attribution to give'], [
      ['Sentinel-1, Sentinel-2 (Copernicus)', `[Legal notice on the use of Copernicus Sentinel data](${COPERNICUS_TERMS}): free, full and open; modified data must say so`, `"Contains modified Copernicus Sentinel data ${yearText}"`],
      ['ESA WorldCover 10 m', `[CC-BY 4.0](${CC_BY_4})`, '"© ESA WorldCover project / Contains modified Copernicus Sentinel data (2020, 2021) processed by ESA WorldCover consortium" (Zanaga et al., ESA WorldCover 10 m, doi:10.5281/zenodo.5571936 (v100) / 10.5281/zenodo.7254221 (v200))'],
    ]),
    '',
    'The corpus as a whole may be redistributed under these terms; cite both sources and this corpus.',
    '',
    '## How it was made',
    '',
    `Software: terrafm-pipeline ${c.version}. Command:`,
    '',
    '```bash',
    c.command ?? `npx terrafm run ${c.pipelineFileName} --out <run>`,
    '```',
    '',
    `Pipeline file \`${c.pipelineFileName}\`:`,
    '',
    '```yaml',
    c.pipelineText.trimEnd(),
    '```',
    '',
    '## Files and how to read a row',
    '',
    table(['file', 'what'], [
      ['`shard-*.parquet`', 'one row per tile: tensors as little-endian bytes, land cover, class histogram, footprint (GeoParquet), acquisition timestamps (UTC), `bbox` covering column'],
      ['`manifest.json`', 'shards with row counts and sha256, the tensor layout'],
      ['`stats.json`', 'per-band and per-class statistics (normalisation, class balancing)'],
      ['`collection.json`', 'STAC Collection (extent, summaries, licences, providers)'],
      ['`items.parquet`', 'one STAC Item per tile (stac-geoparquet): filter by time and bbox, then open the shard row it names'],
      ['`SHARDS.md`', 'the shard format, column by column'],
    ]),
    '',
    'Decode a row in Python (full format in [SHARDS.md](SHARDS.md)):',
    '',
    '```python',
    'import json, numpy as np, pyarrow.parquet as pq',
    'pf = pq.ParquetFile("shard-00000.parquet")',
    'layout = json.loads(pf.metadata.metadata[b"terrafm"])',
    'row = pf.read_row_group(0, columns=["tile_id", "s2_l2a_data"]).slice(0, 1).to_pylist()[0]',
    'spec = layout["modalities"]["s2_l2a"]',
    's2 = np.frombuffer(row["s2_l2a_data"], dtype=spec["numpy_dtype"]).reshape(spec["shape"])  # [bands, h, w]',
    '```',
    '',
    'Or in SQL: `SELECT tile_id, s2_l2a_datetime FROM \'shard-*.parquet\' WHERE bbox.xmin < 10 AND s2_l2a_datetime >= TIMESTAMPTZ \'2021-06-01\'` (DuckDB skips row groups that cannot match).',
    '',
  ].join('\n');
}
