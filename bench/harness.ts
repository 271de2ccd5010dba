// Benchmark contract. Each bench/<name>.bench.ts default-exports `async (ctx) => {...}` and calls
// ctx.record() per figure with several repetitions; bench/run.ts runs every file in its own process
// (so peak RSS belongs to that benchmark alone) and writes docs/benchmarks.md.

export interface BenchFigure {
  /** What was measured, e.g. "tile 256 px, concurrency 2". */
  name: string;
  /** e.g. "tiles/s", "MB/s", "ms", "MiB". */
  unit: string;
  /** One value per repetition. */
  values: number[];
  /** Context a reader needs (sizes, the peer tool compared against, target). */
  note?: string;
}

export interface BenchContext {
  record(figure: BenchFigure): void;
  /** Peak resident set size of this process so far, in MiB. */
  peakRssMiB(): number;
  /** True when BENCH_QUICK=1: run reduced sizes (used by a smoke test). */
  quick: boolean;
  /** A scratch directory for this benchmark, removed afterwards. */
  tmpDir: string;
}

export type BenchFn = (ctx: BenchContext) => Promise<void>;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Time `fn` `reps` times (after `warmup` untimed runs); returns milliseconds per run. */
export async function timeIt(fn: () => Promise<unknown> | unknown, reps: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}
