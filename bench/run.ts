// `npm run bench [-- name ...]`: runs bench/*.bench.ts (or those whose names contain an argument),
// each in a fresh process, merges the figures into docs/benchmarks.json and rewrites
// docs/benchmarks.md with the machine, the command, and median and spread of every figure.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type BenchFigure } from './harness.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const jsonPath = join(root, 'docs', 'benchmarks.json');
const mdPath = join(root, 'docs', 'benchmarks.md');

interface BenchRun {
  file: string;
  command: string;
  date: string;
  seconds: number;
  peakRssMiB: number;
  figures: BenchFigure[];
  error?: string;
}

function machine() {
  let gdal = 'unknown';
  try {
    gdal = execFileSync('gdalinfo', ['--version'], { encoding: 'utf8' }).trim();
  } catch {}
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    gdal,
    host: hostname(),
  };
}

async function runChild(file: string): Promise<BenchRun> {
  const out = join(mkdtempSync(join(tmpdir(), 'terrafm-bench-')), 'result.json');
  const t0 = performance.now();
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'child.ts'), join(root, 'bench', file), out], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  const seconds = (performance.now() - t0) / 1000;
  const base = { file, command: `npm run bench -- ${file.replace('.bench.ts', '')}`, date: new Date().toISOString(), seconds };
  if (res.status !== 0 || !existsSync(out)) return { ...base, peakRssMiB: 0, figures: [], error: `exit ${res.status ?? res.signal}` };
  const r = JSON.parse(readFileSync(out, 'utf8')) as { figures: BenchFigure[]; peakRssMiB: number };
  return { ...base, ...r };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

function render(doc: { machine: ReturnType<typeof machine>; runs: Record<string, BenchRun> }): string {
  const m = doc.machine;
  const lines = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (bench/run.ts); do not edit by hand. Each benchmark runs in its own process;',
    '"peak RSS" is that process\'s maximum resident set size. Median and spread (min to max) are over the',
    'repetitions listed (n).',
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM; Node ${m.node}; ${m.gdal}.`,
    'GPU: none on this machine. No accelerator was lent to the session that ran these (GPU/webgpu figures are absent).',
    '',
  ];
  for (const run of Object.values(doc.runs).sort((a, b) => a.file.localeCompare(b.file))) {
    lines.push(`## ${run.file.replace('.bench.ts', '')}`, '', `Command: \`${run.command}\` (run ${run.date.slice(0, 16)}Z, ${run.seconds.toFixed(0)} s, peak RSS ${run.peakRssMiB.toFixed(0)} MiB)`, '');
    if (run.error) lines.push(`**Failed:** ${run.error}`, '');
    if (run.figures.length) {
      lines.push('| figure | median | spread (min - max) | unit | n | note |', '|---|---:|---|---|---:|---|');
      for (const f of run.figures) {
        if (f.values.length === 0) {
          lines.push(`| ${f.name} | - | - | ${f.unit} | 0 | ${f.note ?? ''} |`);
          continue;
        }
        const lo = Math.min(...f.values);
        const hi = Math.max(...f.values);
        lines.push(`| ${f.name} | ${fmt(median(f.values))} | ${fmt(lo)} - ${fmt(hi)} | ${f.unit} | ${f.values.length} | ${f.note ?? ''} |`);
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

async function main() {
  const filters = process.argv.slice(2);
  const files = readdirSync(join(root, 'bench'))
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) throw new Error(`no benchmark matches ${filters.join(', ')}`);
  const doc = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) : { runs: {} };
  doc.machine = machine();
  let failed = 0;
  for (const f of files) {
    console.error(`bench: ${f}`);
    const run = await runChild(f);
    if (run.error) failed++;
    doc.runs[f] = run;
    writeFileSync(jsonPath, `${JSON.stringify(doc, null, 2)}\n`);
    writeFileSync(mdPath, render(doc));
  }
  console.error(`bench: wrote ${mdPath}${failed ? ` (${failed} failed)` : ''}`);
  process.exitCode = failed ? 1 : 0;
}

await main();
