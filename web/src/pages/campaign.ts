// One campaign: figures, daily volume, accounts over time with their sign-up bursts, the account-link
// graph drawn by edge kind, reasons, indicators, members, and the brief to download.
import { accountTimelineOption, dailyVolumeOption } from '../../../src/report/chart-options.js';
import { api, download } from '../api.js';
import { drawChart } from '../charts.js';
import { badge, days, html, int, pct, route, when } from '../dom.js';
import { drawGraph, KIND_COLORS } from '../graph.js';
import { reasonList } from './reasons.js';
import { auditTable } from './audit.js';

export async function campaignPage(app: HTMLElement, id: string): Promise<void> {
  const [c, daily, members, graph] = await Promise.all([api.campaign(id), api.daily(id), api.accounts({ campaign_id: id, limit: 1000 }), api.graph(id)]);
  const kinds = new Map<string, number>();
  for (const e of graph.edges) for (const k of e.kinds) kinds.set(k.dimension, (kinds.get(k.dimension) ?? 0) + 1);
  const caps = Object.entries(c.capabilities).sort((a, b) => b[1] - a[1]);
  app.innerHTML = html`<p class="crumbs"><a href="#/">Campaigns</a> › ${c.campaign_id}</p>
<h1>Campaign <span id="campaign-id">${c.campaign_id}</span></h1>
<section class="cards">
<div class="card"><div class="label">Accounts</div><div class="value" id="fig-accounts">${int(c.accounts.length)}</div><div class="note">${int(members.filter((m) => m.verdict === 'distillation').length)} distillation</div></div>
<div class="card"><div class="label">Exchanges</div><div class="value" id="fig-exchanges">${int(c.exchanges)}</div></div>
<div class="card"><div class="label">Span</div><div class="value">${days(c.first_seen, c.last_seen)}</div><div class="note">${when(c.first_seen)} → ${when(c.last_seen)}</div></div>
<div class="card ${c.flagged_at ? 'flagged' : ''}"><div class="label">Flagged</div><div class="value">${c.flagged_at ? when(c.flagged_at) : '—'}</div><div class="note">score ${c.score.toFixed(2)}</div></div>
</section>
<p class="actions">Brief: <button data-brief="html">HTML</button> <button data-brief="pdf">PDF</button> <button data-brief="md">Markdown</button></p>
<div class="grid2">
<section><h2>Exchanges per day</h2><div class="chart" id="daily-chart"></div></section>
<section><h2>Capabilities targeted</h2><ul class="bars">${caps.map(([k, v]) => html`<li><span>${k}</span><span class="bar"><span style="width:${Math.round(v * 100)}%"></span></span><span class="num">${pct(v)}</span></li>`)}</ul></section>
</div>
<section><h2>Accounts over time</h2><p class="muted">Ordered by sign-up: a dot at sign-up, a bar while active (red: distillation), a diamond at the flag.</p><div class="chart tall" id="accounts-chart"></div></section>
<section><h2>Account-link graph</h2>
<p class="muted" id="graph-caption">${int(graph.nodes.length)} accounts, ${int(graph.edges.length)} links. Each link joined two accounts into the campaign; its colour is what linked them. Click an account to open it.</p>
<ul class="legend" id="edge-kinds">${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => html`<li><span class="key" style="background:${KIND_COLORS[k] ?? '#999'}"></span>${k} <span class="muted">${int(n)}</span></li>`)}</ul>
<div id="graph" class="graph"></div></section>
<div class="grid2">
<section><h2>Reasons</h2>${reasonList(c.reasons)}</section>
<section><h2>Indicators</h2><table class="tbl" id="indicators"><tbody>${c.indicators.map((i) => html`<tr><td>${i.kind}</td><td><code>${i.value}</code></td></tr>`)}</tbody></table></section>
</div>
<section><h2>Audit</h2><p class="muted">The engine's verdict changes and analysts' decisions on this campaign, newest first.</p>${auditTable(c.audit, true)}</section>
<section><h2>Accounts</h2><table class="tbl" id="members"><thead><tr><th>Account</th><th>Verdict</th><th class="num">Score</th><th>Signed up</th><th>Flagged</th><th class="num">Exchanges</th></tr></thead><tbody>${members.map(
    (m) => html`<tr><td><a href="${route('accounts', m.account_id)}"><code>${m.account_id}</code></a></td><td>${badge(m.verdict)}</td><td class="num">${m.score.toFixed(2)}</td><td class="time">${when(m.created_at)}</td><td class="time">${when(m.flagged_at)}</td><td class="num">${int(m.exchanges)}</td></tr>`,
  )}</tbody></table></section>`.text;
  drawChart(app.querySelector('#daily-chart') as HTMLElement, dailyVolumeOption(daily, c.flagged_at));
  drawChart(app.querySelector('#accounts-chart') as HTMLElement, accountTimelineOption(members));
  drawGraph(app.querySelector('#graph') as HTMLElement, graph, (node) => {
    location.hash = route('accounts', node);
  });
  for (const b of app.querySelectorAll<HTMLButtonElement>('button[data-brief]')) {
    b.addEventListener('click', () => void download(`/v1/campaigns/${encodeURIComponent(id)}/brief?format=${b.dataset.brief}`, `${id}-brief.${b.dataset.brief}`));
  }
}
