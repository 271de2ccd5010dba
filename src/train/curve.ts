// Loss curve pictures: an SVG (vector, for docs) and a PNG rendered from that same SVG (for quick
// viewing), from the per-step losses. Pure drawing code, no chart library.
import { svgToPng } from '../svg-to-png.js';

export interface CurvePoint {
  step: number;
  loss: number;
}

const W = 640;
const H = 360;
const M = { l: 56, r: 16, t: 24, b: 36 };

function scales(points: CurvePoint[]) {
  const xs = points.map((p) => p.step);
  const ys = points.map((p) => p.loss).filter(Number.isFinite);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (y1 - y0 < 1e-9) (y0 -= 0.5), (y1 += 0.5);
  const px = (x: number) => M.l + ((x - x0) / (x1 - x0)) * (W - M.l - M.r);
  const py = (y: number) => H - M.b - ((y - y0) / (y1 - y0)) * (H - M.t - M.b);
  return { x0, x1, y0, y1, px, py };
}

export function lossCurveSvg(points: CurvePoint[], title = 'training loss'): string {
  if (points.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><text x="20" y="40">no steps yet</text></svg>\n`;
  const { x0, x1, y0, y1, px, py } = scales(points);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${px(p.step).toFixed(1)},${py(p.loss).toFixed(1)}`).join(' ');
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.l}" y="16">${esc(title)}</text>`,
    `<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="black"/>`,
    `<line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="black"/>`,
    `<text x="${M.l}" y="${H - 14}">${x0}</text><text x="${W - M.r}" y="${H - 14}" text-anchor="end">step ${x1}</text>`,
    `<text x="${M.l - 4}" y="${M.t + 4}" text-anchor="end">${y1.toPrecision(4)}</text>`,
    `<text x="${M.l - 4}" y="${H - M.b}" text-anchor="end">${y0.toPrecision(4)}</text>`,
    `<path d="${path}" fill="none" stroke="#1f6feb" stroke-width="1.5"/>`,
    '</svg>',
    '',
  ].join('\n');
}

/** The same picture as PNG, rendered from the SVG (title, axes and numbers included). */
export function lossCurvePng(points: CurvePoint[], title = 'training loss'): Buffer {
  return svgToPng(lossCurveSvg(points, title));
}
