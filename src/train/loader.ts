// Streaming batches: a shuffle buffer over the tile stream (across shard boundaries, wrapping into
// a new epoch at the end), multi-crop views per tile, and a state small enough for a checkpoint.
// Exact resume: the buffer is saved as the stream indices it holds plus the shuffle RNG; on restore
// those tiles are read again from the source. Crop and view randomness derive from (seed, step), so
// they need no state at all.
import { MODALITIES, type Modality } from '../model/types.js';
import type { TrainConfig } from '../config/sections/train.js';
import { TrainError } from '../errors.js';
import { cropPatches, randomBox, randomPhotometric } from './crops.js';
import { deriveSeed, Rng, type RngState } from './rng.js';
import { channelIndices, type TileSource, type TrainTile } from './tiles.js';
import type { CorpusNormalisation } from '../shard/stats.js';

export interface StreamState {
  epoch: number;
  /** Stream index of the next tile to read into the buffer. */
  nextIndex: number;
  /** Stream indices held in the buffer, in buffer order. */
  buffer: number[];
  rng: RngState;
}

/** Shuffle buffer over a TileSource with a restorable state. */
export class ShuffleStream {
  private buf: { index: number; tile: TrainTile }[] = [];
  private it: AsyncIterator<TrainTile> | null = null;
  private epoch = 0;
  private nextIndex = 0;
  private rng: Rng;
  private restored = false;

  constructor(
    private readonly source: TileSource,
    private readonly size: number,
    seed: number,
    private readonly initial?: StreamState,
  ) {
    this.rng = initial ? Rng.fromState(initial.rng) : new Rng(deriveSeed(seed, 'shuffle'));
    if (initial) {
      this.epoch = initial.epoch;
      this.nextIndex = initial.nextIndex;
    }
  }

  state(): StreamState {
    return { epoch: this.epoch, nextIndex: this.nextIndex, buffer: this.buf.map((b) => b.index), rng: this.rng.state() };
  }

  private async restore(): Promise<void> {
    this.restored = true;
    const want = this.initial?.buffer ?? [];
    if (want.length === 0) return;
    const need = new Set(want);
    const found = new Map<number, TrainTile>();
    let i = Math.min(...want);
    for await (const t of this.source.read(i)) {
      if (need.has(i)) found.set(i, t);
      if (found.size === need.size) break;
      i++;
    }
    for (const idx of want) {
      const tile = found.get(idx);
      if (!tile) throw new TrainError(`resume: the corpus has no tile at stream index ${idx} (it changed since the checkpoint?)`);
      this.buf.push({ index: idx, tile });
    }
  }

  private async readOne(): Promise<{ index: number; tile: TrainTile } | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.it) this.it = this.source.read(this.nextIndex)[Symbol.asyncIterator]();
      const r = await this.it.next();
      if (!r.done) return { index: this.nextIndex++, tile: r.value };
      // End of the corpus: next epoch starts again at index 0.
      this.it = null;
      if (this.nextIndex === 0) return null; // empty corpus
      this.epoch++;
      this.nextIndex = 0;
    }
    return null;
  }

  async next(): Promise<TrainTile> {
    if (!this.restored) await this.restore();
    while (this.buf.length < this.size) {
      const e = await this.readOne();
      if (!e) break;
      this.buf.push(e);
    }
    if (this.buf.length === 0) throw new TrainError('the corpus has no tiles to train on');
    const i = this.rng.int(this.buf.length);
    const e = this.buf[i];
    this.buf[i] = this.buf[this.buf.length - 1];
    this.buf.pop();
    return e.tile;
  }

  async close(): Promise<void> {
    await this.it?.return?.();
    this.it = null;
  }
}

export interface ViewSpec {
  kind: 'global' | 'local';
  size: number;
  /** One modality, or several (fused). */
  modalities: Modality[];
}

export interface BatchView extends ViewSpec {
  grid: number;
  /** Per modality, [B, g*g, C*p*p] flattened. */
  patches: Partial<Record<Modality, Float32Array>>;
}

export interface Batch {
  step: number;
  size: number;
  tileIds: string[];
  histograms: number[][];
  sampleWeights: number[];
  /** Global views first (teacher inputs), then local views. */
  views: BatchView[];
  /** Loader state after this batch was drawn: what a checkpoint after this step stores. */
  stateAfter: StreamState;
}

/** Patch feature width of a modality: model channels x p x p. */
export function patchWidth(m: Modality, patch: number): number {
  return channelIndices(m, m === 's1' ? 2 : 12).length * patch * patch;
}

/** Chooses each view's modality for a step from those every tile in the batch has. */
export function planViews(cfg: TrainConfig, tiles: TrainTile[], rng: Rng): ViewSpec[] {
  const shared = MODALITIES.filter((m) => cfg.views.modalities.includes(m) && tiles.every((t) => t.modalities[m] !== undefined));
  if (shared.length === 0) {
    const bad = tiles.filter((t) => !cfg.views.modalities.some((m) => t.modalities[m]));
    throw new TrainError(
      `no modality of [${cfg.views.modalities.join(', ')}] is present in every tile of the batch` +
        (bad.length ? ` (tile ${bad[0].tileId} has only [${Object.keys(bad[0].modalities).join(', ')}])` : ''),
    );
  }
  const pick = (): Modality[] => [shared[rng.int(shared.length)]];
  const views: ViewSpec[] = [];
  // With distinctGlobal the global views walk through the shared modalities from a random start,
  // so the teacher's views of a tile differ in modality whenever two are available (every pair of
  // global views is cross-modal); otherwise each view draws its modality at random.
  const start = rng.int(shared.length);
  for (let v = 0; v < cfg.crops.globalCount; v++) {
    const fused = v === 0 && cfg.views.fuseFirstGlobal && shared.length > 1;
    const single = cfg.views.distinctGlobal ? [shared[(start + v) % shared.length]] : pick();
    views.push({ kind: 'global', size: cfg.crops.globalSize, modalities: fused ? [...shared] : single });
  }
  for (let v = 0; v < cfg.crops.localCount; v++) views.push({ kind: 'local', size: cfg.crops.localSize, modalities: pick() });
  return views;
}

/** Builds the batch arrays for drawn tiles (pure given the step seed). */
export function buildBatch(cfg: TrainConfig, patch: number, stats: CorpusNormalisation, tiles: TrainTile[], step: number): Omit<Batch, 'stateAfter'> {
  const rng = new Rng(deriveSeed(cfg.seed, 'step', step));
  const specs = planViews(cfg, tiles, rng);
  const B = tiles.length;
  const views: BatchView[] = specs.map((s) => {
    const g = s.size / patch;
    const patches: Partial<Record<Modality, Float32Array>> = {};
    for (const m of s.modalities) patches[m] = new Float32Array(B * g * g * patchWidth(m, patch));
    return { ...s, grid: g, patches };
  });
  for (let b = 0; b < B; b++) {
    for (const v of views) {
      // One window per view and tile, shared by the modalities of a fused view (co-registered).
      const box = randomBox(rng, v.kind === 'global' ? cfg.crops.globalScale : cfg.crops.localScale, true);
      for (const m of v.modalities) {
        const per = v.grid * v.grid * patchWidth(m, patch);
        const photo = randomPhotometric(rng, patchWidth(m, 1), cfg.augment);
        cropPatches(m, tiles[b].modalities[m]!, stats.modalities[m], box, v.size, patch, v.patches[m]!, b * per, photo);
      }
    }
  }
  return {
    step,
    size: B,
    tileIds: tiles.map((t) => t.tileId),
    histograms: tiles.map((t) => t.classHistogram),
    sampleWeights: tiles.map((t) => (Number.isFinite(t.sampleWeight) ? t.sampleWeight : 1)),
    views,
  };
}

/** Draws batches step by step; `next()` may be called before the previous step finishes (prefetch). */
export class BatchLoader {
  private readonly stream: ShuffleStream;
  private step: number;

  constructor(
    source: TileSource,
    private readonly cfg: TrainConfig,
    private readonly patch: number,
    private readonly stats: CorpusNormalisation,
    startStep: number,
    state?: StreamState,
  ) {
    this.stream = new ShuffleStream(source, cfg.shuffleBuffer, cfg.seed, state);
    this.step = startStep;
  }

  async next(): Promise<Batch> {
    const step = this.step++;
    const tiles: TrainTile[] = [];
    for (let b = 0; b < this.cfg.batchSize; b++) tiles.push(await this.stream.next());
    const stateAfter = this.stream.state();
    return { ...buildBatch(this.cfg, this.patch, this.stats, tiles, step), stateAfter };
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}
