// Reopening a corpus directory after an interrupted run. The journal says which shards were finished;
// each is kept only if its file still has the journalled size and sha256, and only as an unbroken
// prefix (shards are cut in sequence, so shard k+1 is meaningless without shard k). Everything else
// of ours in the directory (unfinished .tmp files, shards written after the last journal line, an old
// manifest/stats) is deleted, so the run goes on exactly where the kept shards end.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ShardConfig } from '../config/sections/shard.js';
import { layoutOf, readJournal, resetJournal, shardEntryOf, type JournalShard } from './journal.js';
import type { CorpusLayout } from './layout.js';
import { MANIFEST_FILE, STATS_FILE } from './manifest.js';
import type { ShardEntry } from './shard-file-writer.js';

export interface ResumePoint {
  /** Journal lines of the kept shards, in order. */
  kept: JournalShard[];
  entries: ShardEntry[];
  /** Layout as of the last kept shard (empty when none). */
  layout: CorpusLayout;
  /** Shards dropped because their file was missing or changed. */
  dropped: string[];
  /** Files deleted from the directory. */
  deleted: string[];
}

function fileMatches(path: string, bytes: number, sha256: string): boolean {
  try {
    if (statSync(path).size !== bytes) return false;
    // chunked, so checking a 512 MiB shard does not hold it in memory
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    const fd = openSync(path, 'r');
    try {
      for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) h.update(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
    return h.digest('hex') === sha256;
  } catch {
    return false;
  }
}

/** Whether a file name in a corpus directory is the sink's (shards, temporary files, index files). */
export function isCorpusFile(name: string, cfg: ShardConfig): boolean {
  if (name === MANIFEST_FILE || name === STATS_FILE || name === `${MANIFEST_FILE}.tmp` || name === `${STATS_FILE}.tmp`) return true;
  return name.startsWith(`${cfg.namePrefix}-`) && (name.endsWith('.parquet') || name.endsWith('.parquet.tmp'));
}

/**
 * Prepares `dir` for a resumed (or first) write: keeps the journalled shards that verify, deletes the
 * rest of the corpus files, and rewrites the journal at `journalPath` to header(key) + kept lines.
 * With no usable journal (first run, other key) the directory is emptied of corpus files.
 */
export function prepareResume(dir: string, journalPath: string, cfg: ShardConfig, key: string): ResumePoint {
  mkdirSync(dir, { recursive: true });
  const lines = readJournal(journalPath, key) ?? [];
  const kept: JournalShard[] = [];
  const dropped: string[] = [];
  for (const j of lines) {
    if (dropped.length === 0 && fileMatches(join(dir, j.file), j.bytes, j.sha256)) kept.push(j);
    else dropped.push(j.file);
  }
  const keep = new Set(kept.map((j) => j.file));
  const deleted: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (isCorpusFile(f, cfg) && !keep.has(f)) {
      rmSync(join(dir, f), { force: true });
      deleted.push(f);
    }
  }
  resetJournal(journalPath, key, kept);
  const last = kept.at(-1);
  return {
    kept,
    entries: kept.map((j) => shardEntryOf(j, journalPath)),
    layout: last ? layoutOf(last, journalPath) : { modalities: {} },
    dropped,
    deleted,
  };
}
