// The audit trail of an account or a campaign, as serve's read API returns it with the record:
// verdict changes (actor `engine`, at event time) and analyst decisions (at wall time).
import { html, route, when, type Html } from '../dom.js';

export interface AuditRow {
  id: string;
  kind: string;
  at: string;
  actor: string;
  account_id: string | null;
  body: Record<string, unknown>;
}

function what(e: AuditRow): string {
  const b = e.body;
  if (e.kind === 'verdict_change') return `${String(b.from)} → ${String(b.to)}${typeof b.score === 'number' ? ` (score ${b.score.toFixed(2)})` : ''}`;
  return `${String(b.decision)}${b.note ? ` — “${String(b.note)}”` : ''}`;
}

export function auditTable(entries: readonly AuditRow[] | undefined, withAccount: boolean): Html {
  if (!entries?.length) return html`<p class="muted">No audit entry yet.</p>`;
  return html`<table class="tbl audit"><thead><tr><th>At</th><th>Kind</th><th>Actor</th>${withAccount ? html`<th>Account</th>` : ''}<th>What</th></tr></thead><tbody>${entries.map(
    (e) => html`<tr><td class="time">${when(e.at)}</td><td>${e.kind.replace('_', ' ')}</td><td>${e.actor}</td>${
      withAccount ? html`<td>${e.account_id ? html`<a href="${route('accounts', e.account_id)}"><code>${e.account_id}</code></a>` : '—'}</td>` : ''
    }<td>${what(e)}</td></tr>`,
  )}</tbody></table>`;
}
