// CLI wrapper around ensureDemoWorld: `npx tsx scripts/make-demo-world.ts [--out dir] [--force]`.
// Prints what it did; the exit code is 0 on success, 2 on bad usage, 4 when generation failed.

import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorMessage, ExitCode, isTerrafmError, UsageError } from '../src/errors.js';
import { DEFAULT_DEMO_DIR, ensureDemoWorld } from '../src/demo/ensure.js';
import { DEMO_PLACES, type PlaceId } from '../src/demo/world.js';

const USAGE = `Usage: npx tsx scripts/make-demo-world.ts [options]

Generate the synthetic demo world (static STAC catalog + COGs) used by pipelines/demo.yaml and the tests.
Does nothing when a current world is already there.

Options:
  --out DIR          output folder (default: data/demo in the repository)
  --force            regenerate even when the folder holds a current world
  --places A,B       only these places (${DEMO_PLACES.map((p) => p.id).join(', ')}); default all
  --max-scenes N     at most N Sentinel-2 and N Sentinel-1 scenes per place; default all
  --quiet            print only the final summary line
  -h, --help         show this help
`;

interface Options {
  out: string;
  force: boolean;
  places?: PlaceId[];
  maxScenesPerPlace?: number;
  quiet: boolean;
}

function parseArgs(argv: string[]): Options | 'help' {
  const opts: Options = { out: DEFAULT_DEMO_DIR, force: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '--out') opts.out = resolve(value());
    else if (a === '--force') opts.force = true;
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--places') {
      const ids = value().split(',');
      const known = DEMO_PLACES.map((p) => p.id as string);
      const bad = ids.filter((id) => !known.includes(id));
      if (bad.length) throw new UsageError(`--places: unknown place ${bad.join(', ')}; expected some of ${known.join(', ')}`);
      opts.places = ids as PlaceId[];
    } else if (a === '--max-scenes') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--max-scenes: "${v}" is not a positive integer`);
      opts.maxScenesPerPlace = n;
    } else throw new UsageError(`unknown option "${a}"; see --help`);
  }
  return opts;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await folderBytes(p) : (await stat(p)).size;
  }
  return total;
}

async function main(): Promise<number> {
  let opts: Options | 'help';
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${errorMessage(e)}\n`);
    return ExitCode.usage;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE);
    return ExitCode.ok;
  }
  const t0 = performance.now();
  const info = await ensureDemoWorld(opts.out, {
    force: opts.force,
    places: opts.places,
    maxScenesPerPlace: opts.maxScenesPerPlace,
    onProgress: opts.quiet ? undefined : (line) => process.stdout.write(`  ${((performance.now() - t0) / 1000).toFixed(1)} s  ${line}\n`),
  });
  const seconds = (performance.now() - t0) / 1000;
  const mb = (await folderBytes(info.dir)) / 1e6;
  const counts = Object.entries(info.itemCounts).map(([c, n]) => `${c} ${n}`).join(', ');
  process.stdout.write(
    `${info.generated ? 'generated' : 'already current'}: ${info.dir} (${info.itemCount} items: ${counts}; ${info.assetCount} assets; ${mb.toFixed(1)} MB) in ${seconds.toFixed(1)} s\n`,
  );
  return ExitCode.ok;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${errorMessage(e)}\n`);
    process.exit(isTerrafmError(e) ? e.exitCode : ExitCode.internal);
  },
);
