// Training throughput: step time and images (tiles) per second of one full DINO step (teacher
// forward on the global views, student forward + backward on all views, AdamW, EMA, centres) for
// tiny and small on wasm, tiny on cpu; plus frozen-feature extraction throughput (embed / kNN).
// Synthetic in-memory tiles, so data loading is excluded from the step time (it is measured apart).
// The tensorflow (tfjs-node) and webgpu backends are measured when present; here there is neither.
// Peer: the same step on PyTorch (bench/peers/torch_train_step.py, Debian's torch + OpenBLAS, all
// cores), run alternately with ours (A B A B) for tiny and small so both see the same machine load;
// the ratio of images/s is taken per pair. Parameter counts of both sides must be equal.
import type { BenchContext } from './harness.js';
import { normaliseTrain, type RawTrain } from '../src/config/sections/train.js';
import { selectBackend } from '../src/train/backend.js';
import { extractFeatures, randomEncoder } from '../src/train/features.js';
import { BatchLoader } from '../src/train/loader.js';
import { synthStats, synthTiles } from '../src/train/synthetic.js';
import { memoryTileSource } from '../src/train/tiles.js';
import { resolveWorkerCount } from '../src/train/parallel/pool.js';
import { TrainerState } from '../src/train/trainer.js';
import type { ConcreteBackend } from '../src/train/backend.js';
import { cpus, loadavg } from 'node:os';
import { countParams } from '../src/train/sizes.js';
import type { Modality } from '../src/model/types.js';
import type { TrainConfig } from '../src/config/sections/train.js';
import type { Batch } from '../src/train/loader.js';
import { stepFlops, type FlopView } from './train-flops.js';
import { TorchPeer, torchUnavailable, type PeerConfig } from './peers/torch-peer.js';

interface Case {
  backend: ConcreteBackend;
  raw: RawTrain;
  reps: number;
  /** Alternate with the PyTorch peer. */
  peer?: boolean;
}

function flopViews(batch: Batch): FlopView[] {
  return batch.views.map((v) => ({ grid: v.grid, modalities: Object.keys(v.patches) as Modality[] }));
}

function peerConfig(cfg: TrainConfig, state: TrainerState, views: FlopView[]): PeerConfig {
  const s = state.shape;
  return {
    embed_dim: s.embedDim,
    depth: s.depth,
    heads: s.heads,
    patch_size: s.patchSize,
    img_size: s.imgSize,
    mlp_ratio: s.mlpRatio,
    token_dim_factor: s.tokenDimFactor,
    fusion_queries: s.fusionQueries,
    eps: s.layerNormEps,
    token_eps: s.tokenNormEps,
    head_hidden: cfg.head.hiddenDim,
    head_bottleneck: cfg.head.bottleneckDim,
    out_dim: cfg.outDim,
    batch: cfg.batchSize,
    global_count: cfg.crops.globalCount,
    views,
    lr: cfg.lr,
    weight_decay: cfg.weightDecay.start,
    teacher_temp: cfg.teacherTemp.warmupStart,
    student_temp: cfg.studentTemp,
    clip_grad: cfg.clipGrad,
    momentum: cfg.momentumTeacher.start,
    seed: cfg.seed,
  };
}

export default async function (ctx: BenchContext): Promise<void> {
  const tiles = synthTiles({ count: 24, size: 96, seed: 5 });
  const stats = synthStats(tiles);
  const q = ctx.quick;
  const crops = { global_size: 64, local_size: 32, local_count: 4 };
  const cases: Case[] = [
    { backend: 'wasm', raw: { size: 'tiny', batch_size: q ? 2 : 8, crops }, reps: q ? 1 : 8, peer: true },
    { backend: 'wasm', raw: { size: 'small', batch_size: q ? 2 : 4, crops }, reps: q ? 1 : 6, peer: true },
    { backend: 'cpu', raw: { size: 'tiny', batch_size: 2, crops: { global_size: 32, local_size: 16, local_count: 2 } }, reps: q ? 1 : 2 },
  ];
  const present: ConcreteBackend[] = [];
  const absent: string[] = [];
  for (const b of ['tensorflow', 'webgpu'] as const) {
    try {
      await selectBackend(b);
      present.push(b);
    } catch (e) {
      const msg = (e as Error).message;
      absent.push(b === 'tensorflow' ? 'tensorflow (@tensorflow/tfjs-node not installed)' : `webgpu (${msg.replace(/^backend webgpu is not available: /, '').split(';')[0]})`);
    }
  }
  const absentNote = absent.length ? `; not measured here: ${absent.join(', ')}` : '';
  for (const b of present) cases.unshift({ backend: b, raw: { size: 'tiny', batch_size: 16, crops }, reps: 3 }, { backend: b, raw: { size: 'small', batch_size: 16, crops }, reps: 3 });

  const noTorch = torchUnavailable();
  for (const c of cases) {
    await selectBackend(c.backend);
    const cfg = normaliseTrain({ ...c.raw, steps: 100, out_dim: 1024, backend: c.backend, shuffle_buffer: 8 });
    const state = new TrainerState(cfg, stats);
    await state.startWorkers(resolveWorkerCount(cfg.workers, c.backend), c.backend);
    const loader = new BatchLoader(memoryTileSource(tiles, stats), cfg, state.shape.patchSize, stats, 0);
    const label = `${cfg.size} ${c.backend} ${state.workerCount} thread(s) batch ${cfg.batchSize}, crops ${cfg.crops.globalCount}x${cfg.crops.globalSize}px + ${cfg.crops.localCount}x${cfg.crops.localSize}px`;
    const stepMs: number[] = [];
    const cpuMs: number[] = [];
    const loadMs: number[] = [];
    const load0 = loadavg()[0];
    const flops: number[] = [];
    const peerMs: { ms: number; cpuMs: number }[] = [];
    let peer: TorchPeer | null = null;
    let peerFlops = NaN;
    // The first WARMUP steps of each side (JIT, allocator, the workers' first weights) are not counted.
    const WARMUP = q ? 1 : 2;
    for (let i = 0; i < c.reps + WARMUP; i++) {
      const t0 = performance.now();
      const batch = await loader.next();
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      await state.runStep(batch);
      const c2 = process.cpuUsage(c1);
      const t2 = performance.now();
      const views = flopViews(batch);
      if (i === 0 && c.peer && !noTorch) {
        // The peer builds its parameters from the hyper-parameters alone; equal counts show it is the same model.
        peer = await TorchPeer.start(peerConfig(cfg, state, views));
        peerFlops = stepFlops(state.shape, { ...cfg.head, outDim: cfg.outDim }, views, cfg.crops.globalCount, cfg.batchSize);
        const ours = countParams(state.specs).total;
        if (peer.params !== ours) throw new Error(`torch peer has ${peer.params} parameters, ours ${ours}: not the same model`);
      }
      const tp = peer ? await peer.step() : null;
      if (i >= WARMUP) {
        stepMs.push(t2 - t1);
        cpuMs.push((c2.user + c2.system) / 1000);
        loadMs.push(t1 - t0);
        flops.push(stepFlops(state.shape, { ...cfg.head, outDim: cfg.outDim }, views, cfg.crops.globalCount, cfg.batchSize));
        if (tp) peerMs.push(tp);
      }
    }
    await state.close();
    const oursIps = stepMs.map((ms) => (1000 * cfg.batchSize) / ms);
    const loadNote = `1-min load average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`;
    ctx.record({ name: `train step ${label}`, unit: 'ms', values: stepMs, note: `one optimiser step, data excluded; ${loadNote}` });
    ctx.record({ name: `train step CPU time ${label}`, unit: 'ms', values: cpuMs, note: 'CPU time of this process during the step, all its threads (train.workers: auto = one gradient thread per core on wasm): less sensitive to other load than wall time' });
    ctx.record({ name: `train throughput ${label}`, unit: 'images/s', values: oursIps, note: `tiles per second${absentNote}` });
    ctx.record({ name: `train GFLOP/s ${label}`, unit: 'GFLOP/s', values: stepMs.map((ms, i) => flops[i] / ms / 1e6), note: `matmul FLOPs (${(flops[0] / 1e9).toFixed(2)} GFLOP/step: teacher fwd + student fwd + 2x student fwd for backward) / step time` });
    ctx.record({ name: `batch build ${label}`, unit: 'ms', values: loadMs, note: 'shuffle + multi-crop + normalise (JS); runs between steps, only shard reads overlap a step' });
    if (c.peer) {
      ctx.record({ name: `peak RSS ours after ${cfg.size}`, unit: 'MiB', values: [ctx.peakRssMiB()], note: 'this process so far (RSS peaks only grow: after small it is the larger of the two)' });
      if (!peer) {
        ctx.record({ name: `torch peer ${label}`, unit: 'images/s', values: [], note: `skipped: ${noTorch}` });
        continue;
      }
      const peerRss = await peer.close();
      const peerIps = peerMs.map((p) => (1000 * cfg.batchSize) / p.ms);
      const peerNote = `PyTorch ${peer.version}, ${peer.threads} threads, same step and ${peer.params} parameters (bench/peers/torch_train_step.py), alternated with ours`;
      ctx.record({ name: `torch peer step ${label}`, unit: 'ms', values: peerMs.map((p) => p.ms), note: peerNote });
      ctx.record({ name: `torch peer step CPU time ${label}`, unit: 'ms', values: peerMs.map((p) => p.cpuMs), note: 'CPU time of the Python process during the step, all threads' });
      ctx.record({ name: `torch peer throughput ${label}`, unit: 'images/s', values: peerIps, note: peerNote });
      ctx.record({ name: `torch peer GFLOP/s ${label}`, unit: 'GFLOP/s', values: peerMs.map((p) => peerFlops / p.ms / 1e6), note: `${(peerFlops / 1e9).toFixed(2)} GFLOP/step, counted as ours (its views keep the modalities of our first batch)` });
      ctx.record({ name: `torch peer peak RSS ${cfg.size}`, unit: 'MiB', values: [peerRss], note: 'the Python process' });
      ctx.record({ name: `ours / torch images/s ${label}`, unit: 'ratio', values: oursIps.map((x, i) => x / peerIps[i]), note: 'per alternated pair (A B A B); issue 13 target >= 0.3, goal 0.5' });
      ctx.record({ name: `torch / ours CPU time per step ${label}`, unit: 'ratio', values: cpuMs.map((c, i) => peerMs[i].cpuMs / c), note: 'per pair: work done per CPU-second, ours relative to the peer (both use every core: ours one wasm gradient thread per core, the peer its BLAS threads); steadier than the wall-time ratio on a shared machine' });
    }
  }

  await selectBackend('wasm');
  const enc = randomEncoder('tiny', 0);
  const src = memoryTileSource(tiles, stats);
  const featMs: number[] = [];
  for (let i = 0; i < (q ? 1 : 3); i++) {
    const t0 = performance.now();
    await extractFeatures(src, enc, { inputSize: 64, batchSize: 8 });
    featMs.push(performance.now() - t0);
  }
  ctx.record({ name: 'embed tiny wasm 64 px, 3 modalities fused', unit: 'images/s', values: featMs.map((ms) => (1000 * tiles.length) / ms) });
  ctx.record({ name: 'peak RSS (train benchmark process)', unit: 'MiB', values: [ctx.peakRssMiB()] });
}
