// Deterministic split of a run's work by grid cell, for cluster engines that start N copies of the
// same command (Kubernetes Indexed Jobs, AWS Batch array jobs). A cell belongs to exactly one
// partition, decided by a hash of its id alone, so the split does not depend on how many cells an
// area has, on their order, or on which partitions already ran.
import { UsageError } from '../errors.js';

export interface Partition {
  /** 0-based index of this worker. */
  index: number;
  /** Number of workers. */
  count: number;
}

export const WHOLE: Partition = { index: 0, count: 1 };

/** FNV-1a 32-bit: tiny, fast and stable across platforms and Node versions. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function partitionOfCell(cellId: string, count: number): number {
  return count <= 1 ? 0 : fnv1a(cellId) % count;
}

export function inPartition(cellId: string, p: Partition): boolean {
  return partitionOfCell(cellId, p.count) === p.index;
}

/**
 * `--partition i/N`, or the index from the environment of a cluster engine when only N is known:
 * `JOB_COMPLETION_INDEX` (Kubernetes Indexed Job) or `AWS_BATCH_JOB_ARRAY_INDEX` (AWS Batch array job).
 * Accepts `i/N` and `auto/N`.
 */
export function parsePartition(spec: string | undefined, env: NodeJS.ProcessEnv = process.env): Partition {
  if (spec === undefined) return WHOLE;
  const m = /^(\d+|auto)\/(\d+)$/.exec(spec.trim());
  if (!m) throw new UsageError(`--partition: "${spec}" is not valid; expected i/N (e.g. 0/3) or auto/N`);
  const count = Number(m[2]);
  let index: number;
  if (m[1] === 'auto') {
    const fromEnv = env.JOB_COMPLETION_INDEX ?? env.AWS_BATCH_JOB_ARRAY_INDEX;
    if (fromEnv === undefined || !/^\d+$/.test(fromEnv)) {
      throw new UsageError(`--partition ${spec}: no worker index found; expected JOB_COMPLETION_INDEX (Kubernetes) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) to hold an integer`);
    }
    index = Number(fromEnv);
  } else index = Number(m[1]);
  if (count < 1 || index >= count) throw new UsageError(`--partition: "${spec}" is not valid; expected 0 <= i < N and N >= 1`);
  return { index, count };
}
