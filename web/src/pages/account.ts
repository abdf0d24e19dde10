// One account: its timeline (sign-up, activity, verdict changes, evidence, gateway actions, analyst decisions), its reasons
// with their evidence, the accounts it is linked to and by what, and its decisions.
import type { EChartsOption } from 'echarts';
import { api, type ActionLine, type Decision } from '../api.js';
import { disposeCharts, drawChart } from '../charts.js';
import { milestoneRows } from '../timeline-labels.js';
import { timeAxisLabels } from '../../../src/report/chart-options.js';
import { badge, html, int, pct, route, when } from '../dom.js';
import { decisionForm, decisionText, wireDecisionForms } from './decide.js';
import { EVIDENCE_TITLE, reasonList } from './reasons.js';
import { auditTable } from './audit.js';
import { actionSection, changeText, wireSuppressForm } from './actions.js';

export async function accountPage(app: HTMLElement, id: string): Promise<void> {
  const [a, links, decisions, actions] = await Promise.all([api.account(id), api.links(id), api.decisions(id), api.actions(id)]);
  const policy = actions ? await api.policy() : null;
  const evidence = a.evidence ?? [];
  const caps = Object.entries(a.capabilities ?? {}).sort((x, y) => y[1] - x[1]);
  app.innerHTML = html`<p class="crumbs"><a href="#/">Campaigns</a> › ${a.campaign_id ? html`<a href="${route('campaigns', a.campaign_id)}">${a.campaign_id}</a> › ` : ''}${a.account_id}</p>
<h1>Account <code id="account-id">${a.account_id}</code> ${badge(a.verdict)}</h1>
<section class="cards">
<div class="card"><div class="label">Score</div><div class="value">${a.score.toFixed(2)}</div></div>
<div class="card"><div class="label">Exchanges</div><div class="value">${int(a.exchanges)}</div><div class="note">${a.exchanges_before_flag !== null ? `${int(a.exchanges_before_flag)} before the flag` : ''}</div></div>
<div class="card"><div class="label">Signed up</div><div class="value small">${when(a.created_at)}</div></div>
<div class="card"><div class="label">Flagged</div><div class="value small">${when(a.flagged_at)}</div></div>
</section>
<section><h2>Timeline <span class="muted">(event time, UTC)</span></h2><div class="chart timeline" id="timeline-chart"></div></section>
${actionSection(a.account_id, actions, policy)}
<div class="grid2">
<section><h2>Reasons</h2>${reasonList(a.reasons)}
<h3>Evidence</h3>${
    evidence.length
      ? html`<table class="tbl" id="evidence"><thead><tr><th>Observed</th><th>Code</th><th class="num" title="${EVIDENCE_TITLE}">Evidence</th></tr></thead><tbody>${evidence.map((e) => html`<tr><td class="time">${when(e.at)}</td><td><code>${e.code}</code></td><td class="num">${e.weight.toFixed(2)}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">No evidence stored (benign accounts keep none).</p>`
  }
<h3>Capabilities</h3><p>${caps.map(([k, v]) => html`<span class="chip">${k} ${pct(v)}</span>`)}</p></section>
<section><h2>Linked accounts</h2>${
    links.length
      ? html`<table class="tbl" id="links"><thead><tr><th>Account</th><th>Linked by</th><th>At</th></tr></thead><tbody>${links.map((l) => {
          const other = l.a === a.account_id ? l.b : l.a;
          return html`<tr><td><a href="${route('accounts', other)}"><code>${other}</code></a></td><td>${l.kinds.map((k) => html`<span class="chip" title="${k.ref}">${k.dimension}</span>`)}</td><td class="time">${when(l.at)}</td></tr>`;
        })}</tbody></table>`
      : html`<p class="muted">Not linked to another account.</p>`
  }
<h2>Decisions</h2><ul id="decisions" class="plain">${decisions.map((d) => html`<li>${decisionText(d)}</li>`)}</ul>${decisionForm(a.account_id)}</section>
</div>
<section><h2>Audit</h2>${auditTable(a.audit, false)}</section>`.text;
  const tl = app.querySelector('#timeline-chart') as HTMLElement;
  drawChart(tl, timelineOption(a, evidence, decisions, actions?.history.filter((l) => l.mode === 'enforce') ?? [], tl.clientWidth || 900));
  // Redrawn from the server after a decision: verdict, score, timeline and audit all change with it.
  const redraw = (): void => {
    disposeCharts();
    void accountPage(app, id);
  };
  wireDecisionForms(app, redraw);
  wireSuppressForm(app, redraw);
}

const GRID = { left: 80, right: 24 };

/** The timeline's lanes, top to bottom: the account's milestones, evidence, what the gateway did, what analysts decided. */
export const TIMELINE_LANES = ['account', 'evidence', 'gateway', 'analyst'];

function timelineOption(
  a: { created_at?: string; first_seen?: string; last_seen?: string; suspicious_at?: string | null; flagged_at: string | null },
  evidence: { at: string; code: string }[],
  decisions: Decision[],
  gateway: ActionLine[],
  width: number,
): EChartsOption {
  const lanes = TIMELINE_LANES;
  const points: [number, number, string][] = [];
  const add = (ts: string | null | undefined, lane: number, label: string): void => {
    if (ts) points.push([Date.parse(ts), lane, label]);
  };
  add(a.created_at, 0, 'signed up');
  add(a.first_seen, 0, 'first exchange');
  add(a.suspicious_at, 0, 'suspicious');
  add(a.flagged_at, 0, 'flagged distillation');
  add(a.last_seen, 0, 'last exchange');
  for (const e of evidence) add(e.at, 1, e.code);
  // The gateway's action changes (enforced) and the analysts' decisions, each at the event time it
  // applies from (a decision: the engine's clock when decided); named in the tooltip.
  for (const l of gateway) add(l.at, 2, `gateway: ${changeText(l)}${l.rule ? ` (${l.rule})` : ''}`);
  for (const d of decisions) add(d.at, 3, `analyst: ${d.action} by ${d.actor}`);
  const active = a.first_seen && a.last_seen ? [[Date.parse(a.first_seen), Date.parse(a.last_seen)]] : [];
  const times = points.map((p) => p[0]);
  // A little room at both ends: the first milestone's dot and label stay clear of the axis line.
  const pad = Math.max(60_000, (Math.max(...times) - Math.min(...times)) * 0.02);
  const min = Math.min(...times) - pad;
  const max = Math.max(...times) + pad;
  const crossesYear = new Date(min).getUTCFullYear() !== new Date(max).getUTCFullYear();
  // The account's milestones are often minutes apart: stacked in rows so that no two labels overlap.
  const milestones = points.filter((p) => p[1] === 0).sort((x, y) => x[0] - y[0]);
  const rows = milestoneRows(milestones.map((p) => ({ t: p[0], label: p[2] })), { min, max, width: width - GRID.left - GRID.right });
  const rowCount = Math.max(1, ...rows.map((r) => r.row + 1));
  return {
    useUTC: true,
    animation: false,
    grid: { ...GRID, top: 12 + 14 * rowCount, bottom: 28 },
    tooltip: { trigger: 'item', formatter: (p: unknown) => String((p as { data: [number, number, string] }).data[2]) },
    xAxis: { type: 'time', min, max, axisLabel: { formatter: timeAxisLabels(crossesYear), hideOverlap: true } },
    yAxis: { type: 'category', data: lanes, inverse: true },
    series: [
      {
        type: 'custom',
        silent: true,
        renderItem: (_p, api) => {
          const s = api.coord([api.value(0), 0]);
          const e = api.coord([api.value(1), 0]);
          return { type: 'rect', shape: { x: s[0], y: s[1] - 3, width: Math.max(2, e[0] - s[0]), height: 6 }, style: { fill: '#aab7c4' } };
        },
        encode: { x: [0, 1] },
        data: active,
      },
      {
        type: 'scatter',
        symbolSize: 10,
        color: '#2c5d8a',
        data: milestones.map((p, i) => ({
          value: p,
          label: { show: true, position: 'top', distance: 4 + 14 * rows[i].row, align: rows[i].align, fontSize: 10, formatter: p[2] },
        })),
      },
      { type: 'scatter', symbolSize: 9, color: '#c0392b', data: points.filter((p) => p[1] === 1) },
      { type: 'scatter', symbol: 'diamond', symbolSize: 11, color: '#7b3fa0', data: points.filter((p) => p[1] === 2) },
      { type: 'scatter', symbol: 'triangle', symbolSize: 10, color: '#b35c00', data: points.filter((p) => p[1] === 3) },
    ],
  };
}
