// Drives bench/peers/torch_train_step.py (the PyTorch peer of one training step) from the train
// benchmark: one long-lived Python process per model size, one step per request, so the benchmark
// can alternate our step and the peer's (A B A B) under the same machine load.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface, type Interface } from 'node:readline';

const SCRIPT = fileURLToPath(new URL('./torch_train_step.py', import.meta.url));
/** Debian's python3 with python3-torch; the first python3 on PATH may lack torch. */
export const PYTHON = process.env.TERRAFM_TORCH_PYTHON ?? '/usr/bin/python3';
const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

export function peerEnv(): NodeJS.ProcessEnv {
  const ld = [existsSync(OPENBLAS) ? OPENBLAS : '', process.env.LD_LIBRARY_PATH ?? ''].filter(Boolean).join(':');
  // PASSIVE: OpenMP threads sleep instead of spinning while our step runs between the peer's.
  return { ...process.env, LD_LIBRARY_PATH: ld, OMP_WAIT_POLICY: 'PASSIVE', PEER_THREADS: String(cpus().length) };
}

/** Why the peer cannot run here, or null when torch imports. */
export function torchUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (set TERRAFM_TORCH_PYTHON)`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { env: peerEnv(), encoding: 'utf8' });
  if (r.status === 0) return null;
  const last = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop();
  return `torch does not import in ${PYTHON}: ${last} (apt-get install python3-torch libopenblas0-pthread)`;
}

/** The model and step the peer builds (hyper-parameters only: it derives the parameter shapes itself). */
export interface PeerConfig {
  embed_dim: number;
  depth: number;
  heads: number;
  patch_size: number;
  img_size: number;
  mlp_ratio: number;
  token_dim_factor: number;
  fusion_queries: number;
  eps: number;
  /** LayerNorm eps inside the token projection (1e-5 in the released model; `eps` elsewhere). */
  token_eps: number;
  head_hidden: number;
  head_bottleneck: number;
  out_dim: number;
  batch: number;
  global_count: number;
  views: { grid: number; modalities: string[] }[];
  lr: number;
  weight_decay: number;
  teacher_temp: number;
  student_temp: number;
  clip_grad: number;
  momentum: number;
  seed: number;
}

export class TorchPeer {
  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
    private readonly iter: AsyncIterator<string>,
    readonly params: number,
    readonly threads: number,
    readonly version: string,
  ) {}

  static async start(cfg: PeerConfig): Promise<TorchPeer> {
    const proc = spawn(PYTHON, [SCRIPT], { env: peerEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += String(d)));
    const lines = createInterface({ input: proc.stdout });
    const iter = lines[Symbol.asyncIterator]();
    proc.stdin.write(JSON.stringify(cfg) + '\n');
    const first = await iter.next();
    if (first.done) throw new Error(`torch peer exited before starting: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const r = JSON.parse(first.value) as { params: number; threads: number; torch: string };
    return new TorchPeer(proc, lines, iter, r.params, r.threads, r.torch);
  }

  private async ask(cmd: string): Promise<Record<string, number>> {
    this.proc.stdin.write(cmd + '\n');
    const r = await this.iter.next();
    if (r.done) throw new Error(`torch peer exited during "${cmd}"`);
    return JSON.parse(r.value) as Record<string, number>;
  }

  /** One optimiser step; wall and CPU (all threads) milliseconds as the peer timed them. */
  async step(): Promise<{ ms: number; cpuMs: number }> {
    const r = await this.ask('step');
    return { ms: r.ms, cpuMs: r.cpu_ms };
  }

  /** Stops the peer; returns its peak RSS in MiB. */
  async close(): Promise<number> {
    const r = await this.ask('quit');
    this.proc.stdin.end();
    this.lines.close();
    return r.peak_rss_mib;
  }
}
