import { describe, expect, it } from 'vitest';
import { fnv1a, inPartition, parsePartition, partitionOfCell } from '../../src/pipeline/partition.js';

describe('partitioning by grid cell', () => {
  it('hashes with FNV-1a 32 (reference values)', () => {
    // Published FNV-1a test vectors.
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('puts every cell in exactly one partition, spread evenly', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `${i % 900}U_${Math.floor(i / 3)}R`);
    const counts = [0, 0, 0];
    for (const id of ids) {
      const owners = [0, 1, 2].filter((i) => inPartition(id, { index: i, count: 3 }));
      expect(owners).toHaveLength(1);
      counts[owners[0]]++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(900);
    expect(partitionOfCell('917D_239R', 1)).toBe(0);
  });

  it('parses i/N and reads the worker index of Kubernetes and AWS Batch', () => {
    expect(parsePartition(undefined)).toEqual({ index: 0, count: 1 });
    expect(parsePartition('2/5')).toEqual({ index: 2, count: 5 });
    expect(parsePartition('auto/4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    expect(parsePartition('auto/4', { AWS_BATCH_JOB_ARRAY_INDEX: '1' })).toEqual({ index: 1, count: 4 });
    expect(() => parsePartition('5/5')).toThrow('--partition: "5/5" is not valid; expected 0 <= i < N and N >= 1');
    expect(() => parsePartition('x')).toThrow('--partition: "x" is not valid; expected i/N (e.g. 0/3) or auto/N');
    expect(() => parsePartition('auto/2', {})).toThrow('no worker index found');
  });
});
