// One campaign: figures, daily volume, accounts over time with their sign-up bursts, the account-link
// graph drawn by edge kind, reasons, indicators, members, and the brief to download; kept current in
// place while the live engine judges new traffic.
import { accountTimelineOption, dailyVolumeOption } from '../../../src/report/chart-options.js';
import { kindName } from '../../../src/report/kind-names.js';
import { api, download } from '../api.js';
import { drawChart } from '../charts.js';
import { badge, days, html, int, pct, route, when } from '../dom.js';
import { drawGraph } from '../graph.js';
import { EVIDENCE_TITLE, reasonList } from './reasons.js';
import { auditTable } from './audit.js';
import { onLeave } from '../lifecycle.js';

/** How often the page asks whether the store has been refreshed (new data) since it was drawn. */
const REFRESH_MS = 3000;

type Data = Awaited<ReturnType<typeof load>>;

async function load(id: string) {
  const [c, facts, members, graph] = await Promise.all([api.campaign(id), api.facts(id), api.accounts({ campaign_id: id, limit: 1000 }), api.graph(id)]);
  return { c, facts, members, graph };
}

/**
 * Draws the page once, then keeps it current: when the store has been refreshed since (the live
 * engine judged new traffic), the figures, charts and tables are updated in place — the page is not
 * drawn again, so the reader's scroll position, selection and open graph stay.
 */
export async function campaignPage(app: HTMLElement, id: string): Promise<void> {
  let d = await load(id);
  app.innerHTML = html`<p class="crumbs"><a href="#/">Campaigns</a> › ${d.c.campaign_id}</p>
<h1>Campaign <span id="campaign-id">${d.c.campaign_id}</span> <span class="muted small" id="refreshed"></span></h1>
<section class="cards" id="cards"></section>
<p class="actions">Brief: <button data-brief="html">HTML</button> <button data-brief="pdf">PDF</button> <button data-brief="md">Markdown</button></p>
<div class="grid2">
<section><h2>Exchanges per day</h2><p class="muted" id="no-daily" hidden>No daily rows for this campaign in the store yet: they are written with the campaign on the next store refresh.</p><div class="chart" id="daily-chart"></div></section>
<section><h2>Capabilities targeted</h2><div id="caps"></div></section>
</div>
<section><h2>Accounts over time</h2><p class="muted">Ordered by sign-up: a dot at sign-up, a bar while active (red: distillation), a diamond at the flag.</p><div class="chart tall" id="accounts-chart"></div></section>
<section><h2>Account-link graph</h2>
<p class="muted" id="graph-caption"></p>
<ul class="legend" id="edge-kinds"></ul>
<ul class="legend" id="node-colours"></ul>
<p class="muted" id="no-graph" hidden>No link recorded between these accounts (a store written before links were kept).</p><div id="graph" class="graph"></div></section>
<div class="grid2">
<section><h2>Reasons</h2><div id="reasons"></div></section>
<section><h2>Indicators</h2><div id="indicators-box"></div></section>
</div>
<section><h2>Audit</h2><p class="muted">The engine's verdict changes (at event time: when the traffic happened) and analysts' decisions (at wall-clock time: when they were made), each kind newest first.</p><div id="audit"></div></section>
<section><h2>Accounts</h2><table class="tbl" id="members"><thead><tr><th>Account</th><th>Verdict</th><th class="num">Score</th><th>Signed up</th><th>Flagged (event time)</th><th class="num">Exchanges</th></tr></thead><tbody></tbody></table></section>`.text;
  const daily = drawChart(app.querySelector('#daily-chart') as HTMLElement, dailyVolumeOption(d.facts.days, d.facts.flaggedAt));
  const accounts = drawChart(app.querySelector('#accounts-chart') as HTMLElement, accountTimelineOption(d.members));
  fill(app, d, undefined);
  for (const b of app.querySelectorAll<HTMLButtonElement>('button[data-brief]')) {
    b.addEventListener('click', () => void download(`/v1/campaigns/${encodeURIComponent(id)}/brief?format=${b.dataset.brief}`, `${id}-brief.${b.dataset.brief}`));
  }
  let busy = false;
  let left = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      const c = await api.campaign(id);
      if (c.snapshot?.refresh === d.c.snapshot?.refresh) return;
      const next = await load(id);
      if (left) return; // the reader moved on while it loaded
      fill(app, next, d);
      daily.setOption(dailyVolumeOption(next.facts.days, next.facts.flaggedAt), { notMerge: true });
      daily.resize(); // it may have been hidden until now
      accounts.setOption(accountTimelineOption(next.members), { notMerge: true });
      d = next;
    })()
      .catch(() => undefined) // a failed poll is retried at the next tick
      .finally(() => (busy = false));
  }, REFRESH_MS);
  onLeave(() => {
    left = true;
    clearInterval(timer);
  });
}

/** Writes the parts of the page that change with the data; `before` is what is shown now (none at first). */
function fill(app: HTMLElement, d: Data, before: Data | undefined): void {
  const { c, facts, members, graph } = d;
  const set = (sel: string, markup: { text: string } | string): void => {
    (app.querySelector(sel) as HTMLElement).innerHTML = typeof markup === 'string' ? markup : markup.text;
  };
  const caps = Object.entries(c.capabilities).sort((a, b) => b[1] - a[1]);
  set(
    '#cards',
    html`<div class="card"><div class="label">Accounts</div><div class="value" id="fig-accounts">${int(facts.accounts)}</div><div class="note">${int(facts.distillation)} distillation · ${int(facts.suspicious)} suspicious</div></div>
<div class="card"><div class="label">Exchanges</div><div class="value" id="fig-exchanges">${int(facts.exchanges)}</div><div class="note">${int(facts.afterFlagTotal)} from members already flagged</div></div>
<div class="card"><div class="label">Span</div><div class="value">${days(c.first_seen, c.last_seen)}</div><div class="note">${when(c.first_seen)} → ${when(c.last_seen)}</div></div>
<div class="card ${facts.flaggedAt ? 'flagged' : ''}" id="fig-flagged"><div class="label">Flagged (event time)</div><div class="value small">${facts.flaggedAt ? when(facts.flaggedAt) : 'not flagged'}</div><div class="note">${facts.flaggedAt ? 'when its first member was flagged' : 'no member has the verdict distillation'} · score ${facts.score.toFixed(2)}</div></div>`,
  );
  if (c.snapshot?.judged_through) (app.querySelector('#refreshed') as HTMLElement).textContent = `judged through ${when(c.snapshot.judged_through)} (event time)`;
  (app.querySelector('#no-daily') as HTMLElement).hidden = facts.days.length > 0;
  (app.querySelector('#daily-chart') as HTMLElement).hidden = facts.days.length === 0;
  set(
    '#caps',
    html`${caps.length ? '' : html`<p class="muted">No capability recognised in the campaign's exchanges.</p>`}<ul class="bars">${caps.map(([k, v]) => html`<li><span>${k}</span><span class="bar"><span style="width:${Math.round(v * 100)}%"></span></span><span class="num">${pct(v)}</span></li>`)}</ul>`,
  );
  // The graph is laid out again only when it changed: a redraw would lose the reader's pan and zoom.
  if (!before || before.graph.nodes.length !== graph.nodes.length || before.graph.edges.length !== graph.edges.length) drawLinks(app, graph, members);
  set(
    '#reasons',
    html`<h3>Evidence in the members</h3>${
      facts.memberReasons.length
        ? html`<table class="tbl" id="member-reasons"><thead><tr><th>Code</th><th class="num" title="${EVIDENCE_TITLE}">Strongest evidence</th><th class="num">Members</th></tr></thead><tbody>${facts.memberReasons.map((r) => html`<tr><td><code>${r.code}</code></td><td class="num">${r.weight.toFixed(2)}</td><td class="num">${int(r.members)} of ${int(facts.accounts)}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">No member carries a reason.</p>`
    }<h3>Evidence of the campaign as a whole</h3>${reasonList(c.reasons)}`,
  );
  set(
    '#indicators-box',
    c.indicators.length
      ? html`<p class="muted">${int(facts.shared_indicators)} of ${int(c.indicators.length)} are of a kind peers can match (shared in the STIX export); the rest are keyed with this lab's own key.</p><table class="tbl" id="indicators"><tbody>${c.indicators.map((i) => html`<tr><td>${kindName(i.kind)}</td><td><code>${i.value}</code></td></tr>`)}</tbody></table>`
      : html`<p class="muted" id="no-indicators">No indicator: nothing the members share (payment, network, client, prompts) was recorded when they were linked.</p>`,
  );
  set('#audit', auditTable(c.audit, true));
  set(
    '#members tbody',
    html`${members.map(
      (m) => html`<tr data-account="${m.account_id}"><td><a href="${route('accounts', m.account_id)}"><code>${m.account_id}</code></a></td><td>${badge(m.verdict)}</td><td class="num">${m.score.toFixed(2)}</td><td class="time">${when(m.created_at)}</td><td class="time">${when(m.flagged_at)}</td><td class="num">${int(m.exchanges)}</td></tr>`,
    )}`,
  );
}

function drawLinks(app: HTMLElement, graph: Data['graph'], members: Data['members']): void {
  const graphEl = app.querySelector('#graph') as HTMLElement;
  (app.querySelector('#no-graph') as HTMLElement).hidden = graph.edges.length > 0;
  graphEl.hidden = graph.edges.length === 0;
  if (graph.edges.length === 0) return;
  const legend = drawGraph(graphEl, graph, (node) => {
    location.hash = route('accounts', node);
  });
  (app.querySelector('#graph-caption') as HTMLElement).textContent =
    `${int(legend.nodes)} accounts, ${int(legend.links)} links. Each link joined two accounts into the campaign; its colour is the strongest thing they shared (the legend counts links by that colour, so it adds up to ${int(legend.links)}). Names show on hover and for the three most connected accounts; click one to open it.`;
  (app.querySelector('#edge-kinds') as HTMLElement).innerHTML = legend.kinds.map((k) => html`<li data-kind="${k.kind}"><span class="key" style="background:${k.color}"></span>${kindName(k.kind)} <span class="muted">${int(k.links)}</span></li>`).join('');
  (app.querySelector('#node-colours') as HTMLElement).innerHTML =
    legend.nodeColour === 'verdict'
      ? html`<li>Accounts by verdict:</li><li><span class="dot" style="background:#7a1f1f"></span>distillation</li><li><span class="dot" style="background:#8a5a00"></span>suspicious</li><li><span class="dot" style="background:#5d6b79"></span>benign</li>`.text
      : html`<li>Every account is ${members[0]?.verdict ?? '—'}; colours are sub-campaigns (communities of the link graph):</li>${legend.groups.map((g, i) => html`<li><span class="dot" style="background:${g.color}"></span>${i === legend.groups.length - 1 && legend.groups.length === 6 ? 'others' : `group ${i + 1}`} <span class="muted">${int(g.accounts)}</span></li>`)}`.text;
}
