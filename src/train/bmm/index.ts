// Batched matrix products on WebAssembly SIMD, for the wasm backend's BatchMatMul (wasm-kernels.ts).
// tfjs-backend-wasm 4.22 sends every product with a batch above 1 (attention's q k^T and att v, and
// their gradients) to a scalar loop at 1-2.5 GFLOP/s here, while a loop of 2-D XNNPACK products pays
// an operator and a weight packing per call (10-30x slower, docs/decisions.md). bmm.wat does the whole
// batch in one call at ~22 GFLOP/s on one core of this machine, XNNPACK's speed on 2-D products.
// Its module has its own memory: operands are copied in and the result out, O(mk + kn + mn) against
// the O(mkn) product. The binary is compiled from bmm.wat by scripts/build-bmm-wasm.ts (a test checks
// that it matches the source).
import { BMM_WASM_BASE64 } from './bmm-wasm.js';

interface BmmExports {
  memory: WebAssembly.Memory;
  bmm(a: number, b: number, c: number, batch: number, m: number, k: number, n: number): void;
}

let kernel: BmmExports | undefined;

function instance(): BmmExports {
  kernel ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(BMM_WASM_BASE64, 'base64'))).exports as unknown as BmmExports;
  return kernel;
}

/** Whether this JavaScript engine runs WebAssembly SIMD (every Node the project supports does). */
export function bmmAvailable(): boolean {
  try {
    instance();
    return true;
  } catch {
    return false;
  }
}

/**
 * out[t] = a[t] @ b[t] for t < batch (a[t]: m x k, b[t]: k x n, out[t]: m x n, row-major float32).
 * `out` is written; the inputs may be views of another WebAssembly heap.
 */
export function batchedMatMul(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, out: Float32Array): void {
  const na = batch * m * k, nb = batch * k * n, nc = batch * m * n;
  if (a.length !== na || b.length !== nb || out.length !== nc) throw new RangeError(`batchedMatMul: ${a.length}, ${b.length}, ${out.length} floats for ${batch} x (${m}x${k} @ ${k}x${n})`);
  const k0 = instance();
  const bytes = 4 * (na + nb + nc);
  const have = k0.memory.buffer.byteLength;
  if (bytes > have) k0.memory.grow(Math.ceil((bytes - have) / 65536));
  const heap = new Float32Array(k0.memory.buffer, 0, na + nb + nc);
  heap.set(a, 0);
  heap.set(b, na);
  k0.bmm(0, 4 * na, 4 * (na + nb), batch, m, k, n);
  out.set(heap.subarray(na + nb));
}
