// Plain-text rendering of quality reports, shared by `distillguard evaluate` and bench:quality.
import type { QualityReport } from './quality.js';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number): string => x.toFixed(3);
const hours = (x: number | null): string => (x === null ? '—' : `${x.toFixed(1)}h`);

export const HEADER = ['detector'.padEnd(10), 'prec ', 'recall', 'F1   ', 'prec|s', 'rec|s', 'PR-AUC', 'orgFPR', 'exRec ', 'leak  ', 'compl', 'purity', 'minCmp', 'minPur'].join('  ');

export function row(name: string, q: QualityReport): string {
  const d = q.distillation;
  const e = q.distillation_or_suspicious;
  return [name.padEnd(10), f3(d.precision), f3(d.recall), f3(d.f1), f3(e.precision), f3(e.recall), f3(q.pr_auc), pct(q.organic_fpr).padStart(6), pct(q.exchange_recall).padStart(6), pct(q.leakage).padStart(6), f3(q.campaign_completeness), f3(q.campaign_purity).padEnd(6), f3(q.campaign_completeness_min).padEnd(6), f3(q.campaign_purity_min)].join('  ');
}

export function details(q: QualityReport): string[] {
  const lines: string[] = [];
  const groups = Object.entries(q.organic_fpr_by_group).map(([g, v]) => `${g} ${v.fp}/${v.accounts} (${pct(v.fpr)}, ${v.suspicious} suspicious)`);
  lines.push(`organic false positives by group: ${groups.join('; ')}`);
  if (q.campaigns.length) lines.push(...operations(q));
  return lines;
}

/** One row per true operation: is it caught, how fast, and is it reported as one campaign of its own. */
export function operations(q: QualityReport): string[] {
  const w = Math.max(9, ...q.campaigns.map((c) => c.campaign.length));
  const head = ['  operation'.padEnd(w + 2), 'kind'.padEnd(13), 'accts', 'recall', 'first ', '50%   ', '90%   ', 'compl', 'purity', 'leak'].join('  ');
  return [
    head,
    ...q.campaigns.map((c) =>
      [`  ${c.campaign}`.padEnd(w + 2), c.kind.padEnd(13), String(c.accounts).padStart(5), f3(c.recall).padEnd(6), hours(c.first_flag_h).padEnd(6),
        hours(c.half_flagged_h).padEnd(6), hours(c.ninety_flagged_h).padEnd(6), f3(c.completeness), f3(c.purity).padEnd(6), pct(c.leakage)].join('  '),
    ),
  ];
}
