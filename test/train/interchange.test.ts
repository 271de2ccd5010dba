// Checkpoint interchange without PyTorch: released key names and layouts, safetensors, the
// torch.save reader (zip + pickle subset) on a file torch wrote, export / import-weights commands,
// and train --init. Parity of the forward with PyTorch itself: torch-parity.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/commands/export.js';
import { importWeightsCommand } from '../../src/cli/commands/import-weights.js';
import { normaliseTrain } from '../../src/config/sections/train.js';
import { WeightsError } from '../../src/errors.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { readEncoder, writeEncoder } from '../../src/train/export.js';
import { importWeights } from '../../src/train/interchange/files.js';
import { unpickle } from '../../src/train/interchange/pickle.js';
import { FUSION_PREFIX, fromReleased, releasedKeys, toReleased } from '../../src/train/interchange/released-layout.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/train/interchange/safetensors.js';
import { readTorchStateDict } from '../../src/train/interchange/torch-pth.js';
import { CHECKPOINT_FILE, trainWith, type CheckpointMeta } from '../../src/train/loop.js';
import { initParamValues } from '../../src/train/params.js';
import { encoderParamSpecs, ENCODER_SHAPES, numel } from '../../src/train/sizes.js';
import { memoryTileSource } from '../../src/train/tiles.js';
import { TORCH_FIXTURES_DIR } from '../support/fixtures.js';
import { synthStats, synthTiles, tinyTestTrain } from './synthetic.js';
import { randomEncoderValues } from './torch-reference.js';
import { capture } from '../support/capture.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'terrafm-interchange-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const tiny = ENCODER_SHAPES.tiny;
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('released key names and layouts', () => {
  it('lists the 164 tensors of TerraFM-B with the released shapes and 112,951,296 values (345,010,176 for L)', () => {
    const keys = releasedKeys(ENCODER_SHAPES.base, { fusion: false });
    expect(keys.length).toBe(164);
    expect(keys.reduce((n, k) => n + numel(k.shape), 0)).toBe(112_951_296);
    const shape = Object.fromEntries(keys.map((k) => [k.key, k.shape]));
    expect(shape['cls_token']).toEqual([1, 1, 768]);
    expect(shape['pos_embed']).toEqual([1, 197, 768]);
    expect(shape['patch_embed.s2_l1c_embed']).toEqual([1, 2304]);
    expect(shape['patch_embed.conv2d_s2_l2a.weight']).toEqual([2304, 12, 16, 16]);
    expect(shape['patch_embed.conv2d_s1.weight']).toEqual([2304, 2, 16, 16]);
    expect(shape['patch_embed.projection.proj1.weight']).toEqual([2304, 2304]);
    expect(shape['patch_embed.projection.proj1.bias']).toBeUndefined();
    expect(shape['patch_embed.projection.norm_input.bias']).toEqual([2304]);
    expect(shape['patch_embed.projection.proj3.weight']).toEqual([768, 2304]);
    expect(shape['blocks.11.attn.qkv.weight']).toEqual([2304, 768]);
    expect(shape['blocks.0.mlp.fc1.weight']).toEqual([3072, 768]);
    expect(shape['blocks.0.mlp.fc2.weight']).toEqual([768, 3072]);
    expect(shape['norm.bias']).toEqual([768]);
    const large = releasedKeys(ENCODER_SHAPES.large, { fusion: false });
    expect(large.reduce((n, k) => n + numel(k.shape), 0)).toBe(345_010_176);
    const fused = releasedKeys(ENCODER_SHAPES.base, { fusion: true }).filter((k) => k.key.startsWith(FUSION_PREFIX));
    expect(fused.map((k) => k.key)).toEqual(['terrafm_fusion.queries', 'terrafm_fusion.k.weight', 'terrafm_fusion.v.weight', 'terrafm_fusion.o.weight', 'terrafm_fusion.o.bias']);
  });

  it('stores linear weights [out, in], convolutions [out, C, p, p] and one embedding per modality', () => {
    const v = randomEncoderValues(tiny, 1);
    const r = toReleased(tiny, v, { fusion: true });
    const T = 3 * tiny.embedDim;
    const p = tiny.patchSize;
    // ours token_proj.0.w is [in, out]: element (i, j) is released proj1.weight (j, i)
    const ours = v.get('token_proj.0.w')!;
    const theirs = r.get('patch_embed.projection.proj1.weight')!.data;
    expect(theirs[5 * T + 17]).toBe(ours[17 * T + 5]);
    // patches are channel-major inside a patch: ours row (c*p + y)*p + x, column t = conv (t, c, y, x)
    const [t, c, y, x] = [7, 1, 3, 5];
    expect(r.get('patch_embed.conv2d_s1.weight')!.data[((t * 2 + c) * p + y) * p + x]).toBe(v.get('patch_embed.s1.w')![((c * p + y) * p + x) * T + t]);
    expect(Array.from(r.get('patch_embed.s1_embed')!.data)).toEqual(Array.from(v.get('modality_embed')!.subarray(2 * T, 3 * T)));
    const D = tiny.embedDim;
    expect(r.get('terrafm_fusion.k.weight')!.data[3 * D + 9]).toBe(v.get('fusion.k.w')![9 * D + 3]);
  });

  it('round-trips every value bit for bit through safetensors', () => {
    const v = randomEncoderValues(tiny, 2);
    const buf = encodeSafetensors(toReleased(tiny, v, { fusion: true }), { format: 'pt', terrafm: '{"size":"tiny"}' });
    const hlen = Number(buf.readBigUInt64LE(0));
    expect((8 + hlen) % 8).toBe(0); // data section 8-byte aligned
    const { tensors, metadata } = decodeSafetensors(buf, 'x.safetensors');
    expect(metadata).toEqual({ format: 'pt', terrafm: '{"size":"tiny"}' });
    const back = fromReleased(tiny, tensors, 'x.safetensors');
    expect(back.fusion).toBe(true);
    expect(back.unexpected).toEqual([]);
    for (const s of encoderParamSpecs(tiny)) expect(same(back.values.get(s.name)!, v.get(s.name)!), s.name).toBe(true);
  });

  it('reads F16 and BF16 safetensors tensors as float32', () => {
    const header = JSON.stringify({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] } });
    const buf = Buffer.alloc(8 + header.length + 6);
    buf.writeBigUInt64LE(BigInt(header.length), 0);
    buf.write(header, 8);
    buf.writeUInt16LE(0x3e00, 8 + header.length); // 1.5
    buf.writeUInt16LE(0xc000, 10 + header.length); // -2
    buf.writeUInt16LE(0xbf00, 12 + header.length); // -0.5
    const { tensors } = decodeSafetensors(buf, 'h.safetensors');
    expect(Array.from(tensors.get('h')!.data)).toEqual([1.5, -2]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([-0.5]);
    expect(() => decodeSafetensors(buf.subarray(0, 20), 't.safetensors')).toThrow(/header length \d+ runs past the end of the file/);
  });

  it('names every shape that does not fit, every missing key, and the unexpected ones', () => {
    const tensors = toReleased(tiny, randomEncoderValues(tiny, 3), { fusion: false });
    expect(() => fromReleased(ENCODER_SHAPES.small, tensors, 'w.pth')).toThrow(
      /w\.pth: \d+ tensor\(s\) do not fit TerraFM small:\n {2}patch_embed\.conv2d_s2_l2a\.weight is \[288, 12, 8, 8\], expected \[576, 12, 8, 8\]/,
    );
    const partial = new Map(tensors);
    partial.delete('blocks.1.attn.qkv.bias');
    partial.delete('patch_embed.s1_embed');
    expect(() => fromReleased(tiny, partial, 'w.pth')).toThrow("w.pth: 2 key(s) of TerraFM tiny missing: patch_embed.s1_embed, blocks.1.attn.qkv.bias");
    const extra = new Map(tensors);
    extra.set('head.last_layer.weight', { shape: [1], data: new Float32Array(1) });
    const r = fromReleased(tiny, extra, 'w.pth');
    expect(r.unexpected).toEqual(['head.last_layer.weight']);
    expect(r.fusion).toBe(false);
    expect([...r.values.keys()].some((k) => k.startsWith('fusion.'))).toBe(false);
  });
});

describe('torch.save reader (zip + pickle subset)', () => {
  it('reads a state dict torch 1.13 wrote: nested under state_dict, strided and offset views, f16, bf16, int64', () => {
    const file = path.join(TORCH_FIXTURES_DIR, 'small-state-dict.pth');
    const { tensors, path: where } = readTorchStateDict(fs.readFileSync(file), file);
    expect(where).toBe('state_dict');
    const get = (k: string) => ({ shape: tensors.get(k)!.shape, data: Array.from(tensors.get(k)!.data) });
    expect(get('weight')).toEqual({ shape: [2, 3], data: [0, 0.25, 0.5, 0.75, 1, 1.25] });
    expect(get('bias')).toEqual({ shape: [2], data: [-1, 2] });
    expect(get('strided')).toEqual({ shape: [4, 3], data: [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11] });
    expect(get('offset')).toEqual({ shape: [3], data: [4, 5, 6] });
    expect(get('half').data).toEqual([1.5, -2, 0.25]);
    expect(get('bf16').data).toEqual([1, -0.5]);
    expect(get('count').data).toEqual([3, -4]);
  });

  it('refuses any callable a state dict does not need', () => {
    // PROTO 2, GLOBAL os.system, SHORT_BINUNICODE "ls", TUPLE1, REDUCE, STOP
    const evil = Buffer.concat([Buffer.from([0x80, 2]), Buffer.from('cos\nsystem\n'), Buffer.from([0x8c, 2]), Buffer.from('ls'), Buffer.from([0x85, 0x52, 0x2e])]);
    expect(() => unpickle(evil, 'evil.pth')).toThrow('evil.pth: the pickle calls os.system, which a state dict of tensors does not need; refusing to go on');
  });

  it('says what it expected for files that are not torch zip archives', () => {
    expect(() => readTorchStateDict(Buffer.from([0x80, 2, 0x8a, 0x0a]), 'old.pth')).toThrow(/old\.pth: not a zip archive; only the zip format of torch\.save/);
    const f = path.join(tmp, 'w.npz');
    fs.writeFileSync(f, 'x');
    expect(() => importWeights(f, 'tiny', path.join(tmp, 'never'))).toThrow(WeightsError);
    expect(() => importWeights(f, 'tiny', path.join(tmp, 'never'))).toThrow('expected .safetensors or a torch.save file (.pth, .pt)');
  });
});

describe('terrafm export / import-weights / train --init', () => {
  const run = path.join(tmp, 'run');
  const values = randomEncoderValues(tiny, 4);
  writeEncoder(path.join(run, 'encoder'), tiny, values, 9);
  // train.json as the trainer writes it: 13-band L1C statistics (B10 is dropped for the model).
  const l1cBands = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];
  const normalisation = {
    s1: { mean: [-12, -19], std: [3, 4], bands: ['VV', 'VH'] },
    s2_l1c: { mean: l1cBands.map((_, i) => 1000 + i), std: l1cBands.map((_, i) => 100 + i), bands: l1cBands },
  };
  fs.writeFileSync(path.join(run, 'train.json'), JSON.stringify({ normalisation }));

  it('exports the released keys, our fusion under its prefix, and the metadata block', async () => {
    const c = capture();
    expect(await exportCommand.run(exportCommand.parse({}, [run]), c.io)).toBe(0);
    const file = path.join(run, 'encoder.safetensors');
    expect(c.text()).toBe(`wrote ${file}: TerraFM tiny, 73 tensors (with terrafm_fusion.*), normalisation for s1, s2_l1c\n`);
    const { tensors, metadata } = decodeSafetensors(fs.readFileSync(file), file);
    expect(tensors.size).toBe(73);
    const meta = JSON.parse(metadata.terrafm);
    expect(meta).toMatchObject({ format: 'terrafm-safetensors/1', size: 'tiny', embed_dim: 96, depth: 4, heads: 3, patch_size: 8, img_size: 64, step: 9, fusion: true });
    expect(meta.bands.s2_l1c).toEqual({ channels: 12, names: l1cBands.filter((b) => b !== 'B10') });
    expect(meta.bands.s2_l2a).toEqual({ channels: 12 });
    expect(meta.normalisation.s2_l1c.mean).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1011, 1012]);
    expect(meta.normalisation.s1).toEqual({ mean: [-12, -19], std: [3, 4] });

    const bare = path.join(tmp, 'bare.safetensors');
    await exportCommand.run(exportCommand.parse({ 'no-fusion': true, out: bare }, [run]), capture().io);
    const only = decodeSafetensors(fs.readFileSync(bare), bare).tensors;
    expect([...only.keys()]).toEqual(releasedKeys(tiny, { fusion: false }).map((k) => k.key));
  });

  it('imports a file back into an encoder directory, with or without fusion', async () => {
    const c = capture();
    const out = path.join(tmp, 'imported');
    expect(await importWeightsCommand.run(importWeightsCommand.parse({ size: 'tiny', out }, [path.join(run, 'encoder.safetensors')]), c.io)).toBe(0);
    expect(c.text()).toContain('imported TerraFM tiny from');
    expect(c.text()).toContain('73 tensors read, 1,129,344 backbone parameters, every shape checked, none missing; fusion loaded');
    const enc = readEncoder(out);
    expect(enc.fusion).toBe('file');
    for (const s of encoderParamSpecs(tiny)) expect(same(enc.values.get(s.name)!, values.get(s.name)!), s.name).toBe(true);

    const bareOut = path.join(tmp, 'imported-bare');
    const b = capture();
    await importWeightsCommand.run({ file: path.join(tmp, 'bare.safetensors'), size: 'tiny', out: bareOut }, b.io);
    expect(b.text()).toContain('fusion absent (train --init starts it fresh)');
    const bare = readEncoder(bareOut);
    expect(bare.fusion).toBe('initial');
    // the initial fusion's output projection is zero: fusion is the plain modality mean
    expect(bare.values.get('fusion.o.w')!.every((x) => x === 0)).toBe(true);
  });

  it('train --init starts from the imported backbone; fusion and head start fresh, and the log says so', async () => {
    const tiles = synthTiles({ count: 4, size: 24, seed: 1 });
    const cfg = normaliseTrain(tinyTestTrain({ steps: 2, seed: 5, backbone: { freeze_steps: 2 } }));
    const lines: string[] = [];
    const outDir = path.join(tmp, 'cont');
    await trainWith(memoryTileSource(tiles, synthStats(tiles)), cfg, { outDir, init: path.join(tmp, 'imported-bare'), log: (l) => lines.push(l) });
    expect(lines).toContain(
      `init: backbone (${encoderParamSpecs(tiny).filter((s) => s.group === 'backbone').length} tensors) from ${path.join(tmp, 'imported-bare')}; fusion and DINO head freshly initialised (seed 5); optimizer state starts at zero`,
    );
    const ck = readCheckpoint<CheckpointMeta>(path.join(outDir, CHECKPOINT_FILE)).tensors;
    const fresh = initParamValues(encoderParamSpecs(tiny), 5);
    for (const s of encoderParamSpecs(tiny)) {
      // encoder frozen for both steps: the student still holds what it started from
      const start = s.group === 'backbone' ? values.get(s.name)! : fresh.get(s.name)!;
      expect(same(ck.get(`student/${s.name}`)!, start), s.name).toBe(true);
    }
    const summary = JSON.parse(fs.readFileSync(path.join(outDir, 'train.json'), 'utf8'));
    expect(summary.init).toBe(path.join(tmp, 'imported-bare'));
    // the band statistics the run normalised with, which `terrafm export` puts in the metadata
    expect(summary.normalisation).toEqual(JSON.parse(JSON.stringify(synthStats(tiles).modalities)));

    const wrong = normaliseTrain(tinyTestTrain({ steps: 1, size: 'small' }));
    await expect(trainWith(memoryTileSource(tiles, synthStats(tiles)), wrong, { outDir: path.join(tmp, 'wrong'), init: path.join(tmp, 'imported-bare') })).rejects.toThrow(
      `--init ${path.join(tmp, 'imported-bare')}: encoder size tiny, but this run trains small (set --size tiny)`,
    );
  });
});
