// PNG copies of the SVG charts, rendered by resvg (Rust, prebuilt binary via @resvg/resvg-js) with the
// system fonts. We render the very same SVG rather than drawing twice, so the two never disagree.
import { Resvg } from '@resvg/resvg-js';

export function svgToPng(svg: string, scale = 1.5): Buffer {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: '#ffffff',
  });
  return r.render().asPng();
}

/** Text for SVG content and attributes (the sampling report's charts, the training evaluation's). */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
