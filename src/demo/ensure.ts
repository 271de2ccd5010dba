// ensureDemoWorld: make sure a current demo world exists in a folder, generating it only when it is
// missing or stale. Safe when several processes (test workers, a demo run) call it at once: a lock
// file beside the target makes later callers wait for the one generating instead of doing the same
// work; the world is generated into a temporary folder beside the target and renamed into place
// (atomic on one file system), so a reader never sees half a world, and if two generations still race
// (stale lock, another machine on a shared disk) the first rename wins and the other copy is dropped.

import { chmod, mkdir, mkdtemp, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import gdal from 'gdal-async';
import { StageError } from '../errors.js';
import { generateWorld, STAMP_FILE, type DemoStamp, type GenerateOptions } from './generate.js';
import { DEMO_COLLECTIONS, DEMO_GENERATOR_VERSION, DEMO_PLACES, DEMO_SEED, type DemoPlace } from './world.js';
import { processAlive } from '../process-alive.js';

/** Repository root (src/demo/ -> ../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the demo world lives by default (gitignored; generated on first use). */
export const DEFAULT_DEMO_DIR = join(REPO_ROOT, 'data', 'demo');

export interface DemoWorldInfo {
  /** Absolute folder of the world. */
  dir: string;
  /** Absolute path of the root catalog.json. */
  catalog: string;
  /** Absolute path of each collection.json, by collection id. */
  collections: Record<string, string>;
  /** Item count per collection id. */
  itemCounts: Record<string, number>;
  itemCount: number;
  /** Asset files (COGs and previews). */
  assetCount: number;
  places: readonly DemoPlace[];
  generatorVersion: string;
  /** True when this call generated the world, false when a current one was already there. */
  generated: boolean;
}

export interface EnsureOptions extends GenerateOptions {
  /** Regenerate even when a current world is present. */
  force?: boolean;
}

function expectedOptions(opts: EnsureOptions): DemoStamp['options'] {
  return { places: opts.places ? [...opts.places] : null, maxScenesPerPlace: opts.maxScenesPerPlace ?? null };
}

/** The stamp of `dir` if it describes a complete world made by this generator with these options, else null. */
export async function readCurrentStamp(dir: string, opts: EnsureOptions = {}): Promise<DemoStamp | null> {
  let stamp: DemoStamp;
  try {
    stamp = JSON.parse(await readFile(join(dir, STAMP_FILE), 'utf8')) as DemoStamp;
  } catch {
    return null;
  }
  const current =
    stamp.generatorVersion === DEMO_GENERATOR_VERSION &&
    stamp.seed === DEMO_SEED &&
    stamp.gdalVersion === gdal.version &&
    JSON.stringify(stamp.options) === JSON.stringify(expectedOptions(opts)) &&
    existsSync(join(dir, 'catalog.json'));
  return current ? stamp : null;
}

function infoOf(dir: string, stamp: DemoStamp, generated: boolean, opts: EnsureOptions): DemoWorldInfo {
  const ids = Object.keys(stamp.collections);
  return {
    dir,
    catalog: join(dir, 'catalog.json'),
    collections: Object.fromEntries(ids.map((c) => [c, join(dir, c, 'collection.json')])),
    itemCounts: { ...stamp.collections },
    itemCount: stamp.itemCount,
    assetCount: stamp.assetCount,
    places: opts.places ? DEMO_PLACES.filter((p) => opts.places!.includes(p.id)) : DEMO_PLACES,
    generatorVersion: stamp.generatorVersion,
    generated,
  };
}

/**
 * Return the demo world in `dir`, generating it first when missing, stale (other generator version,
 * seed, GDAL version or options) or when `force` is set.
 */
export async function ensureDemoWorld(dir: string = DEFAULT_DEMO_DIR, opts: EnsureOptions = {}): Promise<DemoWorldInfo> {
  const target = resolve(dir);
  if (!opts.force) {
    const stamp = await readCurrentStamp(target, opts);
    if (stamp) return infoOf(target, stamp, false, opts);
  }
  const lock = await acquireLock(target, opts);
  try {
    // Whoever held the lock before us may just have installed a current world.
    if (!opts.force) {
      const stamp = await readCurrentStamp(target, opts);
      if (stamp) return infoOf(target, stamp, false, opts);
    }
    return await generateAndInstall(target, opts);
  } finally {
    if (lock === 'held') await unlink(`${target}.lock`).catch(() => {});
  }
}

const LOCK_WAIT_MS = 15 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/**
 * Take `<target>.lock` (holding our pid). If another live process holds it, wait until it releases it
 * and return 'ready' when a current world appeared meanwhile; a lock whose process is gone is taken over.
 * Returns 'held' when we hold the lock, 'free' when locking is impossible (then we just generate).
 */
async function acquireLock(target: string, opts: EnsureOptions): Promise<'held' | 'ready' | 'free'> {
  const path = `${target}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  try {
    await mkdir(dirname(target), { recursive: true });
  } catch {
    return 'free';
  }
  while (Date.now() < deadline) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return 'held';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return 'free';
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isFinite(holder) && !processAlive(holder)) {
      await unlink(path).catch(() => {});
      continue;
    }
    await sleep(250);
    if (!opts.force && (await readCurrentStamp(target, opts))) return 'ready';
  }
  return 'free';
}

async function generateAndInstall(target: string, opts: EnsureOptions): Promise<DemoWorldInfo> {
  const parent = dirname(target);
  let tmp: string;
  try {
    await mkdir(parent, { recursive: true });
    tmp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  } catch (e) {
    throw new StageError('demo', `could not create a folder for the demo world next to ${target}: ${(e as Error).message}; expected a writable parent folder`, e);
  }
  let stamp: DemoStamp;
  try {
    stamp = await generateWorld(tmp, opts);
    // mkdtemp makes the folder private (0700); the world is meant to be read by anyone.
    await chmod(tmp, 0o755);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw new StageError('demo', `could not generate the demo world into ${target}: ${(e as Error).message}`, e);
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await rename(tmp, target);
      return infoOf(target, stamp, true, opts);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
        await rm(tmp, { recursive: true, force: true });
        throw new StageError('demo', `could not move the generated demo world to ${target}: ${(e as Error).message}`, e);
      }
      // Another process finished first: use its world when current, unless we were asked to replace it.
      const other = await readCurrentStamp(target, opts);
      if (other && !opts.force) {
        await rm(tmp, { recursive: true, force: true });
        return infoOf(target, other, false, opts);
      }
      // Stale (or forced): move the old folder aside, then retry the rename.
      const trash = `${target}.old-${process.pid}-${attempt}`;
      try {
        await rename(target, trash);
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code !== 'ENOENT') throw e2;
      }
      await rm(trash, { recursive: true, force: true });
    }
  }
  await rm(tmp, { recursive: true, force: true });
  throw new StageError('demo', `could not install the demo world at ${target}: it kept changing under us (5 attempts)`);
}

/** Collection ids of the demo catalog, for callers that configure sources. */
export { DEMO_COLLECTIONS };
