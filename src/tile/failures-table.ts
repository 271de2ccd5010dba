// Renders the failures table for people (CLI) and machines (JSON lines), one row per tile.
import { redactText } from '../redact.js';
import type { TileFailure } from './failure.js';

/** Fixed-width text table: tile, stage, href, error. */
export function formatFailuresTable(rows: TileFailure[]): string {
  if (rows.length === 0) return '';
  const head = ['tile', 'kind', 'stage', 'href', 'error'];
  const cells = rows.map((r) => [r.tileId, r.kind, r.stage, r.href || '-', r.error].map(redactText));
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  return [line(head), ...cells.map(line)].join('\n') + '\n';
}

/** One JSON object per line, in tile order. */
export function failuresJsonLines(rows: TileFailure[]): string {
  return redactText(rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
}
