// Writing a sampling run to disk: the sample table(s) the tile stage reads sample_weight from, and the
// report as JSON, Markdown, SVG and PNG.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { StageError } from '../errors.js';
import { REPORT_FILE, SAMPLE_FILE } from '../pipeline/layout.js';
import { readColumns, writeColumns } from './parquet-columns.js';
import { reportMarkdown } from './report/markdown.js';
import { svgToPng } from '../svg-to-png.js';
import { classShareBarsSvg, SERIES_COLOURS, worldMapSvg } from './report/svg.js';
import type { SampleRun } from './run-sampling.js';

/** File-name-safe form of a policy label: `inverse-frequency(alpha=0.5)` -> `inverse-frequency-alpha-0.5`. */
export function labelSlug(label: string): string {
  return label.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-+|-+$/g, '');
}

export interface WrittenFiles {
  samples: string[];
  report: string[];
}

export async function writeSampleRun(dir: string, run: SampleRun, opts: { png?: boolean } = {}): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  const png = opts.png ?? true;
  const written: WrittenFiles = { samples: [], report: [] };
  const single = run.results.length === 1;
  run.results.forEach((r, k) => {
    const label = run.report.policies[k].label;
    const file = path.join(dir, single ? SAMPLE_FILE : `sample-${labelSlug(label)}.parquet`);
    const f = run.filtered;
    const idx = r.indices;
    writeColumns(
      file,
      [
        { name: 'cell_id', type: 'STRING', data: Array.from(idx, (i) => f.ids[i]) },
        { name: 'lon', type: 'DOUBLE', data: Array.from(idx, (i) => f.lon[i]) },
        { name: 'lat', type: 'DOUBLE', data: Array.from(idx, (i) => f.lat[i]) },
        { name: 'epsg', type: 'INT32', data: Array.from(idx, (i) => f.epsg[i]) },
        { name: 'sample_weight', type: 'DOUBLE', data: r.sampleWeights },
        { name: 'draw_order', type: 'INT32', data: Array.from(idx, (_, j) => j) },
      ],
      { 'terrafm:policy': label, 'terrafm:seed': String(run.report.seed), 'terrafm:weight_kind': r.weightKind },
      { lon: Array.from(idx, (i) => f.lon[i]), lat: Array.from(idx, (i) => f.lat[i]) },
    );
    written.samples.push(file);
  });
  const put = async (name: string, body: string | Buffer) => {
    const p = path.join(dir, name);
    writeFileAtomic(p, body);
    written.report.push(p);
  };
  await put(REPORT_FILE, JSON.stringify(run.report, null, 2) + '\n');
  await put('report.md', reportMarkdown(run.report));
  const bars = classShareBarsSvg(run.report);
  await put('class-share.svg', bars);
  if (png) await put('class-share.png', svgToPng(bars));
  for (let k = 0; k < run.results.length; k++) {
    const label = run.report.policies[k].label;
    const idx = run.results[k].indices;
    const svg = worldMapSvg(
      `Sampled cells: ${label} (${idx.length} of ${run.filtered.size})`,
      run.filtered,
      { lon: Array.from(idx, (i) => run.filtered.lon[i]), lat: Array.from(idx, (i) => run.filtered.lat[i]) },
      SERIES_COLOURS[(k + 1) % SERIES_COLOURS.length],
    );
    const base = `map-${labelSlug(label)}`;
    await put(`${base}.svg`, svg);
    if (png) await put(`${base}.png`, svgToPng(svg));
  }
  return written;
}

/** cell id -> sample_weight from a sample table, for the tile stage (TileRecord.sampleWeight). */
export async function readSampleWeights(file: string): Promise<Map<string, number>> {
  const { rows, columns } = await readColumns(file, ['cell_id', 'sample_weight'], 'sample table');
  const ids = columns.get('cell_id')!;
  const w = columns.get('sample_weight')!;
  const out = new Map<string, number>();
  for (let i = 0; i < rows; i++) {
    const weight = Number(w[i]);
    if (!(weight > 0)) throw new StageError('sample', `${file}: row ${i} (${String(ids[i])}) has sample_weight ${String(w[i])}; expected > 0`);
    out.set(String(ids[i]), weight);
  }
  return out;
}
