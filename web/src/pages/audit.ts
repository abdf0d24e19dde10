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

/**
 * Engine verdict changes carry event time (when the traffic happened); analyst decisions carry
 * wall-clock time (when the analyst decided): two clocks, so two tables, each newest first.
 */
export function auditTable(entries: readonly AuditRow[] | undefined, withAccount: boolean): Html {
  if (!entries?.length) return html`<p class="muted">No audit entry yet: the engine has not changed a verdict here and no analyst has decided.</p>`;
  const engine = entries.filter((e) => e.kind === 'verdict_change');
  const analysts = entries.filter((e) => e.kind !== 'verdict_change');
  const table = (rows: readonly AuditRow[], clock: string, id: string): Html =>
    html`<table class="tbl audit" id="${id}"><thead><tr><th>${clock}</th><th>Actor</th>${withAccount ? html`<th>Account</th>` : ''}<th>What</th></tr></thead><tbody>${[...rows]
      .sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0))
      .map(
        (e) => html`<tr><td class="time">${when(e.at)}</td><td>${e.actor}</td>${
          withAccount ? html`<td>${e.account_id ? html`<a href="${route('accounts', e.account_id)}"><code>${e.account_id}</code></a>` : '—'}</td>` : ''
        }<td>${what(e)}</td></tr>`,
      )}</tbody></table>`;
  return html`${analysts.length ? html`<h3>Analyst decisions</h3>${table(analysts, 'Decided (wall clock, UTC)', 'audit-decisions')}` : ''}${
    engine.length ? html`<h3>Engine verdict changes</h3>${table(engine, 'At (event time, UTC)', 'audit-engine')}` : ''
  }`;
}
