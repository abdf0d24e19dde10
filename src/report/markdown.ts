// A short Markdown summary of a scan, for tickets, chat and pull requests.
import type { ScanResult } from '../store/store.js';
import { duration, int, pct, reasonText, score, when } from './format.js';

/** Escapes text for a Markdown table cell (also neutralises inline HTML and links). */
function md(s: string | number): string {
  return String(s)
    .replace(/[\\`*_[\]<>|#!]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

export function renderSummaryMarkdown(r: ScanResult & { title?: string; maxAccounts?: number }): string {
  const s = r.summary;
  const out: string[] = [];
  out.push(`# ${md(r.title ?? 'distillguard report')}`, '');
  out.push(`Events from ${when(s.first_event)} to ${when(s.last_event)} UTC.`, '');
  out.push('| | |', '|---|---:|');
  out.push(`| Lines read | ${int(s.lines_read)} |`);
  out.push(`| Accepted | ${int(s.accepted)} |`);
  out.push(`| Rejected | ${int(s.rejected)} |`);
  for (const [k, v] of Object.entries(s.rejected_by_reason).sort((a, b) => b[1] - a[1])) {
    out.push(`| &nbsp;&nbsp;${md(k)} | ${int(v)} |`);
  }
  out.push(`| Duplicates | ${int(s.duplicates)} |`);
  out.push(`| Accounts | ${int(s.accounts)} |`);
  out.push(`| Flagged (distillation) | ${int(s.flagged_accounts)} |`);
  out.push(`| Suspicious | ${int(s.suspicious_accounts)} |`);
  out.push(`| Campaigns | ${int(s.campaigns)} |`);
  out.push(`| Throughput | ${int(s.events_per_second)} events/s (${duration(s.wall_time_ms)}) |`, '');

  if (r.campaigns.length > 0) {
    out.push('## Campaigns', '');
    out.push('| Campaign | Accounts | Exchanges | First seen | Flagged at | Score | Top capability | Top reason |');
    out.push('|---|---:|---:|---|---|---:|---|---|');
    for (const c of [...r.campaigns].sort((a, b) => b.score - a.score || (a.campaign_id < b.campaign_id ? -1 : 1))) {
      const cap = Object.entries(c.capabilities).sort((a, b) => b[1] - a[1])[0];
      out.push(
        `| ${md(c.campaign_id)} | ${int(c.accounts.length)} | ${int(c.exchanges)} | ${when(c.first_seen)} | ${when(c.flagged_at)} | ` +
          `${score(c.score)} | ${cap ? `${md(cap[0])} ${pct(cap[1])}` : '—'} | ${c.reasons[0] ? md(reasonText(c.reasons[0])) : '—'} |`,
      );
    }
    out.push('');
  }

  const flagged = r.accounts
    .filter((a) => a.verdict === 'distillation')
    .sort((a, b) => b.score - a.score || (a.account_id < b.account_id ? -1 : 1))
    .slice(0, r.maxAccounts ?? 20);
  if (flagged.length > 0) {
    out.push(`## Top flagged accounts (${int(flagged.length)} of ${int(s.flagged_accounts)})`, '');
    out.push('| Account | Score | Campaign | Flagged at | Top reason |', '|---|---:|---|---|---|');
    for (const a of flagged) {
      out.push(
        `| ${md(a.account_id)} | ${score(a.score)} | ${a.campaign_id ? md(a.campaign_id) : '—'} | ${when(a.flagged_at)} | ` +
          `${a.reasons[0] ? md(reasonText(a.reasons[0])) : '—'} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
