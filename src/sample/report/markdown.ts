// report.md: the same numbers as report.json, as tables a person reads in a pull request or notebook.
import { compareRegionLabels } from '../regions.js';
import type { DistributionSummary, SampleReport } from './build.js';
import { WORLDCOVER_NAMES } from '../../landcover/worldcover.js';

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const num = (x: number | null, d = 3) => (x === null ? '∞ / n/a' : x.toFixed(d));

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function regionTable(title: string, key: 'latBands' | 'utmZones', cols: [string, DistributionSummary][]): string {
  const labels = new Set<string>();
  for (const [, s] of cols) for (const k of Object.keys(s.geo[key])) labels.add(k);
  const sorted = [...labels].sort(compareRegionLabels);
  return `### ${title}\n\n${table(
    ['region', ...cols.map((c) => c[0])],
    sorted.map((r) => [r, ...cols.map(([, s]) => s.geo[key][r] ?? 0)]),
  )}`;
}

export function reportMarkdown(r: SampleReport): string {
  const codes = Object.keys(r.filtered.classShare);
  const cols: [string, DistributionSummary][] = [
    ['population', r.population],
    ['after filters', r.filtered],
    ...r.policies.map((p): [string, DistributionSummary] => [p.label, p]),
  ];
  const out: string[] = [];
  out.push(`# Sampling report`);
  out.push(
    `seed ${r.seed}, count ${r.count}; ${r.filters.before} cells given, ${r.filters.after} passed the filters. ` +
      `Shares are of valid (non-nodata) pixels; entropy and KL in bits; KL to X is KL(share || X); KL target to share is KL(target || share) (∞ when a wanted class is absent).`,
  );
  out.push(`## Class pixel share\n\n${table(
    ['class', 'target', ...cols.map((c) => c[0])],
    codes.map((c) => [`${c} ${WORLDCOVER_NAMES[Number(c)]}`, pct(r.target[c]), ...cols.map(([, s]) => pct(s.classShare[c]))]),
  )}`);
  out.push(`## Tiles per class (dominant / containing)\n\n${table(
    ['class', ...cols.map((c) => c[0])],
    codes.map((c) => [`${c} ${WORLDCOVER_NAMES[Number(c)]}`, ...cols.map(([, s]) => `${s.classTiles[c].dominant} / ${s.classTiles[c].present}`)]),
  )}`);
  out.push(`## Summary\n\n${table(
    ['set', 'cells', 'nodata', 'entropy', 'KL to uniform', 'KL to target', 'KL target to share', 'ESS (Kish)', 'ESS / n', 'weight min..max'],
    cols.map(([name, s]) => {
      const p = r.policies.find((x) => x.label === name);
      return [
        name,
        s.cells,
        pct(s.nodataFraction),
        num(s.entropyBits),
        num(s.klToUniformBits),
        num(s.klToTargetBits),
        num(s.klTargetToShareBits),
        p ? p.ess.toFixed(1) : '',
        p ? p.essFraction.toFixed(3) : '',
        p ? `${p.weights.min.toFixed(3)}..${p.weights.max.toFixed(3)}` : '',
      ];
    }),
  )}`);
  out.push(`## Filters\n\n${table(
    ['filter', 'rule', 'removed', 'by latitude band', 'by UTM zone'],
    r.filters.removals.map((f) => [
      f.filter,
      f.rule,
      f.removed,
      Object.entries(f.byLatBand).map(([k, v]) => `${k}: ${v}`).join(', ') || '-',
      Object.entries(f.byUtmZone).map(([k, v]) => `${k}: ${v}`).join(', ') || '-',
    ]),
  )}`);
  out.push(`## Geographic spread (cells)\n\n${regionTable('Latitude bands', 'latBands', cols)}\n\n${regionTable('UTM zones', 'utmZones', cols)}`);
  for (const p of r.policies) {
    if (p.quotas) {
      out.push(`## Quotas: ${p.label}\n\n${table(
        ['stratum', 'top K', 'requested', 'available', 'drawn', 'met'],
        p.quotas.map((q) => [q.stratum === 'diversity' ? 'diversity' : `${q.stratum} ${WORLDCOVER_NAMES[q.stratum]}`, q.topK, q.requested, q.available, q.drawn, q.met ? 'yes' : 'no']),
      )}`);
    }
    if (p.notes.length > 0) out.push(`## Notes: ${p.label}\n\n${p.notes.map((n) => `- ${n}`).join('\n')}`);
  }
  out.push(
    '## Quicklooks of the drawn cells\n\n' +
      'The sample is drawn before any tile is cut, so this report cannot show them. `terrafm run` writes them beside it in its publish stage, ' +
      'once the tiles exist: `quicklooks.png` (the stored S2 and S1 quicklooks of the first tiles of drawn cells, a row per dominant WorldCover class) ' +
      'and `quicklooks.json` (which tiles). For any corpus: `terrafm quicklook <corpus> --out <dir>`.',
  );
  return out.join('\n\n') + '\n';
}
