// Plain-text rendering of quality reports, shared by `distillguard evaluate` and bench:quality.
import type { QualityReport } from './quality.js';

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number): string => x.toFixed(3);
const hours = (x: number | null): string => (x === null ? '—' : `${x.toFixed(1)}h`);

export const HEADER = ['detector'.padEnd(10), 'prec ', 'recall', 'F1   ', 'prec|s', 'rec|s', 'PR-AUC', 'orgFPR', 'exRec ', 'leak  ', 'compl', 'purity'].join('  ');

export function row(name: string, q: QualityReport): string {
  const d = q.distillation;
  const e = q.distillation_or_suspicious;
  return [name.padEnd(10), f3(d.precision), f3(d.recall), f3(d.f1), f3(e.precision), f3(e.recall), f3(q.pr_auc), pct(q.organic_fpr).padStart(6), pct(q.exchange_recall).padStart(6), pct(q.leakage).padStart(6), f3(q.campaign_completeness), f3(q.campaign_purity)].join('  ');
}

export function details(q: QualityReport): string[] {
  const lines: string[] = [];
  const groups = Object.entries(q.organic_fpr_by_group).map(([g, v]) => `${g} ${v.fp}/${v.accounts} (${pct(v.fpr)}, ${v.suspicious} suspicious)`);
  lines.push(`organic false positives by group: ${groups.join('; ')}`);
  for (const c of q.campaigns) {
    lines.push(
      `  campaign ${c.campaign} (${c.kind}, ${c.accounts} accounts): first flag ${hours(c.first_flag_h)}, 50% ${hours(c.half_flagged_h)}, ` +
        `90% ${hours(c.ninety_flagged_h)}, completeness ${f3(c.completeness)}, purity ${f3(c.purity)}, leakage ${pct(c.leakage)}`,
    );
  }
  return lines;
}
