// Campaigns: every campaign with its accounts, exchanges, span, score and the capabilities it targets.
import { api } from '../api.js';
import { days, html, int, pct, route, when } from '../dom.js';

export async function campaignsPage(app: HTMLElement): Promise<void> {
  const [summary, campaigns] = await Promise.all([api.summary(), api.campaigns()]);
  const cards = summary
    ? html`<section class="cards">
<div class="card"><div class="label">Accounts</div><div class="value">${int(summary.accounts)}</div></div>
<div class="card flagged"><div class="label">Distillation</div><div class="value">${int(summary.flagged_accounts)}</div></div>
<div class="card suspicious"><div class="label">Suspicious</div><div class="value">${int(summary.suspicious_accounts)}</div><div class="note"><a href="#/review">review queue</a></div></div>
<div class="card"><div class="label">Campaigns</div><div class="value">${int(summary.campaigns)}</div></div>
<div class="card"><div class="label">Exchanges</div><div class="value">${int(summary.accepted_exchanges)}</div><div class="note">${when(summary.first_event)} → ${when(summary.last_event)}</div></div>
</section>`
    : html`<p class="muted">No scan in the store yet.</p>`;
  const rows = campaigns.map((c) => {
    const caps = Object.entries(c.capabilities)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
    return html`<tr data-campaign="${c.campaign_id}">
<td><a href="${route('campaigns', c.campaign_id)}"><strong>${c.campaign_id}</strong></a></td>
<td class="num">${int(c.accounts.length)}</td>
<td class="num">${int(c.exchanges)}</td>
<td class="time">${when(c.first_seen)} → ${when(c.last_seen)} <span class="muted">(${days(c.first_seen, c.last_seen)})</span></td>
<td class="num">${c.score.toFixed(2)}</td>
<td class="time">${c.flagged_at ? when(c.flagged_at) : html`<span class="muted">not flagged</span>`}</td>
<td>${caps.map(([k, v]) => html`<span class="chip">${k} ${pct(v)}</span>`)}</td>
</tr>`;
  });
  app.innerHTML = html`<h1>Campaigns</h1>${cards}
${
  campaigns.length
    ? html`<table class="tbl" id="campaigns"><thead><tr><th>Campaign</th><th class="num">Accounts</th><th class="num">Exchanges</th><th>Span</th><th class="num">Score</th><th>Flagged</th><th>Capabilities</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p class="muted">No campaign was found.</p>`
}`.text;
}
