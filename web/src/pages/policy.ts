// The policy page: the policy in force (rules, exemptions, every version with who put it in force),
// what it does now (accounts by action), and backtests on the service's own history — per policy the
// accounts acted on by action in each group, leakage prevented, time from a campaign's first exchange
// to its first action, and the accounts two policies treat differently.
import type { BacktestReport, CampaignActions } from '../../../src/act/backtest.js';
import { api, ApiError, type Backtest } from '../api.js';
import { html, type Html, int, pct, route, when } from '../dom.js';
import { ACTION_ORDER, actionBadge } from './actions.js';

export async function policyPage(app: HTMLElement): Promise<void> {
  const p = await api.policy().catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)));
  if (!p) {
    app.innerHTML = html`<h1>Policy</h1><p class="muted">This service runs no policy: nothing acts on its verdicts (see docs/act.md).</p>`.text;
    return;
  }
  // serve --cluster keeps no history to replay (404 saying so): the page says why instead of a form.
  const noBacktest = (e: unknown): Promise<ApiError> => (e instanceof ApiError && e.status === 404 ? Promise.resolve(e) : Promise.reject(e));
  const [versions, last, now] = await Promise.all([api.policyHistory(), api.backtest().catch(noBacktest), api.gatewayDecisions()]);
  const byAction = new Map<string, number>();
  for (const d of now) byAction.set(d.action, (byAction.get(d.action) ?? 0) + 1);
  const v = p.version;
  app.innerHTML = html`<h1>Policy <code id="policy-label">${v.name}@${v.revision}</code></h1>
<section class="cards">
<div class="card"><div class="label">In force since (wall clock)</div><div class="value small">${when(v.at)}</div><div class="note">by ${v.actor} · from record ${int(v.position)} · sha256 ${v.sha256.slice(0, 12)}</div></div>
<div class="card"><div class="label">Rules</div><div class="value">${int(p.rules.length)}</div><div class="note">${int(p.rules.filter((r) => r.mode === 'shadow').length)} in shadow (logged, not enforced)</div></div>
<div class="card"><div class="label">Exemptions</div><div class="value">${int(p.suppressions.length)}</div><div class="note">accounts or organizations exempted from a rule</div></div>
<div class="card"><div class="label">Accounts acted on now</div><div class="value" id="acted-now">${int(now.length)}</div><div class="note">${ACTION_ORDER.filter((a) => byAction.has(a)).map((a) => `${a.replace('_', ' ')} ${int(byAction.get(a)!)}`).join(' · ') || 'every account allowed'}</div></div>
</section>
<div class="grid2">
<section><h2>Rules</h2><table class="tbl" id="rules"><thead><tr><th>Rule</th><th>Action</th><th>Mode</th></tr></thead><tbody>${p.rules.map(
    (r) => html`<tr><td><code>${r.id}</code></td><td>${actionBadge(r.action)}</td><td>${r.mode}</td></tr>`,
  )}</tbody></table>
<h3>Exemptions</h3>${
    p.suppressions.length
      ? html`<table class="tbl" id="suppressions"><thead><tr><th>Who</th><th>Rule</th><th>Until (event time)</th><th>Granted by</th></tr></thead><tbody>${p.suppressions.map(
          (s) => html`<tr><td>${s.account_id ? html`<a href="${route('accounts', s.account_id)}"><code>${s.account_id}</code></a>` : html`organization <code>${s.org_id}</code>`}</td><td><code>${s.rule}</code></td><td class="time">${when(s.until)}</td><td>${s.by} — “${s.note}”</td></tr>`,
        )}</tbody></table>`
      : html`<p class="muted">None. An analyst exempts an account from its page (a new version of the policy, audited).</p>`
  }</section>
<section><h2>Versions</h2><p class="muted">Every version that took effect, newest first; a restart replays each at the record it took effect from.</p><table class="tbl" id="versions"><thead><tr><th>In force from (wall clock)</th><th>Version</th><th>By</th><th class="num">From record</th></tr></thead><tbody>${versions.map(
    (x) => html`<tr><td class="time">${when(x.at)}</td><td><code>${x.name}@${x.revision}</code> <span class="muted">${x.sha256.slice(0, 12)}</span></td><td>${x.actor}</td><td class="num">${int(x.position)}</td></tr>`,
  )}</tbody></table></section>
</div>
${
    last instanceof ApiError
      ? html`<section><h2>Backtest</h2><p class="muted" id="no-backtest">${last.message}</p></section>`
      : html`<section><h2>Backtest on this service's history</h2>
<p class="muted">Replays every record the service has taken, with the analysts' decisions where they were made, under a policy — the one in force, or an edited one beside it. Groups are account plans and campaigns are those the engine found (this history has no ground truth; <code>distillguard backtest --truth</code> reports hard-negative groups of a simulation).</p>
<form class="backtest"><textarea class="policy" name="policy" spellcheck="false" aria-label="policy to backtest">${p.text}</textarea>
<p><label><input type="checkbox" name="compare" checked> compare with the policy in force</label> <button>Run backtest</button> <span class="outcome" role="status"></span></p></form>
<div id="backtest">${backtestView(last)}</div></section>`
  }`.text;
  if (!(last instanceof ApiError)) wireBacktest(app, p.text);
}

function wireBacktest(app: HTMLElement, inForce: string): void {
  const form = app.querySelector<HTMLFormElement>('form.backtest')!;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const text = String(f.get('policy'));
    const compare = f.get('compare') !== null && text.trim() !== inForce.trim() ? 'current' : undefined;
    const out = form.querySelector('.outcome') as HTMLElement;
    const button = form.querySelector('button') as HTMLButtonElement;
    button.disabled = true;
    out.classList.remove('error');
    out.textContent = 'replaying the history…';
    api
      .runBacktest(text.trim() === inForce.trim() ? undefined : text, compare)
      .then((b) => {
        out.textContent = '';
        (app.querySelector('#backtest') as HTMLElement).innerHTML = backtestView(b).text;
      })
      .catch((e: unknown) => {
        out.textContent = e instanceof ApiError && e.status === 403 ? 'your key may not run backtests (analyst role needed)' : String(e instanceof Error ? e.message : e);
        out.classList.add('error');
      })
      .finally(() => (button.disabled = false));
  });
}

const hours = (h: number | null): string => (h === null ? 'never' : h < 1 ? `${Math.round(h * 60)} min` : `${h.toFixed(1)} h`);

function backtestView(b: Backtest | null): Html {
  if (!b) return html`<p class="muted" id="no-backtest">No backtest run since the service started.</p>`;
  if (b.finished_at === null) return html`<p class="muted">A backtest started at ${when(b.started_at)} by ${b.actor} is running.</p>`;
  if (!b.outcome) return html`<p class="error">The backtest of ${when(b.started_at)} failed: ${b.error ?? 'unknown error'}</p>`;
  const o = b.outcome;
  return html`<p class="muted" id="backtest-note">Run by ${b.actor} at ${when(b.started_at)} (wall clock) over ${int(b.records ?? 0)} records: ${b.policies.join(' against ')}.</p>
<div class="grid2">${o.reports.map(reportView)}</div>
${o.diff_accounts !== undefined ? diffView(o, b.policies) : ''}`;
}

function reportView(r: BacktestReport): Html {
  const cs = r.campaigns ?? [];
  const prevented = r.served_leakage === undefined ? undefined : 1 - r.served_leakage;
  const groups = Object.entries(r.groups ?? {}).sort((a, b) => b[1].accounts - a[1].accounts);
  return html`<div class="report" data-policy="${r.policy}"><h3>${r.policy}</h3>
<section class="cards">
<div class="card"><div class="label">Leakage prevented</div><div class="value" data-fig="prevented">${prevented === undefined ? '—' : pct(prevented)}</div><div class="note">of the campaigns' exchanges served degraded, held or blocked (served in full: ${r.served_leakage === undefined ? '—' : pct(r.served_leakage)})</div></div>
<div class="card"><div class="label">First action</div><div class="value small" data-fig="first-action">${cs.length ? hours(median(cs.map((c) => c.first_action_h))) : '—'}</div><div class="note">median over ${int(cs.length)} campaigns, from a campaign's first exchange</div></div>
</section>
<table class="tbl by-group"><thead><tr><th>Accounts by strictest action</th>${ACTION_ORDER.map((a) => html`<th class="num">${a.replace('_', ' ')}</th>`)}</tr></thead><tbody>
<tr class="all"><td>all accounts (${int(r.accounts)})</td>${ACTION_ORDER.map((a) => cell(r.accounts_by_strictest[a]))}</tr>
${groups.map(([g, x]) => html`<tr data-group="${g}"><td>${g.replace(/^plan:/, 'plan ')} (${int(x.accounts)})</td>${ACTION_ORDER.map((a) => cell(x.by_strictest[a]))}</tr>`)}
<tr class="exchanges"><td>exchanges served under each (${int(r.exchanges)})</td>${ACTION_ORDER.map((a) => cell(r.exchanges_by_action[a]))}</tr>
</tbody></table>
${cs.length ? campaignsView(cs) : html`<p class="muted">No campaign in this history.</p>`}</div>`;
}

function cell(n: number): Html {
  return html`<td class="num${n === 0 ? ' zero' : ''}">${int(n)}</td>`;
}

function campaignsView(cs: readonly CampaignActions[]): Html {
  return html`<table class="tbl campaigns"><thead><tr><th>Campaign</th><th class="num">Exchanges</th><th class="num">Served in full</th><th class="num">First action</th><th class="num">First degrade+</th><th class="num" title="accounts the campaign created after its first action, and of those acted on before their first exchange">Acted on before 1st exchange</th></tr></thead><tbody>${cs.map(
    (c) => html`<tr><td>${c.kind === 'detected' ? html`<a href="${route('campaigns', c.campaign)}">${c.campaign}</a>` : c.campaign}</td><td class="num">${int(c.exchanges)}</td><td class="num">${pct(c.leakage)}</td><td class="num">${hours(c.first_action_h)}</td><td class="num">${hours(c.first_protect_h)}</td><td class="num">${int(c.acted_before_first_exchange)} of ${int(c.created_after_action)}</td></tr>`,
  )}</tbody></table>`;
}

function diffView(o: NonNullable<Backtest['outcome']>, names: string[]): Html {
  const d = o.diff ?? [];
  return html`<h3>Accounts the two policies treat differently: <span id="diff-count">${int(o.diff_accounts ?? 0)}</span></h3>${
    d.length
      ? html`<table class="tbl" id="diff"><thead><tr><th>Account</th><th>${names[0]}</th><th>${names[1]}</th><th class="num">Served in full (${names[0]} / ${names[1]})</th></tr></thead><tbody>${d.map(
          (x) => html`<tr><td><a href="${route('accounts', x.account_id)}"><code>${x.account_id}</code></a></td><td>${actionBadge(x.a.strictest)} <span class="muted">${when(x.a.first_action_at)}</span></td><td>${actionBadge(x.b.strictest)} <span class="muted">${when(x.b.first_action_at)}</span></td><td class="num">${int(x.a.served_before_protect)} / ${int(x.b.served_before_protect)}</td></tr>`,
        )}</tbody></table>${(o.diff_accounts ?? 0) > d.length ? html`<p class="muted">The first ${int(d.length)} are listed.</p>` : ''}`
      : html`<p class="muted">None: both policies act on every account alike.</p>`
  }`;
}

function median(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
}
