// Cross-modal figures on hand-made features whose answers are known.
import { describe, expect, it } from 'vitest';
import { centreOnReference, crossModalKnn, partnerRanks, retrievalBothWays, retrievalReport, type PairedFeatures } from '../../src/train/crossmodal.js';
import { knnPredict } from '../../src/train/knn.js';
import { memoryTileSource } from '../../src/train/tiles.js';
import { evalCrossModalSource, pairedFeatures } from '../../src/train/evaluate-crossmodal.js';
import { randomEncoder } from '../../src/train/features.js';
import { isHeldOut } from '../../src/train/split.js';
import { synthStats, synthTiles } from './synthetic.js';

const deg = (a: number) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];

describe('partner rank and retrieval report', () => {
  it('ranks the co-located gallery row by cosine similarity, ties against the partner', () => {
    // gallery at 0, 30, 60, 90 degrees
    const gallery = Float32Array.from([0, 30, 60, 90].flatMap(deg));
    // q0 = its partner (rank 1); q1 points at 90 deg: 90, 60 before its partner at 30 (rank 3);
    // q2 at 45 deg is as close to 30 as to its partner at 60 (tie: rank 2); q3 at 0 deg, its
    // partner at 90 is the farthest (rank 4). Lengths do not matter (cosine).
    const query = Float32Array.from([...deg(0), ...deg(90).map((v) => 3 * v), ...deg(45), ...deg(0)]);
    const ranks = partnerRanks(query, gallery, 2);
    expect(ranks).toEqual([1, 3, 2, 4]);
    const r = retrievalReport(ranks, 's1', 's2_l2a');
    expect(r).toMatchObject({ n: 4, chance: 2, medianRank: 2.5, meanRank: 2.5, topK: [{ k: 1, recall: 0.25 }] });
    expect(r.mrr).toBeCloseTo((1 + 1 / 3 + 1 / 2 + 1 / 4) / 4, 12);
    // bins of width N/10: rank 1 -> 0, 2 -> 2, 3 -> 5, 4 -> 7
    expect(r.histogram).toEqual([1, 0, 1, 0, 0, 1, 0, 1, 0, 0]);
    // a constant (zero) feature finds nothing: its partner ties with every row and comes last
    expect(partnerRanks(new Float32Array(8), gallery, 2)).toEqual([4, 4, 4, 4]);
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(retrievalReport([5, 1, 9, 2, 7, 3], 's2_l2a', 's1').medianRank).toBe(4);
    expect(() => retrievalReport([], 's1', 's2_l2a')).toThrow(/no held-out tile has both modalities/);
  });
});

// Two classes X (bin 1, tree cover) and Y (bin 8, water) with content (1, 0) and (0, 1); modality A
// adds the offset (3, 0), modality B the offset (0, 3) (the modality gap). Reference tiles X, X, Y;
// held-out tiles X, Y.
const content = [[1, 0], [1, 0], [0, 1], [1, 0], [0, 1]];
const pair: PairedFeatures = {
  modalities: ['s1', 's2_l2a'],
  tileIds: ['r1', 'r2', 'r3', 'h1', 'h2'],
  labels: [1, 1, 8, 1, 8],
  heldOut: [false, false, false, true, true],
  dim: 2,
  features: [Float32Array.from(content.flatMap(([a, b]) => [a + 3, b])), Float32Array.from(content.flatMap(([a, b]) => [a, b + 3]))],
};

describe('per-modality centring and cross-modal kNN', () => {
  it('centres each modality on its own mean over the reference tiles only', () => {
    const [a, b] = centreOnReference(pair);
    // A reference mean (11/3, 1/3), B reference mean (2/3, 10/3); held-out rows do not enter the mean
    const expectA = content.flatMap(([x, y]) => [x + 3 - 11 / 3, y - 1 / 3]);
    const expectB = content.flatMap(([x, y]) => [x - 2 / 3, y + 3 - 10 / 3]);
    [...a].forEach((v, i) => expect(v).toBeCloseTo(expectA[i], 6));
    [...b].forEach((v, i) => expect(v).toBeCloseTo(expectB[i], 6));
  });

  it('centring removes the modality gap: uncentred the Y query votes X, centred both are right', () => {
    // without centring: A's Y tile (3, 1) is closer in angle to B's X (1, 3) than to B's Y (0, 4)
    const refB = Float32Array.from([1, 3, 1, 3, 0, 4]);
    expect(knnPredict(refB, [1, 1, 8], Float32Array.from([4, 0, 3, 1]), 2, 1)).toEqual([1, 1]);
    const r = crossModalKnn(pair, 1);
    expect(r).toMatchObject({ query: 's1', reference: 's2_l2a' });
    expect(r.crossModal).toMatchObject({ k: 1, train: 3, test: 2, accuracy: 1 });
    expect(r.majority).toEqual({ code: 10, name: 'tree cover', accuracy: 0.5 });
    expect(r.sameModality.accuracy).toBe(1);
    // the other direction: s2_l2a queries against s1 reference tiles
    expect(crossModalKnn(pair, 1, 1)).toMatchObject({ query: 's2_l2a', reference: 's1', crossModal: { accuracy: 1 } });
  });

  it('retrieval runs both ways on the held-out tiles only', () => {
    const [ab, ba] = retrievalBothWays(pair);
    expect(ab).toMatchObject({ query: 's1', gallery: 's2_l2a', n: 2, medianRank: 1, mrr: 1 });
    expect(ba).toMatchObject({ query: 's2_l2a', gallery: 's1', n: 2, medianRank: 1, mrr: 1 });
  });
});

describe('paired features from tiles', () => {
  it('encodes each modality alone, pairs tiles that have both, and marks the split', async () => {
    const tiles = synthTiles({ count: 12, size: 16, seed: 2 });
    const stats = synthStats(tiles);
    delete tiles[4].modalities.s1; // no S1: not in the pair
    const src = memoryTileSource(tiles, stats);
    const p = await pairedFeatures(src, randomEncoder('tiny', 0), { inputSize: 16 });
    expect(p.tileIds).toEqual(tiles.filter((_, i) => i !== 4).map((t) => t.tileId));
    expect(p.heldOut).toEqual(p.tileIds.map((id) => isHeldOut(id)));
    expect(p.features[0]).toHaveLength(11 * 96);
    // S1 and S2 features of a tile differ (each modality encoded on its own)
    expect(Array.from(p.features[0].subarray(0, 96))).not.toEqual(Array.from(p.features[1].subarray(0, 96)));
    const r = await evalCrossModalSource(src, randomEncoder('tiny', 0), { inputSize: 16, backend: 'cpu', k: 3 });
    const n = p.heldOut.filter(Boolean).length;
    expect(r.retrieval.map((x) => [x.query, x.gallery, x.n, x.chance])).toEqual([['s1', 's2_l2a', n, n / 2], ['s2_l2a', 's1', n, n / 2]]);
    expect(r.knn.crossModal.test + r.knn.crossModal.train).toBe(11);
  });
});
