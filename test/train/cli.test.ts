import { describe, expect, it } from 'vitest';
import { embedCommand } from '../../src/cli/commands/embed.js';
import { evalCommand } from '../../src/cli/commands/eval.js';
import { modelCommand } from '../../src/cli/commands/model.js';
import { trainCommand } from '../../src/cli/commands/train.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { sectionFrom } from '../../src/config/load-section.js';
import { capture } from '../support/capture.js';

describe('terrafm model', () => {
  it('prints the base parameter count', async () => {
    const c = capture();
    expect(await modelCommand.run(modelCommand.parse({ size: 'base' }, []), c.io)).toBe(0);
    expect(c.text()).toMatch(/backbone .*: 112,951,296 parameters \(112\.95M\)/);
    const j = capture();
    await modelCommand.run({ size: 'large', json: true }, j.io);
    expect(JSON.parse(j.text()).backbone).toBe(345_010_176);
  });
});

describe('train configuration', () => {
  it('maps flags to the train section and validates it', () => {
    const o = trainCommand.parse({ out: 'r', steps: '12', centering: 'dino', 'global-size': '48', backend: 'cpu' }, ['corpus']);
    expect(o.overrides).toEqual({ steps: 12, backend: 'cpu', centering: { mode: 'dino' }, crops: { global_size: 48 } });
    const cfg = sectionFrom('train', o.overrides, 'command line');
    expect(cfg.centering).toEqual({ mode: 'dino', lambda: 0.5, momentum: 0.9, classPower: 1 });
    expect(cfg.crops.globalSize).toBe(48);
    expect(() => trainCommand.parse({ steps: '3' }, ['c'])).toThrow(UsageError);
  });

  it('reports every problem with its key path', () => {
    const err = (() => {
      try {
        sectionFrom('train', { crops: { global_size: 60 }, lr: -1, bogus: 1 } as never, 'p.yaml');
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const paths = err!.issues.map((i) => i.path);
    expect(paths).toContain('train.lr');
    expect(paths.some((p) => p.startsWith('train'))).toBe(true);
    expect(() => sectionFrom('train', { crops: { global_size: 60 } }, 'p.yaml')).toThrow(/train.crops.global_size: 60 is not a multiple of the tiny patch size 8/);
  });

  it('rejects out-of-range augmentation and backbone settings by key path', () => {
    const issues = (raw: object) => {
      try {
        sectionFrom('train', raw as never, 'p.yaml');
      } catch (e) {
        return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    const got = issues({ augment: { brightness: -0.1, band_gain: 1.5, hue: 1 }, backbone: { freeze_steps: 2.5, lr_scale: 2 } });
    expect(got.sort()).toEqual([
      'train.augment.band_gain: 1.5 is out of range; expected a value <= 0.9',
      'train.augment.brightness: -0.1 is out of range; expected a value >= 0',
      'train.augment.hue: unknown key; allowed keys: brightness, band_gain, offset',
      'train.backbone.freeze_steps: expected integer, got number 2.5',
      'train.backbone.lr_scale: 2 is out of range; expected a value <= 1',
    ]);
    expect(issues({ augment: { brightness: 0.2 }, backbone: { freeze_steps: 40, lr_scale: 0.5 } })).toEqual([]);
  });
});

describe('terrafm eval', () => {
  it('needs exactly one of --encoder or --random-init', () => {
    expect(() => evalCommand.parse({}, ['knn', 'c'])).toThrow(/exactly one of --encoder <dir>, --random-init or --run <dir>/);
    expect(() => evalCommand.parse({ run: 'r', encoder: 'e' }, ['knn', 'c'])).toThrow(/exactly one/);
    expect(evalCommand.parse({ run: 'r' }, ['knn', 'c'])).toMatchObject({ run: 'r', encoder: null });
    expect(() => evalCommand.parse({}, ['linear', 'c'])).toThrow(/unknown task "linear"; expected: knn or retrieval/);
    expect(evalCommand.parse({ 'random-init': true, k: '5' }, ['knn', 'c'])).toMatchObject({ encoder: null, k: 5, size: 'tiny' });
  });

  it('parses retrieval and cross-modal kNN: a pair of different modalities, --cross-modal only for knn', () => {
    expect(evalCommand.parse({ run: 'r' }, ['retrieval', 'c'])).toMatchObject({ task: 'retrieval', query: 's1', reference: 's2_l2a', heldOut: 30, splitSeed: 0 });
    expect(evalCommand.parse({ run: 'r', 'cross-modal': true, query: 's2_l2a', reference: 's1' }, ['knn', 'c'])).toMatchObject({ crossModal: true, query: 's2_l2a', reference: 's1' });
    expect(() => evalCommand.parse({ run: 'r', 'cross-modal': true }, ['retrieval', 'c'])).toThrow('--cross-modal belongs to `eval knn`');
    expect(() => evalCommand.parse({ run: 'r', query: 's1', reference: 's1' }, ['retrieval', 'c'])).toThrow('--query and --reference are both s1; expected two different modalities');
    expect(() => evalCommand.parse({ run: 'r', query: 's3' }, ['retrieval', 'c'])).toThrow(UsageError);
  });
});

describe('held-out split flags and embed --random-init', () => {
  it('maps --held-out, --split-seed and --include-held-out to train.held_out', () => {
    const o = trainCommand.parse({ out: 'r', 'held-out': '20', 'split-seed': '3', 'include-held-out': true }, ['corpus']);
    expect(o.overrides.held_out).toEqual({ percent: 20, seed: 3, exclude: false });
    expect(sectionFrom('train', o.overrides, 'command line').heldOut).toEqual({ percent: 20, seed: 3, exclude: false });
    // the default excludes the split eval uses
    expect(sectionFrom('train', {}, 'command line').heldOut).toEqual({ percent: 30, seed: 0, exclude: true });
    expect(() => sectionFrom('train', { held_out: { percent: 100 } }, 'p.yaml')).toThrow(/train.held_out.percent: 100 is out of range/);
  });

  it('embed takes exactly one of --encoder or --random-init (with --size and --seed)', () => {
    expect(embedCommand.parse({ 'random-init': true, size: 'small', seed: '2', out: 'e.parquet' }, ['c'])).toMatchObject({ encoder: null, size: 'small', seed: 2 });
    expect(embedCommand.parse({ encoder: 'enc', out: 'e.parquet' }, ['c'])).toMatchObject({ encoder: 'enc' });
    expect(() => embedCommand.parse({ out: 'e.parquet' }, ['c'])).toThrow('terrafm embed: give exactly one of --encoder <dir> or --random-init');
    expect(() => embedCommand.parse({ encoder: 'enc', 'random-init': true, out: 'e.parquet' }, ['c'])).toThrow(/exactly one/);
  });
});
