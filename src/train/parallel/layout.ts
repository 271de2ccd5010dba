// Where each parameter lives in the flat shared buffers the main thread and the gradient workers
// exchange: parameters in spec order, each at a fixed offset.
import { numel, type ParamSpec } from '../sizes.js';

export interface ParamSlot {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

export interface ParamLayout {
  slots: ParamSlot[];
  /** Total values of one copy of the parameters. */
  total: number;
}

export function paramLayout(specs: ParamSpec[]): ParamLayout {
  let offset = 0;
  const slots = specs.map((s) => {
    const slot = { name: s.name, shape: [...s.shape], offset, length: numel(s.shape) };
    offset += slot.length;
    return slot;
  });
  return { slots, total: offset };
}

/** Contiguous row ranges of a batch of `rows` tiles over at most `parts` workers, as even as possible. */
export function planSlices(rows: number, parts: number): { start: number; rows: number }[] {
  const n = Math.max(1, Math.min(parts, rows));
  const out: { start: number; rows: number }[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const r = Math.floor(rows / n) + (i < rows % n ? 1 : 0);
    out.push({ start, rows: r });
    start += r;
  }
  return out;
}
