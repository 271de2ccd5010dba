// What the train stage of `terrafm run` writes after training: train/eval.md (tables) and
// train/eval.svg + eval.png (rank histograms of the cross-modal retrieval, random init vs
// pretrained). Pure text; the stage writes the files.
import { escapeXml } from '../svg-to-png.js';
import { RANK_BINS, type RetrievalReport } from './crossmodal.js';
import type { CrossModalComparison } from './evaluate-crossmodal.js';
import type { RunComparison } from './evaluate.js';
import type { SplitRecord } from './split.js';

export interface StageEvaluation {
  split: SplitRecord;
  knn: RunComparison;
  /** Null when the corpus lacks one of the pair's modalities (`crossModalSkipped` says why). */
  crossModal: CrossModalComparison | null;
  crossModalSkipped?: string;
}

export const EVAL_PICTURE = 'eval';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** The figures run.json carries (the full reports are in eval.json). */
export function evaluationSummary(e: StageEvaluation) {
  const cm = e.crossModal;
  return {
    split: e.split,
    knnRandom: e.knn.random.accuracy,
    knnPretrained: e.knn.trained.accuracy,
    probeRandom: e.knn.random.probe?.accuracy ?? null,
    probePretrained: e.knn.trained.probe?.accuracy ?? null,
    retrieval: cm
      ? cm.random.retrieval.map((r, i) => {
          const t = cm.trained.retrieval[i];
          return { query: r.query, gallery: r.gallery, n: r.n, chance: r.chance, medianRank: { random: r.medianRank, pretrained: t.medianRank }, mrr: { random: r.mrr, pretrained: t.mrr } };
        })
      : null,
    crossModalKnn: cm
      ? {
          query: cm.random.knn.query,
          reference: cm.random.knn.reference,
          accuracy: { random: cm.random.knn.crossModal.accuracy, pretrained: cm.trained.knn.crossModal.accuracy },
          majority: cm.random.knn.majority.accuracy,
          sameModality: { random: cm.random.knn.sameModality.accuracy, pretrained: cm.trained.knn.sameModality.accuracy },
        }
      : null,
  };
}

export function evaluationMarkdown(e: StageEvaluation): string {
  const s = e.split;
  const lines = [
    '# Evaluation of the pretrained encoder against its random initialisation',
    '',
    `Held-out split: ${s.percent} % of tiles by tile-id hash (seed ${s.seed}); ${s.heldOutTiles} held out, ${s.trainTiles} others; ` +
      (s.excluded ? 'training did not see the held-out tiles.' : '**training included the held-out tiles** (`train.held_out.exclude: false`).'),
    '',
    '## Land-cover kNN (all modalities fused)',
    '',
    '| encoder | kNN accuracy | kNN class-balanced | linear probe | probe class-balanced |',
    '|---|---|---|---|---|',
    ...(['random init', 'pretrained'] as const).map((name) => {
      const r = name === 'random init' ? e.knn.random : e.knn.trained;
      return `| ${name} | ${pct(r.accuracy)} | ${pct(r.balancedAccuracy)} | ${r.probe ? pct(r.probe.accuracy) : '-'} | ${r.probe ? pct(r.probe.balancedAccuracy) : '-'} |`;
    }),
    '',
  ];
  const cm = e.crossModal;
  if (!cm) return [...lines, `Cross-modal evaluation skipped: ${e.crossModalSkipped ?? 'no modality pair'}.`, ''].join('\n');
  lines.push(
    '## Cross-modal retrieval of the co-located tile (held-out tiles)',
    '',
    'Each modality centred on its mean over the reference tiles. Median rank: lower is better; chance is N/2. Top-k is shown, not the headline.',
    '',
    '| direction | N | chance | median rank random / pretrained | MRR random / pretrained | top-10 random / pretrained |',
    '|---|---|---|---|---|---|',
  );
  cm.random.retrieval.forEach((r, i) => {
    const t = cm.trained.retrieval[i];
    const top = (x: RetrievalReport) => (x.topK.find((k) => k.k === 10) ? pct(x.topK.find((k) => k.k === 10)!.recall) : '-');
    lines.push(`| ${r.query} -> ${r.gallery} | ${r.n} | ${r.chance} | ${r.medianRank} / ${t.medianRank} | ${r.mrr.toFixed(4)} / ${t.mrr.toFixed(4)} | ${top(r)} / ${top(t)} |`);
  });
  const r = cm.random.knn;
  const t = cm.trained.knn;
  lines.push(
    '',
    `## Cross-modal kNN: ${r.query} queries against ${r.reference} reference tiles (k = ${r.crossModal.k})`,
    '',
    '| encoder | cross-modal | class-balanced | majority class | same-modality ceiling |',
    '|---|---|---|---|---|',
    `| random init | ${pct(r.crossModal.accuracy)} | ${pct(r.crossModal.balancedAccuracy)} | ${pct(r.majority.accuracy)} (${r.majority.name}) | ${pct(r.sameModality.accuracy)} |`,
    `| pretrained | ${pct(t.crossModal.accuracy)} | ${pct(t.crossModal.balancedAccuracy)} | ${pct(t.majority.accuracy)} (${t.majority.name}) | ${pct(t.sameModality.accuracy)} |`,
    '',
    `![rank histograms](${EVAL_PICTURE}.svg)`,
    '',
  );
  return lines.join('\n');
}

const SERIES = [
  { name: 'random init', colour: '#9e9e9e' },
  { name: 'pretrained', colour: '#1f77b4' },
];
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';

/** One panel per retrieval direction: share of queries per rank decile, random init vs pretrained. */
export function rankHistogramSvg(cm: CrossModalComparison): string {
  const panelW = 360;
  const panelH = 220;
  const m = { l: 48, t: 56, b: 44, gap: 30 };
  const width = m.l + cm.random.retrieval.length * (panelW + m.gap);
  const height = m.t + panelH + m.b + 24;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<rect width="100%" height="100%" fill="#ffffff"/>',
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>Rank of the co-located partner tile (held-out tiles)</text>`,
  ];
  const max = Math.max(0.2, ...[cm.random, cm.trained].flatMap((r) => r.retrieval.flatMap((x) => x.histogram.map((c) => c / x.n))));
  cm.random.retrieval.forEach((r, p) => {
    const x0 = m.l + p * (panelW + m.gap);
    const y = (v: number) => m.t + panelH - (v / max) * panelH;
    const bw = panelW / RANK_BINS;
    parts.push(`<text x="${x0 + panelW / 2}" y="${m.t - 12}" text-anchor="middle" font-size="13" ${FONT}>${escapeXml(`${r.query} -> ${r.gallery}, N = ${r.n}`)}</text>`);
    parts.push(`<line x1="${x0}" y1="${m.t + panelH}" x2="${x0 + panelW}" y2="${m.t + panelH}" stroke="#000"/>`);
    parts.push(`<line x1="${x0}" y1="${m.t}" x2="${x0}" y2="${m.t + panelH}" stroke="#000"/>`);
    [cm.random.retrieval[p], cm.trained.retrieval[p]].forEach((rep, si) => {
      rep.histogram.forEach((c, b) => {
        const v = c / rep.n;
        const bx = x0 + b * bw + 3 + si * ((bw - 6) / 2);
        parts.push(`<rect x="${bx.toFixed(1)}" y="${y(v).toFixed(1)}" width="${((bw - 6) / 2).toFixed(1)}" height="${(m.t + panelH - y(v)).toFixed(1)}" fill="${SERIES[si].colour}"/>`);
      });
    });
    // A random ordering puts a tenth of the queries in every decile.
    parts.push(`<line x1="${x0}" y1="${y(1 / RANK_BINS).toFixed(1)}" x2="${x0 + panelW}" y2="${y(1 / RANK_BINS).toFixed(1)}" stroke="#d62728" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x0 - 4}" y="${m.t + 4}" text-anchor="end" font-size="10" ${FONT}>${pct(max)}</text>`);
    parts.push(`<text x="${x0 - 4}" y="${m.t + panelH}" text-anchor="end" font-size="10" ${FONT}>0</text>`);
    parts.push(`<text x="${x0}" y="${m.t + panelH + 14}" font-size="10" ${FONT}>rank 1</text>`);
    parts.push(`<text x="${x0 + panelW}" y="${m.t + panelH + 14}" text-anchor="end" font-size="10" ${FONT}>${r.n}</text>`);
    parts.push(`<text x="${x0 + panelW / 2}" y="${m.t + panelH + 14}" text-anchor="middle" font-size="10" ${FONT}>share of queries per rank decile</text>`);
  });
  const ly = m.t + panelH + 34;
  SERIES.forEach((s, i) => {
    const lx = m.l + i * 150;
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="12" height="10" fill="${s.colour}"/><text x="${lx + 16}" y="${ly}" font-size="11" ${FONT}>${s.name}</text>`);
  });
  parts.push(`<line x1="${m.l + 300}" y1="${ly - 4}" x2="${m.l + 324}" y2="${ly - 4}" stroke="#d62728" stroke-dasharray="4 3"/><text x="${m.l + 328}" y="${ly}" font-size="11" ${FONT}>chance (a tenth per decile)</text>`);
  parts.push('</svg>', '');
  return parts.join('\n');
}
