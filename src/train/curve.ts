// Loss curve pictures: an SVG (vector, for docs) and a PNG (pngjs, for quick viewing), from the
// per-step losses. Pure drawing code, no chart library.
import { PNG } from 'pngjs';

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

export function lossCurvePng(points: CurvePoint[]): Buffer {
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  const set = (x: number, y: number, rgb: [number, number, number]) => {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    const i = (y * W + x) * 4;
    png.data[i] = rgb[0];
    png.data[i + 1] = rgb[1];
    png.data[i + 2] = rgb[2];
    png.data[i + 3] = 255;
  };
  const line = (xa: number, ya: number, xb: number, yb: number, rgb: [number, number, number]) => {
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(xb - xa), Math.abs(yb - ya))));
    for (let i = 0; i <= n; i++) set(xa + ((xb - xa) * i) / n, ya + ((yb - ya) * i) / n, rgb);
  };
  line(M.l, H - M.b, W - M.r, H - M.b, [0, 0, 0]);
  line(M.l, M.t, M.l, H - M.b, [0, 0, 0]);
  if (points.length > 0) {
    const { px, py } = scales(points);
    for (let i = 1; i < points.length; i++) line(px(points[i - 1].step), py(points[i - 1].loss), px(points[i].step), py(points[i].loss), [31, 111, 235]);
    if (points.length === 1) set(px(points[0].step), py(points[0].loss), [31, 111, 235]);
  }
  return PNG.sync.write(png);
}
