// The human report: one self-contained HTML page (inline CSS and SVG, no script, no external
// resource) that an analyst can open from disk, mail, or print.
import type { AccountOut, CampaignOut, ReasonOut, Summary } from '../core/output.js';
import type { DailyRow, ScanResult } from '../store/store.js';
import { barsOver, dailyVolumeChart, dayRange, sparkline, type DayBar } from './charts.js';
import { documentHead, duration, esc, int, pct, reasonText, score, spanDays, when } from './format.js';

export interface ReportOptions {
  title?: string;
  /** Rows in the flagged/suspicious accounts table (default 100). */
  maxAccounts?: number;
}

export function renderReport(r: ScanResult & ReportOptions): string {
  const title = r.title ?? 'distillguard report';
  const global = r.daily.filter((d) => d.campaign_id == null);
  const days = global.length > 0 ? dayDomain(global) : dayDomain(r.daily);
  return `${documentHead(title, CSS)}
<body>
<header>
<h1>${esc(title)}</h1>
${period(r.summary)}
</header>
<main>
${headline(r.summary, global)}
${inputSection(r.summary)}
${volumeSection(global, days)}
${campaignSection(r.campaigns, r.daily, days)}
${accountSection(r.accounts, r.maxAccounts ?? 100)}
</main>
<footer>Times are UTC event times. Verdicts were reached online, in event-time order: <code>flagged_at</code> is when the engine first gave the verdict <em>distillation</em>, having seen only records up to that time. Indicators are keyed hashes, network prefixes and fingerprints; no raw prompt or e-mail address is in this report.</footer>
</body>
</html>
`;
}

function dayDomain(rows: readonly DailyRow[]): string[] {
  if (rows.length === 0) return [];
  let first = rows[0].day;
  let last = rows[0].day;
  for (const d of rows) {
    if (d.day < first) first = d.day;
    if (d.day > last) last = d.day;
  }
  return dayRange(first, last);
}

function period(s: Summary): string {
  const span = s.first_event && s.last_event ? ` (${spanDays(s.first_event, s.last_event)} days)` : '';
  const inputs = s.inputs.length
    ? ` · input${s.inputs.length > 1 ? 's' : ''}: ${s.inputs.map((i) => `<code>${esc(i)}</code>`).join(', ')}`
    : '';
  return `<p class="sub">Events from ${esc(when(s.first_event))} to ${esc(when(s.last_event))} UTC${esc(span)}${inputs}</p>`;
}

function card(label: string, value: string, note = '', cls = ''): string {
  return `<div class="card ${cls}"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div>${
    note ? `<div class="note">${esc(note)}</div>` : ''
  }</div>`;
}

function headline(s: Summary, global: readonly DailyRow[]): string {
  // The same share as the daily chart's legend: exchanges served while their account was flagged.
  const flaggedExchanges = global.reduce((n, d) => n + d.flagged_exchanges, 0);
  const exchanges = global.reduce((n, d) => n + d.exchanges, 0);
  return `<section class="cards">
${card('Accounts', int(s.accounts), 'sent at least one exchange')}
${card('Flagged', int(s.flagged_accounts), `verdict distillation · ${s.accounts ? pct(s.flagged_accounts / s.accounts) : '0%'} of accounts`, 'flagged')}
${card('Suspicious', int(s.suspicious_accounts), 'for analyst review', 'suspicious')}
${card('Campaigns', int(s.campaigns), 'linked operations')}
${card('Exchanges', int(s.accepted_exchanges), exchanges ? `${pct(flaggedExchanges / exchanges)} sent by accounts already flagged` : '')}
${card('Throughput', `${int(s.events_per_second)}/s`, `${duration(s.wall_time_ms)} wall time`)}
</section>`;
}

function inputSection(s: Summary): string {
  const balanced = s.lines_read === s.accepted + s.rejected + s.duplicates;
  const reasons = Object.entries(s.rejected_by_reason).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const rows = [
    ['Lines read', int(s.lines_read), ''],
    ['Accepted', int(s.accepted), `${int(s.accepted_exchanges)} exchanges, ${int(s.accepted_accounts_records)} account records`],
    ['Rejected', int(s.rejected), s.late ? `of which ${int(s.late)} late` : ''],
    ['Duplicates', int(s.duplicates), 'repeated exchange ids, skipped'],
  ];
  const check = balanced
    ? `<p class="ok">lines read = accepted + rejected + duplicates ✓</p>`
    : `<p class="warn">lines read (${esc(int(s.lines_read))}) ≠ accepted + rejected + duplicates (${esc(
        int(s.accepted + s.rejected + s.duplicates),
      )})</p>`;
  return `<section class="two">
<div>
<h2>Input</h2>
<table class="kv">${rows
    .map(([k, v, n]) => `<tr><th>${esc(k)}</th><td class="num">${esc(v)}</td><td class="muted">${esc(n)}</td></tr>`)
    .join('')}</table>
${check}
</div>
<div>
<h2>Rejected by reason</h2>
${
  reasons.length
    ? `<table class="kv">${reasons
        .map(([k, v]) => `<tr><th><code>${esc(k)}</code></th><td class="num">${esc(int(v))}</td><td class="muted">${esc(s.rejected ? pct(v / s.rejected) : '')}</td></tr>`)
        .join('')}</table><p class="muted">Each rejected line is in <code>rejected.ndjson</code> with its file, line number and reason.</p>`
    : '<p class="muted">No line was rejected.</p>'
}
</div>
</section>`;
}

function toBars(rows: readonly DailyRow[]): DayBar[] {
  return rows.map((d) => ({ day: d.day, total: d.exchanges, flagged: d.flagged_exchanges }));
}

function volumeSection(global: readonly DailyRow[], days: string[]): string {
  if (global.length === 0) return `<section><h2>Daily volume</h2><p class="muted">No daily aggregates in this scan.</p></section>`;
  const bars = barsOver(days, toBars(global));
  const total = bars.reduce((n, b) => n + b.total, 0);
  const flagged = bars.reduce((n, b) => n + b.flagged, 0);
  const peak = bars.reduce((p, b) => (b.total > p.total ? b : p), bars[0]);
  return `<section>
<h2>Daily volume</h2>
<p class="legend"><span class="key flagged"></span>sent by accounts already flagged (${esc(int(flagged))}, ${esc(total ? pct(flagged / total) : '0%')}) <span class="key other"></span>all other exchanges (${esc(int(total - flagged))}) · peak ${esc(int(peak.total))} on ${esc(peak.day)}</p>
${dailyVolumeChart(bars)}
</section>`;
}

function capabilityList(caps: Record<string, number>, n = 3): string {
  const top = Object.entries(caps)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n);
  if (top.length === 0) return '<span class="muted">—</span>';
  return `<ul class="caps">${top
    .map(
      ([k, v]) =>
        `<li><span class="cap">${esc(k)}</span><span class="capbar"><span style="width:${Math.max(0, Math.min(100, Math.round(v * 100)))}%"></span></span><span class="num">${esc(pct(v))}</span></li>`,
    )
    .join('')}</ul>`;
}

function reasonList(reasons: readonly ReasonOut[], n = 3): string {
  if (reasons.length === 0) return '<span class="muted">—</span>';
  const more = reasons.length > n ? `<li class="muted">+${reasons.length - n} more</li>` : '';
  return `<ul class="reasons">${reasons
    .slice(0, n)
    .map((r) => `<li><span class="w">${esc(r.weight.toFixed(2))}</span> ${esc(reasonText(r))}</li>`)
    .join('')}${more}</ul>`;
}

function campaignSection(campaigns: readonly CampaignOut[], daily: readonly DailyRow[], days: string[]): string {
  if (campaigns.length === 0) return `<section><h2>Campaigns</h2><p class="muted">No campaign was found.</p></section>`;
  const perCampaign = new Map<string, DailyRow[]>();
  for (const d of daily) {
    if (d.campaign_id == null) continue;
    let rows = perCampaign.get(d.campaign_id);
    if (!rows) perCampaign.set(d.campaign_id, (rows = []));
    rows.push(d);
  }
  const hasSparks = perCampaign.size > 0;
  const sorted = [...campaigns].sort((a, b) => b.score - a.score || b.exchanges - a.exchanges || (a.campaign_id < b.campaign_id ? -1 : 1));
  const rows = sorted.map((c) => {
    const span = spanDays(c.first_seen, c.last_seen);
    const toFlag = c.flagged_at ? spanDays(c.first_seen, c.flagged_at) : NaN;
    const spark = perCampaign.get(c.campaign_id);
    return `<tr>
<td><strong>${esc(c.campaign_id)}</strong></td>
<td class="num">${esc(int(c.accounts.length))}</td>
<td class="num">${esc(int(c.exchanges))}</td>
<td class="time">${esc(when(c.first_seen))} →<br>${esc(when(c.last_seen))}<div class="muted">${esc(Number.isNaN(span) ? '' : `${span.toFixed(1)} days`)}</div>${
      hasSparks ? (spark ? sparkline(barsOver(days, toBars(spark)), c.flagged_at) : '') : ''
    }</td>
<td class="time">${c.flagged_at ? `${esc(when(c.flagged_at))}${Number.isNaN(toFlag) ? '' : `<div class="muted">${esc(toFlag.toFixed(1))} d after first seen</div>`}` : '<span class="muted">not flagged</span>'}</td>
<td class="num">${esc(score(c.score))}</td>
<td>${capabilityList(c.capabilities)}</td>
<td>${reasonList(c.reasons)}</td>
</tr>`;
  });
  return `<section>
<h2>Campaigns</h2>
<p class="muted">Groups of linked accounts judged to be one distillation operation, strongest first.${
    hasSparks ? ' Under each span, the campaign’s exchanges per day over the report period: red from the day it was flagged, a dashed line at the flag time.' : ''
  }</p>
<div class="scroll"><table class="tbl">
<thead><tr><th>Campaign</th><th class="num">Accounts</th><th class="num">Exchanges</th><th>Active (first → last seen)</th><th>Flagged at</th><th class="num">Score</th><th>Top capabilities</th><th>Top reasons (weight)</th></tr></thead>
<tbody>${rows.join('')}</tbody>
</table></div>
${indicatorDetails(sorted)}
</section>`;
}

function indicatorDetails(campaigns: readonly CampaignOut[]): string {
  return `<h3>Indicators and members</h3>
${campaigns
  .map((c) => {
    const shown = c.accounts.slice(0, 60);
    const rest = c.accounts.length - shown.length;
    return `<details><summary><strong>${esc(c.campaign_id)}</strong> · ${esc(int(c.indicators.length))} indicators · ${esc(int(c.accounts.length))} accounts</summary>
<div class="two">
<div><h4>Indicators</h4><table class="kv">${c.indicators.map((i) => `<tr><th>${esc(i.kind)}</th><td><code>${esc(i.value)}</code></td></tr>`).join('') || '<tr><td class="muted">none</td></tr>'}</table></div>
<div><h4>All reasons</h4><ul class="reasons">${c.reasons.map((r) => `<li><span class="w">${esc(r.weight.toFixed(2))}</span> ${esc(reasonText(r))}</li>`).join('')}</ul>
<h4>Member accounts${rest > 0 ? ` (first ${esc(int(shown.length))})` : ''}</h4><p class="members">${shown.map((a) => `<code>${esc(a)}</code>`).join(' ')}${rest > 0 ? ` <span class="muted">+${esc(int(rest))} more</span>` : ''}</p></div>
</div>
</details>`;
  })
  .join('\n')}`;
}

const VERDICT_RANK: Record<string, number> = { distillation: 0, suspicious: 1, benign: 2 };

function accountSection(accounts: readonly AccountOut[], max: number): string {
  const notable = accounts
    .filter((a) => a.verdict !== 'benign')
    .sort(
      (a, b) =>
        (VERDICT_RANK[a.verdict] ?? 3) - (VERDICT_RANK[b.verdict] ?? 3) ||
        b.score - a.score ||
        (a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0),
    );
  if (notable.length === 0) return `<section><h2>Flagged and suspicious accounts</h2><p class="muted">No account was flagged or found suspicious.</p></section>`;
  const shown = notable.slice(0, Math.max(0, max));
  const rows = shown.map(
    (a, i) => `<tr>
<td class="num muted">${i + 1}</td>
<td><code class="id" title="${esc(a.account_id)}">${esc(a.account_id)}</code></td>
<td><span class="badge ${a.verdict === 'distillation' ? 'flagged' : 'suspicious'}">${esc(a.verdict)}</span></td>
<td class="num">${esc(score(a.score))}</td>
<td>${a.campaign_id ? esc(a.campaign_id) : '<span class="muted">—</span>'}</td>
<td class="num">${esc(int(a.exchanges))}</td>
<td class="time">${esc(when(a.flagged_at))}</td>
<td class="num">${a.exchanges_before_flag === null ? '<span class="muted">—</span>' : esc(int(a.exchanges_before_flag))}</td>
<td>${reasonList(a.reasons)}</td>
</tr>`,
  );
  const caption =
    shown.length < notable.length
      ? `Top ${int(shown.length)} of ${int(notable.length)} flagged or suspicious accounts, flagged first, then by score; all are in <code>accounts.ndjson</code>.`
      : `All ${int(notable.length)} flagged or suspicious accounts, flagged first, then by score.`;
  return `<section>
<h2>Flagged and suspicious accounts</h2>
<p class="muted">${caption}</p>
<div class="scroll"><table class="tbl">
<thead><tr><th class="num">#</th><th>Account</th><th>Verdict</th><th class="num">Score</th><th>Campaign</th><th class="num">Exchanges</th><th>Flagged at</th><th class="num">Before flag</th><th>Top reasons (weight)</th></tr></thead>
<tbody>${rows.join('')}</tbody>
</table></div>
</section>`;
}

const CSS = `
:root{--fg:#1d2733;--muted:#66727f;--line:#dde3ea;--bg:#f6f8fa;--flag:#c0392b;--susp:#c77c02;--other:#9fb3c8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
header{padding:20px 32px 12px;border-bottom:1px solid var(--line);background:var(--bg)}
h1{margin:0;font-size:22px}
h2{font-size:17px;margin:28px 0 10px}
h3{font-size:15px;margin:22px 0 8px}
h4{font-size:12px;margin:8px 0 4px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;font-weight:600}
main{padding:0 32px 24px;max-width:1500px}
footer{padding:16px 32px;border-top:1px solid var(--line);color:var(--muted);font-size:12px}
.sub{margin:4px 0 0;color:var(--muted)}
code{font:12px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--bg);padding:1px 4px;border-radius:3px;word-break:break-all}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin-top:20px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 14px;background:#fff}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:26px;font-weight:600;font-variant-numeric:tabular-nums}
.card .note{color:var(--muted);font-size:12px}
.card.flagged{border-left:4px solid var(--flag)}
.card.suspicious{border-left:4px solid var(--susp)}
.two{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:8px 32px}
table{border-collapse:collapse}
.kv th{text-align:left;font-weight:500;padding:3px 16px 3px 0}
.kv td{padding:3px 12px 3px 0}
.tbl{width:100%}
.tbl th{text-align:left;font-size:12px;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line);padding:6px 8px;vertical-align:bottom}
.tbl td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top}
.tbl tbody tr:nth-child(even){background:#fbfcfd}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.num{text-align:right}
.time{white-space:nowrap;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}
.ok{color:#1e7d32;font-size:13px}
.warn{color:var(--flag);font-weight:600}
.scroll{overflow-x:auto}
ul.reasons,ul.caps{list-style:none;margin:0;padding:0}
ul.reasons li{margin:0 0 3px;min-width:240px;padding-left:38px;text-indent:-38px}
ul.reasons .w{display:inline-block;min-width:38px;text-indent:0;color:var(--muted);font-variant-numeric:tabular-nums}
ul.caps li{display:flex;align-items:center;gap:6px;white-space:nowrap}
.cap{min-width:86px}
.capbar{display:inline-block;width:44px;height:7px;background:var(--bg);border:1px solid var(--line);border-radius:2px}
.capbar span{display:block;height:100%;background:#5b7fa3}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.badge.flagged{background:var(--flag)}
.badge.suspicious{background:var(--susp)}
.legend .key{display:inline-block;width:11px;height:11px;margin:0 4px 0 10px;vertical-align:-1px;border-radius:2px}
.legend .key:first-child{margin-left:0}
.key.flagged{background:var(--flag)}
.key.other{background:var(--other)}
svg.chart{display:block;max-width:1080px;height:auto}
svg.spark{display:block;margin-top:4px}
.bar-flagged{fill:var(--flag)}
.bar-other{fill:var(--other)}
line.grid{stroke:var(--line);stroke-width:1}
line.baseline{stroke:#8895a2;stroke-width:1}
text.axis{fill:var(--muted);font-size:11px}
.flag-mark{stroke:var(--fg);stroke-width:1.5;stroke-dasharray:3 2}
details{border:1px solid var(--line);border-radius:6px;padding:6px 12px;margin:6px 0}
summary{cursor:pointer}
code.id{display:inline-block;white-space:nowrap;max-width:24em;overflow:hidden;text-overflow:ellipsis;vertical-align:bottom;word-break:normal}
.members code{display:inline-block;margin:0 2px 3px 0}
@media print{.scroll{overflow:visible}details{break-inside:avoid}}
`;
