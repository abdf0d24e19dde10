// The campaign brief as Markdown: the same figures as the HTML brief, for tickets and e-mail bodies.
import { briefFacts, joinSentence, kindName, type BriefData } from './brief-data.js';
import { int, pct, reasonText, score, when } from './format.js';

/** Escapes text for Markdown (also neutralises inline HTML and links). */
function md(s: string | number): string {
  return String(s)
    .replace(/[\\`*_[\]<>|#!]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

export function renderBriefMarkdown(d: BriefData, opts: { title?: string } = {}): string {
  const c = d.campaign;
  const f = briefFacts(d);
  const out: string[] = [];
  out.push(`# ${md(opts.title ?? `Distillation campaign ${c.campaign_id}`)}`, '');
  out.push(`${when(c.first_seen)} to ${when(c.last_seen)} UTC (${f.spanDays.toFixed(1)} days)${d.summary?.last_event ? `; data as of ${when(d.summary.last_event)} UTC` : ''}.`, '');
  out.push('| | |', '|---|---:|');
  out.push(`| Exchanges | ${int(f.exchanges)} |`);
  out.push(`| Accounts | ${int(f.accounts)} (${int(f.distillation)} distillation, ${int(f.suspicious)} suspicious) |`);
  out.push(`| Span | ${f.spanDays.toFixed(1)} days |`);
  out.push(`| Flagged at | ${c.flagged_at ? `${when(c.flagged_at)} UTC` : 'not flagged'} |`);
  out.push(`| Score | ${score(c.score)} |`);
  if (f.exchangesBeforeFlag !== null) out.push(`| Exchanges before flag | ${int(f.exchangesBeforeFlag)} (${pct(f.exchangesBeforeFlag / Math.max(1, f.exchanges))}) |`);
  out.push('');
  if (f.capabilities.length) {
    out.push('## Capabilities targeted', '', '| Capability | Share of exchanges |', '|---|---:|');
    for (const [k, v] of f.capabilities) out.push(`| ${md(k)} | ${pct(v)} |`);
    out.push('');
  }
  if (f.days.length) {
    out.push('## Exchanges per day (event time, UTC)', '', '| Day | Exchanges | From members already flagged |', '|---|---:|---:|');
    for (const r of f.days) out.push(`| ${r.day} | ${int(r.exchanges)} | ${int(r.afterFlag)} |`);
    out.push(`| total | ${int(f.dailyTotal)} | ${int(f.afterFlagTotal)} |`, '');
  }
  out.push('## How it was detected', '');
  out.push(`First exchange ${when(c.first_seen)}; campaign flagged (its first member) ${when(f.flaggedAt)} (event time, UTC).`, '');
  out.push('Evidence in the members (strongest weight, members carrying it):', '');
  for (const r of f.memberReasons) out.push(`- \`${md(r.code)}\` ${r.weight.toFixed(2)}, ${int(r.members)} of ${int(f.accounts)}`);
  out.push('', 'Evidence of the campaign as a whole:', '');
  for (const r of c.reasons) out.push(`- **${r.weight.toFixed(2)}** \`${md(r.code)}\`: ${md(reasonText(r))}`);
  out.push('');
  out.push('## Infrastructure', '');
  for (const [kind, list] of f.infrastructure) out.push(`- ${md(kindName(kind))}: ${int(list.length)}`);
  if (f.linkKinds.length) out.push('', `Links between accounts: ${f.linkKinds.map(([k, n]) => `${md(kindName(k))} ${int(n)}`).join(', ')}.`);
  if (c.joins?.length) out.push('', 'Why its parts were joined:', '', ...c.joins.map((j) => `- ${md(joinSentence(j))}`));
  out.push('', '## Indicators shared', '');
  out.push(`Shared with peer labs as a STIX 2.1 bundle (${d.stix.tlp}, ${int(d.stix.objects)} objects): ${int(d.stix.indicators.length)} indicators.`, '');
  if (d.shared?.length) out.push(`Shared ${d.shared.map((s) => `with ${md(s.to)} at ${when(s.at)} UTC (${int(s.objects)} objects)`).join('; ')}.`, '');
  out.push('| Kind | Value |', '|---|---|');
  for (const i of d.stix.indicators) out.push(`| ${md(i.kind)} | \`${md(i.value)}\` |`);
  const shared = new Set(d.stix.indicators.map((i) => `${i.kind}\u0000${i.value}`));
  const internal = c.indicators.filter((i) => !shared.has(`${i.kind}\u0000${i.value}`));
  if (internal.length) {
    out.push('', `Kept internal (${int(internal.length)}):`, '', '| Kind | Value |', '|---|---|');
    for (const i of internal) out.push(`| ${md(i.kind)} | \`${md(i.value)}\` |`);
  }
  out.push('', `## Accounts (${int(f.accounts)})`, '', '| Account | Verdict | Score | Signed up | Flagged | Exchanges |', '|---|---|---:|---|---|---:|');
  for (const a of d.members) out.push(`| ${md(a.account_id)} | ${a.verdict} | ${score(a.score)} | ${when(a.created_at)} | ${when(a.flagged_at)} | ${int(a.exchanges)} |`);
  out.push('', 'Times are event times in UTC. E-mail patterns are the shape of a local part (a: letters, 9: digits) with its domain, never an address; the brief holds no prompt text, e-mail address or payment detail.', '');
  return out.join('\n');
}
