import { strictObject, type ConfigSection, type JsonSchema } from '../section.js';
import type { ConfigIssue } from '../../errors.js';
import { MODALITIES, type Modality } from '../../model/types.js';

/** Which tfjs backend trains: `auto` picks the best present (tensorflow > webgpu > wasm > cpu). */
export type TrainBackend = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** `train:` TerraFM pretraining (DINO-style self-distillation with dual centering). */
export interface TrainConfig {
  /** Encoder size: tiny | small (ours, CPU-sized) | base | large (TerraFM-B / -L shapes). Default tiny. */
  size: 'tiny' | 'small' | 'base' | 'large';
  /** Optimiser steps. Default 200. */
  steps: number;
  /** Tiles per step. Default 16. */
  batchSize: number;
  /** Peak learning rate after warm-up (absolute, not scaled by batch). Default 5e-4. */
  lr: number;
  /** Learning rate at the end of the cosine decay. Default 1e-6. */
  minLr: number;
  /** Linear learning-rate warm-up from 0, in steps. Default 10, or a tenth of the steps for runs under 100 steps. */
  warmupSteps: number;
  /** Decoupled (AdamW) weight decay, cosine from start to end over the run. Default 0.04 -> 0.4. */
  weightDecay: { start: number; end: number };
  /** Teacher EMA momentum, cosine from start to end. Default 0.996 -> 1. */
  momentumTeacher: { start: number; end: number };
  /** Teacher temperature: linear warm-up from warmupStart to final over warmupSteps, then constant. Default 0.04 -> 0.04 over 30 steps (DINO's default; raise final to 0.07 for long, stable runs). */
  teacherTemp: { warmupStart: number; final: number; warmupSteps: number };
  /** Student temperature. Default 0.1. */
  studentTemp: number;
  /** Number of prototypes K of the projection head. Default 1024. */
  outDim: number;
  /** Projection head MLP width and L2-normalised bottleneck width. Default 256 / 64. */
  head: { hiddenDim: number; bottleneckDim: number };
  /** Multi-crop: global and local crop sides (px), counts and area-scale ranges of the tile. */
  crops: {
    /** Default 64. Must be a multiple of the patch size. */
    globalSize: number;
    /** Default 2 (at least 2: the teacher sees each, the student learns across them). */
    globalCount: number;
    /** Area fraction range of the tile a global crop covers. Default [0.4, 1]. */
    globalScale: [number, number];
    /** Default 32. Must be a multiple of the patch size. */
    localSize: number;
    /** Default 4 (0 disables local crops). */
    localCount: number;
    /** Default [0.05, 0.4]. */
    localScale: [number, number];
  };
  /**
   * Photometric augmentation per view and tile (our multispectral counterpart of DINO's colour
   * jitter): crops of one tile share its scene's illumination and haze, so without it the views can
   * agree on those instead of on land cover. Values are applied to raw pixels before normalising:
   * `v * brightness_factor * band_factor`, then `offset * band std` is added. All 0 = off (default).
   */
  augment: {
    /** All bands of a view scaled by U(1 - b, 1 + b) (illumination, slope). Default 0. */
    brightness: number;
    /** Each band further scaled by U(1 - g, 1 + g) (calibration, atmosphere). Default 0. */
    bandGain: number;
    /** Each band shifted by U(-o, o) of its corpus std (haze, path radiance). Default 0. */
    offset: number;
  };
  /** Modalities as views: each view draws one of these modalities (those every tile of the batch has). */
  views: {
    /** Default all: s2_l2a, s2_l1c, s1. */
    modalities: Modality[];
    /** The first global view fuses all modalities the batch shares (cross-attention fusion). Default true. */
    fuseFirstGlobal: boolean;
    /** Global views walk through the shared modalities (always cross-modal pairs) instead of drawing each at random. Default false. */
    distinctGlobal: boolean;
  };
  /** Centering of teacher logits. */
  centering: {
    /** `dual` (C and class-frequency-aware C_h) or `dino` (C only). Default dual. */
    mode: 'dino' | 'dual';
    /** Share of C in the combined centre: lambda * C + (1 - lambda) * C_h. Default 0.5. */
    lambda: number;
    /** EMA momentum of both centres. Default 0.9. */
    momentum: number;
    /** Exponent alpha of the inverse class frequency f_c^-alpha. Default 1. */
    classPower: number;
  };
  /** Encoder (backbone) learning rate relative to the projection head's. */
  backbone: {
    /** Steps at the start during which only the head learns (encoder frozen; the teacher still follows). Default 0. */
    freezeSteps: number;
    /** Encoder lr = lr x this after the frozen steps. Default 1. */
    lrScale: number;
  };
  /** Weight of the KoLeo regulariser on the student's global-view CLS features (DINOv2 uses 0.1): spreads tiles apart, keeping kNN neighbourhoods. Default 0 (off). */
  koleoWeight: number;
  /** Clip gradients to this global L2 norm; 0 disables. Default 3. */
  clipGrad: number;
  /** Write a checkpoint every N steps (and on SIGINT and at the end). Default 50. */
  checkpointEvery: number;
  /** Default auto. */
  backend: TrainBackend;
  /**
   * Data-parallel worker threads (the main thread counts as one): each computes the gradients of its
   * slice of the batch; `auto` = the number of cores on the wasm backend, 1 on the others (a GPU or
   * native TensorFlow already uses the machine). Default auto.
   */
  workers: number | 'auto';
  /** Seed for initialisation, shuffling and augmentation. Default 0. */
  seed: number;
  /** Tiles held in the shuffle buffer (raw, so memory grows with tile size). Default 32. */
  shuffleBuffer: number;
  /** Weight each tile's loss by its sampler weight (normalised to mean 1 in the batch). Default false. */
  useSampleWeight: boolean;
  /**
   * The held-out split that `eval` scores on (a hash of the tile id, src/train/split.ts). Training
   * leaves those tiles out unless `exclude` is false, so the evaluations never score tiles the
   * encoder trained on (for cross-modal retrieval that would be leakage).
   */
  heldOut: {
    /** Percent of tiles held out. Default 30 (what `eval` uses). */
    percent: number;
    /** Seed of the split hash. Default 0. */
    seed: number;
    /** Train without the held-out tiles. Default true. */
    exclude: boolean;
  };
}

export const TRAIN_DEFAULTS: TrainConfig = {
  size: 'tiny',
  steps: 200,
  batchSize: 16,
  lr: 5e-4,
  minLr: 1e-6,
  warmupSteps: 10,
  weightDecay: { start: 0.04, end: 0.4 },
  momentumTeacher: { start: 0.996, end: 1 },
  teacherTemp: { warmupStart: 0.04, final: 0.04, warmupSteps: 30 },
  studentTemp: 0.1,
  outDim: 1024,
  head: { hiddenDim: 256, bottleneckDim: 64 },
  crops: { globalSize: 64, globalCount: 2, globalScale: [0.4, 1], localSize: 32, localCount: 4, localScale: [0.05, 0.4] },
  augment: { brightness: 0, bandGain: 0, offset: 0 },
  views: { modalities: [...MODALITIES], fuseFirstGlobal: true, distinctGlobal: false },
  centering: { mode: 'dual', lambda: 0.5, momentum: 0.9, classPower: 1 },
  backbone: { freezeSteps: 0, lrScale: 1 },
  koleoWeight: 0,
  clipGrad: 3,
  checkpointEvery: 50,
  backend: 'auto',
  workers: 'auto',
  seed: 0,
  shuffleBuffer: 32,
  useSampleWeight: false,
  heldOut: { percent: 30, seed: 0, exclude: true },
};

export interface RawTrain {
  size?: TrainConfig['size'];
  steps?: number;
  batch_size?: number;
  lr?: number;
  min_lr?: number;
  warmup_steps?: number;
  weight_decay?: { start?: number; end?: number };
  momentum_teacher?: { start?: number; end?: number };
  teacher_temp?: { warmup_start?: number; final?: number; warmup_steps?: number };
  student_temp?: number;
  out_dim?: number;
  head?: { hidden_dim?: number; bottleneck_dim?: number };
  crops?: {
    global_size?: number;
    global_count?: number;
    global_scale?: [number, number];
    local_size?: number;
    local_count?: number;
    local_scale?: [number, number];
  };
  augment?: { brightness?: number; band_gain?: number; offset?: number };
  views?: { modalities?: Modality[]; fuse_first_global?: boolean; distinct_global?: boolean };
  centering?: { mode?: 'dino' | 'dual'; lambda?: number; momentum?: number; class_power?: number };
  backbone?: { freeze_steps?: number; lr_scale?: number };
  koleo_weight?: number;
  clip_grad?: number;
  checkpoint_every?: number;
  backend?: TrainBackend;
  workers?: number | 'auto';
  seed?: number;
  shuffle_buffer?: number;
  use_sample_weight?: boolean;
  held_out?: { percent?: number; seed?: number; exclude?: boolean };
}

const num = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'number', description, ...extra });
const int = (description: string, minimum = 1, extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', minimum, description, ...extra });
const unit = (description: string): JsonSchema => num(description, { minimum: 0, maximum: 1 });
const range = (description: string): JsonSchema => ({
  type: 'array',
  items: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  minItems: 2,
  maxItems: 2,
  description,
});

export const trainSchema: JsonSchema = strictObject(
  {
    size: { enum: ['tiny', 'small', 'base', 'large'], default: 'tiny', description: 'Encoder size. Default tiny.' },
    steps: int('Optimiser steps. Default 200.'),
    batch_size: int('Tiles per step. Default 16.'),
    lr: num('Peak learning rate. Default 5e-4.', { exclusiveMinimum: 0 }),
    min_lr: num('Final learning rate of the cosine decay. Default 1e-6.', { minimum: 0 }),
    warmup_steps: int('Linear learning-rate warm-up steps. Default 10 (a tenth of steps under 100).', 0),
    weight_decay: strictObject({ start: num('Default 0.04.', { minimum: 0 }), end: num('Default 0.4.', { minimum: 0 }) }, { description: 'AdamW weight decay, cosine schedule.' }),
    momentum_teacher: strictObject({ start: unit('Default 0.996.'), end: unit('Default 1.') }, { description: 'Teacher EMA momentum, cosine schedule.' }),
    teacher_temp: strictObject(
      { warmup_start: num('Default 0.04.', { exclusiveMinimum: 0 }), final: num('Default 0.04.', { exclusiveMinimum: 0 }), warmup_steps: int('Default 30.', 0) },
      { description: 'Teacher temperature warm-up.' },
    ),
    student_temp: num('Student temperature. Default 0.1.', { exclusiveMinimum: 0 }),
    out_dim: int('Prototypes K. Default 1024.', 2),
    head: strictObject({ hidden_dim: int('Default 256.'), bottleneck_dim: int('Default 64.') }, { description: 'Projection head widths.' }),
    crops: strictObject(
      {
        global_size: int('Global crop side in px. Default 64.', 8),
        global_count: int('Global crops. Default 2.', 2),
        global_scale: range('Area fraction range of global crops. Default [0.4, 1].'),
        local_size: int('Local crop side in px. Default 32.', 8),
        local_count: int('Local crops. Default 4.', 0),
        local_scale: range('Area fraction range of local crops. Default [0.05, 0.4].'),
      },
      { description: 'Multi-crop settings.' },
    ),
    augment: strictObject(
      {
        brightness: num('All bands of a view scaled by U(1-b, 1+b). Default 0 (off).', { minimum: 0, maximum: 0.9 }),
        band_gain: num('Each band further scaled by U(1-g, 1+g). Default 0 (off).', { minimum: 0, maximum: 0.9 }),
        offset: num('Each band shifted by U(-o, o) of its corpus std. Default 0 (off).', { minimum: 0, maximum: 5 }),
      },
      { description: 'Photometric augmentation per view (multispectral colour jitter).' },
    ),
    views: strictObject(
      {
        modalities: { type: 'array', items: { enum: [...MODALITIES] }, minItems: 1, uniqueItems: true, description: 'Modalities views draw from. Default all.' },
        fuse_first_global: { type: 'boolean', description: 'First global view fuses all shared modalities. Default true.' },
        distinct_global: { type: 'boolean', description: 'Global views take different modalities in turn instead of random ones. Default false.' },
      },
      { description: 'Modalities as views.' },
    ),
    centering: strictObject(
      {
        mode: { enum: ['dino', 'dual'], description: 'dual (C and C_h) or dino (C only). Default dual.' },
        lambda: unit('Weight of C in lambda*C + (1-lambda)*C_h. Default 0.5.'),
        momentum: unit('EMA momentum of the centres. Default 0.9.'),
        class_power: num('Exponent of the inverse class frequency. Default 1.', { minimum: 0, maximum: 4 }),
      },
      { description: 'Teacher centering.' },
    ),
    backbone: strictObject(
      {
        freeze_steps: int('Steps at the start in which only the projection head learns. Default 0.', 0),
        lr_scale: num('Encoder lr relative to lr after the frozen steps. Default 1.', { minimum: 0, maximum: 1 }),
      },
      { description: 'Encoder learning rate relative to the head (head first, then the encoder).' },
    ),
    koleo_weight: num('Weight of the KoLeo regulariser on student CLS features (DINOv2: 0.1). Default 0 (off).', { minimum: 0 }),
    clip_grad: num('Global gradient-norm clip, 0 = off. Default 3.', { minimum: 0 }),
    checkpoint_every: int('Checkpoint every N steps. Default 50.'),
    backend: { enum: ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'], description: 'tfjs backend. Default auto.' },
    workers: {
      oneOf: [{ type: 'integer', minimum: 1, maximum: 256 }, { const: 'auto' }],
      description: 'Data-parallel worker threads (main thread included); auto = cores on wasm, 1 on other backends. Default auto.',
    },
    seed: int('Random seed. Default 0.', 0),
    shuffle_buffer: int('Shuffle buffer size in tiles. Default 32.'),
    use_sample_weight: { type: 'boolean', description: 'Weight the loss by sample_weight. Default false.' },
    held_out: strictObject(
      {
        percent: int('Percent of tiles held out for evaluation (tile-id hash). Default 30.', 1, { maximum: 99 }),
        seed: int('Seed of the split hash. Default 0.', 0),
        exclude: { type: 'boolean', description: 'Leave the held-out tiles out of training. Default true.' },
      },
      { description: 'The held-out split the evaluations score on; training excludes it by default.' },
    ),
  },
  { description: 'TerraFM pretraining.' },
);

export function normaliseTrain(raw: RawTrain | undefined): TrainConfig {
  const d = TRAIN_DEFAULTS;
  const r = raw ?? {};
  return {
    size: r.size ?? d.size,
    steps: r.steps ?? d.steps,
    batchSize: r.batch_size ?? d.batchSize,
    lr: r.lr ?? d.lr,
    minLr: r.min_lr ?? d.minLr,
    warmupSteps: r.warmup_steps ?? Math.min(d.warmupSteps, Math.floor((r.steps ?? d.steps) / 10)),
    weightDecay: { start: r.weight_decay?.start ?? d.weightDecay.start, end: r.weight_decay?.end ?? d.weightDecay.end },
    momentumTeacher: { start: r.momentum_teacher?.start ?? d.momentumTeacher.start, end: r.momentum_teacher?.end ?? d.momentumTeacher.end },
    teacherTemp: {
      warmupStart: r.teacher_temp?.warmup_start ?? d.teacherTemp.warmupStart,
      final: r.teacher_temp?.final ?? d.teacherTemp.final,
      warmupSteps: r.teacher_temp?.warmup_steps ?? d.teacherTemp.warmupSteps,
    },
    studentTemp: r.student_temp ?? d.studentTemp,
    outDim: r.out_dim ?? d.outDim,
    head: { hiddenDim: r.head?.hidden_dim ?? d.head.hiddenDim, bottleneckDim: r.head?.bottleneck_dim ?? d.head.bottleneckDim },
    crops: {
      globalSize: r.crops?.global_size ?? d.crops.globalSize,
      globalCount: r.crops?.global_count ?? d.crops.globalCount,
      globalScale: r.crops?.global_scale ?? d.crops.globalScale,
      localSize: r.crops?.local_size ?? d.crops.localSize,
      localCount: r.crops?.local_count ?? d.crops.localCount,
      localScale: r.crops?.local_scale ?? d.crops.localScale,
    },
    augment: {
      brightness: r.augment?.brightness ?? d.augment.brightness,
      bandGain: r.augment?.band_gain ?? d.augment.bandGain,
      offset: r.augment?.offset ?? d.augment.offset,
    },
    views: {
      modalities: r.views?.modalities ?? [...d.views.modalities],
      fuseFirstGlobal: r.views?.fuse_first_global ?? d.views.fuseFirstGlobal,
      distinctGlobal: r.views?.distinct_global ?? d.views.distinctGlobal,
    },
    centering: {
      mode: r.centering?.mode ?? d.centering.mode,
      lambda: r.centering?.lambda ?? d.centering.lambda,
      momentum: r.centering?.momentum ?? d.centering.momentum,
      classPower: r.centering?.class_power ?? d.centering.classPower,
    },
    backbone: { freezeSteps: r.backbone?.freeze_steps ?? d.backbone.freezeSteps, lrScale: r.backbone?.lr_scale ?? d.backbone.lrScale },
    koleoWeight: r.koleo_weight ?? d.koleoWeight,
    clipGrad: r.clip_grad ?? d.clipGrad,
    checkpointEvery: r.checkpoint_every ?? d.checkpointEvery,
    backend: r.backend ?? d.backend,
    workers: r.workers ?? d.workers,
    seed: r.seed ?? d.seed,
    shuffleBuffer: r.shuffle_buffer ?? d.shuffleBuffer,
    useSampleWeight: r.use_sample_weight ?? d.useSampleWeight,
    heldOut: {
      percent: r.held_out?.percent ?? d.heldOut.percent,
      seed: r.held_out?.seed ?? d.heldOut.seed,
      exclude: r.held_out?.exclude ?? d.heldOut.exclude,
    },
  };
}

/** Patch sizes per model size, repeated here so config rules need not import the trainer. */
const PATCH: Record<TrainConfig['size'], number> = { tiny: 8, small: 8, base: 16, large: 16 };

export function trainRules(t: TrainConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const p = PATCH[t.size];
  if (t.crops.globalSize % p !== 0) issues.push({ path: 'train.crops.global_size', message: `${t.crops.globalSize} is not a multiple of the ${t.size} patch size ${p}` });
  if (t.crops.localSize % p !== 0) issues.push({ path: 'train.crops.local_size', message: `${t.crops.localSize} is not a multiple of the ${t.size} patch size ${p}` });
  for (const [k, v] of [['global_scale', t.crops.globalScale], ['local_scale', t.crops.localScale]] as const) {
    if (v[0] > v[1]) issues.push({ path: `train.crops.${k}`, message: `[${v.join(', ')}] has min > max; expected [min, max]` });
  }
  if (t.minLr > t.lr) issues.push({ path: 'train.min_lr', message: `${t.minLr} is above lr ${t.lr}; expected min_lr <= lr` });
  if (t.warmupSteps >= t.steps && t.steps > 1) issues.push({ path: 'train.warmup_steps', message: `${t.warmupSteps} >= steps ${t.steps}; expected fewer warm-up steps than steps` });
  return issues;
}

/** Pipeline section: absent means `terrafm run` stops after the corpus (no train stage). */
export const trainSection: ConfigSection<RawTrain, TrainConfig | undefined> = {
  key: 'train',
  required: false,
  schema: trainSchema,
  normalise: (raw) => (raw === undefined ? undefined : normaliseTrain(raw)),
  rules: (t) => (t ? trainRules(t) : []),
};

/** Under the name every section module exports its normaliser by. */
export const normalise = normaliseTrain;
