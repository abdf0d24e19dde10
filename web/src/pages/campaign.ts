// One campaign: figures, daily volume, accounts over time with their sign-up bursts, the account-link
// graph drawn by edge kind, why its parts were joined, reasons, indicators, members (which an analyst
// can split out, or merge the campaign with another), and the brief to download; kept current in place
// while the live engine judges new traffic.
import { accountTimelineOption, dailyVolumeOption } from '../../../src/report/chart-options.js';
import { kindName } from '../../../src/report/kind-names.js';
import { joinSentence } from '../../../src/report/join-sentence.js';
import { api, ApiError, download } from '../api.js';
import { drawChart } from '../charts.js';
import type { JoinOut } from '../../../src/core/output.js';
import { badge, days, html, type Html, int, pct, route, when } from '../dom.js';
import { drawGraph } from '../graph.js';
import { EVIDENCE_TITLE, reasonList } from './reasons.js';
import { auditTable } from './audit.js';
import { onLeave } from '../lifecycle.js';

/** How often the page asks whether the store has been refreshed (new data) since it was drawn. */
const REFRESH_MS = 3000;

type Data = Awaited<ReturnType<typeof load>>;

async function load(id: string) {
  const [c, facts, members, graph, all] = await Promise.all([api.campaign(id), api.facts(id), api.accounts({ campaign_id: id, limit: 1000 }), api.graph(id), api.campaigns()]);
  /** The campaigns it could be merged with, largest first. */
  const others = all.filter((o) => o.campaign_id !== id).sort((a, b) => b.accounts.length - a.accounts.length);
  return { c, facts, members, graph, others };
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
<section><h2>Why its parts were joined</h2><div id="joins"></div></section>
<div class="grid2">
<section><h2>Reasons</h2><div id="reasons"></div></section>
<section><h2>Indicators</h2><div id="indicators-box"></div></section>
</div>
<section><h2>Audit</h2><p class="muted">The engine's verdict changes (at event time: when the traffic happened) and analysts' decisions (at wall-clock time: when they were made), each kind newest first.</p><div id="audit"></div></section>
<section><h2>Accounts</h2>
<p class="muted">An analyst who reads two operators in one campaign ticks one operator's accounts and splits them out (a campaign of their own when they are three or more); one who reads one operator in two campaigns merges them. Both are decisions: applied to the engine at its clock, audited, kept across restarts. The linker never joins a split part again on the evidence that crossed it, only on a new identity thing or a merge.</p>
<form class="regroup" id="split-form"><button name="action" value="split" id="split">Split the ticked accounts out</button> <span class="muted" id="ticked">none ticked</span>
<input name="note" placeholder="note (optional)" maxlength="500" aria-label="note for the split"> <span class="outcome" role="status"></span></form>
<form class="regroup" id="merge-form"><label>Merge with <select name="with" aria-label="campaign to merge with"></select></label> <button name="action" value="merge" id="merge">Merge</button>
<input name="note" placeholder="note (optional)" maxlength="500" aria-label="note for the merge"> <span class="outcome" role="status"></span></form>
<table class="tbl" id="members"><thead><tr><th><span class="sr">Tick</span></th><th>Account</th><th>Verdict</th><th class="num">Score</th><th>Signed up</th><th>Flagged (event time)</th><th class="num">Exchanges</th></tr></thead><tbody></tbody></table></section>`.text;
  const daily = drawChart(app.querySelector('#daily-chart') as HTMLElement, dailyVolumeOption(d.facts.days, d.facts.flaggedAt));
  const accounts = drawChart(app.querySelector('#accounts-chart') as HTMLElement, accountTimelineOption(d.members));
  fill(app, d, undefined);
  for (const b of app.querySelectorAll<HTMLButtonElement>('button[data-brief]')) {
    b.addEventListener('click', () => void download(`/v1/campaigns/${encodeURIComponent(id)}/brief?format=${b.dataset.brief}`, `${id}-brief.${b.dataset.brief}`));
  }
  let busy = false;
  let left = false;
  /** Draws the data again in place when the store has been refreshed since it was drawn. */
  const refresh = async (): Promise<void> => {
    const c = await api.campaign(id);
    if (c.snapshot?.refresh === d.c.snapshot?.refresh) return;
    const next = await load(id);
    if (left) return; // the reader moved on while it loaded
    fill(app, next, d);
    daily.setOption(dailyVolumeOption(next.facts.days, next.facts.flaggedAt), { notMerge: true });
    daily.resize(); // it may have been hidden until now
    accounts.setOption(accountTimelineOption(next.members), { notMerge: true });
    d = next;
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    refresh()
      .catch(() => undefined) // a failed poll is retried at the next tick
      .finally(() => (busy = false));
  }, REFRESH_MS);
  wireRegroup(app, id, () => d, async () => {
    busy = true; // no poll of a campaign that may be gone
    try {
      // The campaign may be gone (merged into the other, or split down to fewer than three accounts):
      // the page follows its members to the campaign they are in now.
      if ((await api.accounts({ campaign_id: id, limit: 1 })).length > 0) return await refresh();
      for (const m of d.members) {
        const next = (await api.account(m.account_id)).campaign_id;
        if (next) return void (location.hash = route('campaigns', next));
      }
      location.hash = '#/';
    } finally {
      busy = false;
    }
  });
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
  set('#joins', joinsList(c.joins ?? []));
  const merge = app.querySelector('#merge-form select') as HTMLSelectElement;
  const chosen = merge.value;
  merge.innerHTML = html`${d.others.map((o) => html`<option value="${o.campaign_id}">${o.campaign_id} (${int(o.accounts.length)} accounts)</option>`)}`.text;
  if (chosen) merge.value = chosen;
  (app.querySelector('#merge') as HTMLButtonElement).disabled = d.others.length === 0;
  // The ticks survive a redraw of the table (new traffic judged while the analyst chooses).
  const ticked = new Set(checkedMembers(app));
  set(
    '#members tbody',
    html`${members.map(
      (m) => html`<tr data-account="${m.account_id}"><td><input type="checkbox" name="member" value="${m.account_id}" aria-label="tick ${m.account_id}" ${ticked.has(m.account_id) ? html`checked` : ''}></td><td><a href="${route('accounts', m.account_id)}"><code>${m.account_id}</code></a></td><td>${badge(m.verdict)}</td><td class="num">${m.score.toFixed(2)}</td><td class="time">${when(m.created_at)}</td><td class="time">${when(m.flagged_at)}</td><td class="num">${int(m.exchanges)}</td></tr>`,
    )}`,
  );
}

/** The joins, oldest first, each in the brief's sentence (src/report/join-sentence.ts). */
function joinsList(joins: readonly JoinOut[]): Html {
  if (joins.length === 0) return html`<p class="muted" id="no-joins">None: it grew one account at a time, never by joining two linked parts of two or more accounts.</p>`;
  return html`<ul id="join-list">${joins.map((j) => html`<li data-rule="${j.rule}">${joinSentence(j)}</li>`)}</ul>`;
}

function checkedMembers(app: HTMLElement): string[] {
  return [...app.querySelectorAll<HTMLInputElement>('#members input[name="member"]:checked')].map((i) => i.value);
}

/** The split and merge forms: each posts one decision, says the outcome, and `after` redraws the page. */
function wireRegroup(app: HTMLElement, id: string, data: () => Data, after: () => Promise<void>): void {
  const ticked = app.querySelector('#ticked') as HTMLElement;
  app.querySelector('#members')!.addEventListener('change', () => {
    const n = checkedMembers(app).length;
    ticked.textContent = n === 0 ? 'none ticked' : `${int(n)} of ${int(data().members.length)} ticked`;
  });
  for (const form of app.querySelectorAll<HTMLFormElement>('form.regroup')) {
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const out = form.querySelector('.outcome') as HTMLElement;
      out.classList.remove('error');
      const note = String(new FormData(form).get('note') ?? '');
      const split = form.id === 'split-form';
      const accounts = checkedMembers(app);
      if (split && accounts.length === 0) return void (out.textContent = 'tick the accounts to split out first');
      const other = String(new FormData(form).get('with') ?? '');
      const buttons = form.querySelectorAll('button');
      for (const b of buttons) b.disabled = true;
      api
        .regroup(id, split ? { split: accounts } : { merge: other }, note)
        .then(async () => {
          out.textContent = split ? `split: ${int(accounts.length)} accounts out` : `merged with ${other}`;
          await after();
        })
        .catch((e: unknown) => {
          out.textContent = e instanceof ApiError && e.status === 403 ? 'your key may not record decisions (analyst role needed)' : String(e instanceof Error ? e.message : e);
          out.classList.add('error');
        })
        .finally(() => {
          for (const b of buttons) b.disabled = false;
        });
    });
  }
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
