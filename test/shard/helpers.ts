// Shared test helpers: temporary corpus directories and writing synthetic tiles through the real sink.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalise } from '../../src/config/sections/shard.js';
import { openShardSink, type CorpusResult } from '../../src/shard/sink.js';
import type { TileRecord } from '../../src/model/types.js';

const made: string[] = [];

export function tempDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `terrafm-shard-${tag}-`));
  made.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function writeCorpus(dir: string, tiles: TileRecord[], raw: Record<string, unknown> = {}): Promise<CorpusResult> {
  const sink = openShardSink(dir, normalise(raw), { overwrite: true });
  for (const t of tiles) await sink.write(t);
  return sink.close();
}
