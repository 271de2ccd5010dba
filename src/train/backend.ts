// Choosing and starting a tfjs backend. `auto` tries tensorflow (native, optional peer dependency),
// webgpu (Dawn through the `webgpu` package), wasm, cpu, in that order, and reports what it chose
// and why the better ones were skipped.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

// Silences tfjs's console banner about tfjs-node and skips its debug checks.
tf.env().set('PROD', true);
import { TrainError } from '../errors.js';
import type { TrainBackend } from '../config/sections/train.js';
import { installFastWasmKernels } from './wasm-kernels.js';

export type ConcreteBackend = Exclude<TrainBackend, 'auto'>;

export interface BackendChoice {
  backend: ConcreteBackend;
  /** tfjs's name of the backend (tensorflow, webgpu, wasm, cpu). */
  tfName: string;
  /** Why better backends were not used (auto only). */
  skipped: { backend: ConcreteBackend; reason: string }[];
}

const require = createRequire(import.meta.url);

/** Directory holding tfjs-backend-wasm's .wasm files (beside the bundle when packed). */
export function wasmDir(): string {
  const override = process.env.TERRAFM_WASM_DIR;
  if (override) return override.endsWith('/') ? override : override + '/';
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/';
}

async function startTensorflow(): Promise<void> {
  const errors: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      if (await tf.setBackend('tensorflow')) return;
      errors.push(`${pkg} loaded but the tensorflow backend did not start`);
    } catch (e) {
      errors.push(`${pkg}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new TrainError(
    `backend tensorflow is not available (${errors.join('; ')}); install it with ` +
      '`npm install @tensorflow/tfjs-node` (CPU) or `npm install @tensorflow/tfjs-node-gpu` (CUDA), or use --backend wasm',
  );
}

/**
 * Dawn needs the Vulkan loader on Linux; without it, it prints a native warning to stderr on every
 * probe. Look for the loader first so `auto` on a machine without a GPU stays quiet.
 */
function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)];
  return dirs.some((d) => existsSync(path.join(d, 'libvulkan.so.1')));
}

async function startWebgpu(): Promise<void> {
  try {
    if (!vulkanLoaderPresent()) throw new Error('no Vulkan loader (libvulkan.so.1) found, so no GPU is usable through Dawn');
    const { create, globals } = (await import('webgpu')) as unknown as { create: (o: string[]) => GPU; globals: object };
    Object.assign(globalThis, globals);
    const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    (g.navigator as { gpu?: unknown }).gpu = create([]);
    const adapter = await (g.navigator as { gpu: GPU }).gpu.requestAdapter();
    if (!adapter) throw new Error('no WebGPU adapter, no GPU with Vulkan/Metal/D3D12 found');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
  } catch (e) {
    throw new TrainError(`backend webgpu is not available: ${(e as Error).message.split('\n')[0]}; use --backend wasm or cpu`, e);
  }
}

async function startWasm(): Promise<void> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDir());
    installFastWasmKernels();
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  } catch (e) {
    throw new TrainError(`backend wasm did not start: ${(e as Error).message.split('\n')[0]} (wasm files looked up in ${wasmDir()}; set TERRAFM_WASM_DIR)`, e);
  }
}

async function startCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new TrainError('backend cpu did not start');
}

const STARTERS: Record<ConcreteBackend, () => Promise<void>> = {
  tensorflow: startTensorflow,
  webgpu: startWebgpu,
  wasm: startWasm,
  cpu: startCpu,
};

const TF_NAMES: Record<ConcreteBackend, string> = { tensorflow: 'tensorflow', webgpu: 'webgpu', wasm: 'wasm', cpu: 'cpu' };

/** Starts the requested backend (or the best present for `auto`). A missing explicit backend throws TrainError. */
export async function selectBackend(want: TrainBackend): Promise<BackendChoice> {
  if (want !== 'auto') {
    if (tf.getBackend() !== TF_NAMES[want]) await STARTERS[want]();
    return { backend: want, tfName: tf.getBackend(), skipped: [] };
  }
  const skipped: BackendChoice['skipped'] = [];
  for (const b of ['tensorflow', 'webgpu', 'wasm', 'cpu'] as ConcreteBackend[]) {
    try {
      await STARTERS[b]();
      return { backend: b, tfName: tf.getBackend(), skipped };
    } catch (e) {
      skipped.push({ backend: b, reason: (e as Error).message });
    }
  }
  throw new TrainError(`no tfjs backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

export function describeChoice(c: BackendChoice): string {
  const why = c.skipped.map((s) => `  skipped ${s.backend}: ${s.reason}`).join('\n');
  return `backend: ${c.backend}${why ? `\n${why}` : ''}`;
}
