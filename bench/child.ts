// Runs one benchmark file in this process and writes its figures to the path given.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchContext, BenchFigure, BenchFn } from './harness.js';

const [file, out] = process.argv.slice(2);
const figures: BenchFigure[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'terrafm-bench-work-'));
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;
const ctx: BenchContext = {
  record: (f) => {
    figures.push(f);
    console.error(`  ${f.name}: ${f.values.map((v) => v.toPrecision(4)).join(', ')} ${f.unit}`);
  },
  peakRssMiB,
  quick: process.env.BENCH_QUICK === '1',
  tmpDir: tmp,
};
try {
  const mod = (await import(pathToFileURL(file).href)) as { default: BenchFn };
  await mod.default(ctx);
  writeFileSync(out, JSON.stringify({ figures, peakRssMiB: peakRssMiB() }));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
