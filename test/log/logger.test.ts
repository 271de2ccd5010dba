import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Logger, fmtSeconds } from '../../src/log/logger.js';

function sink(isTTY: boolean) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  s.isTTY = isTTY;
  s.columns = 100;
  let text = '';
  s.on('data', (d) => (text += d));
  return { s, text: () => text };
}

describe('logger', () => {
  it('prints plain progress lines every 10 % when not on a terminal', () => {
    const out = sink(false);
    let t = 0;
    const log = new Logger({ stream: out.s, now: () => t });
    const p = log.progress('tile', 20, 'tiles');
    for (let i = 0; i < 20; i++) {
      t += 500;
      p.tick();
    }
    p.done();
    const lines = out.text().trim().split('\n');
    expect(lines[0]).toBe('tile: 2/20 (10%) 2.0 tiles/s');
    expect(lines).toHaveLength(11);
    expect(lines[9]).toBe('tile: 20/20 (100%) 2.0 tiles/s');
    expect(lines[10]).toBe('tile: 20 tiles in 10.0s (2.0 tiles/s)');
  });

  it('redraws one bar on a terminal and clears it before a log line', () => {
    const out = sink(true);
    let t = 0;
    const log = new Logger({ stream: out.s, now: () => t });
    const p = log.progress('tile', 4, 'tiles');
    t = 1000;
    p.tick(2, '1 failed');
    expect(out.text()).toMatch(/^\rtile \[#+-+\] 2\/4 2\.0 tiles\/s ETA 1\.0s 1 failed\x1b\[K$/);
    log.warn('asset missing', { href: 'a.tif' });
    expect(out.text().endsWith('\r\x1b[Kwarn: asset missing href=a.tif\n')).toBe(true);
  });

  it('writes JSON lines with level, message and fields, and honours the level', () => {
    const out = sink(false);
    const log = new Logger({ stream: out.s, format: 'json', level: 'info', now: () => Date.UTC(2026, 0, 2) });
    log.debug('hidden');
    log.info('discover done', { cells: 26 });
    const p = log.progress('tile', 1);
    p.tick();
    const [a, b] = out.text().trim().split('\n').map((l) => JSON.parse(l));
    expect(a).toEqual({ time: '2026-01-02T00:00:00.000Z', level: 'info', msg: 'discover done', cells: 26 });
    expect(b).toMatchObject({ level: 'info', msg: 'progress', stage: 'tile', done: 1, total: 1 });
  });

  it('prints no progress with --quiet (level warn)', () => {
    const out = sink(false);
    const log = new Logger({ stream: out.s, level: 'warn' });
    const p = log.progress('tile', 2);
    p.tick();
    p.tick();
    p.done();
    log.warn('kept');
    expect(out.text()).toBe('warn: kept\n');
  });

  it('formats durations', () => {
    expect(fmtSeconds(3.25)).toBe('3.3s');
    expect(fmtSeconds(125)).toBe('2m05s');
    expect(fmtSeconds(7260)).toBe('2h01m');
  });
});
