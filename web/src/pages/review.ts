// The review queue: accounts the engine found `suspicious` (worth a look, not enforcement-ready), the
// undecided first. Confirm makes one distillation and strengthens its campaign; dismiss clears the
// evidence seen so far; escalate hands it on.
import { api } from '../api.js';
import { badge, html, int, route, when } from '../dom.js';
import { decisionForm, decisionText, wireDecisionForms } from './decide.js';
import { EVIDENCE_NOTE, EVIDENCE_TITLE } from './reasons.js';

export async function reviewPage(app: HTMLElement): Promise<void> {
  const items = await api.review();
  const open = items.filter((i) => !i.decision);
  app.innerHTML = html`<h1>Review queue</h1>
<p class="muted" id="review-count">${int(open.length)} undecided of ${int(items.length)} accounts. Decisions are stored with the event time they apply from, audited, and fed back to the engine.</p>
<p class="muted" id="evidence-note">${EVIDENCE_NOTE}</p>
${
  items.length
    ? html`<table class="tbl" id="review"><thead><tr><th>Account</th><th>Verdict</th><th class="num">Score</th><th>Campaign</th><th>Top reasons (evidence)</th><th>Decision</th></tr></thead><tbody>${items.map(
        (a) => html`<tr data-account="${a.account_id}">
<td><a href="${route('accounts', a.account_id)}"><code>${a.account_id}</code></a><div class="muted">${int(a.exchanges)} exchanges · since ${when(a.suspicious_at ?? a.first_seen)}</div></td>
<td>${badge(a.verdict)}</td><td class="num">${a.score.toFixed(2)}</td>
<td>${a.campaign_id ? html`<a href="${route('campaigns', a.campaign_id)}">${a.campaign_id}</a>` : html`<span class="muted">—</span>`}</td>
<td class="codes">${a.reasons.slice(0, 3).map((r) => html`<div><code>${r.code}</code> <span class="muted" title="${EVIDENCE_TITLE}">${r.weight.toFixed(2)}</span></div>`)}</td>
<td class="decision-cell">${decisionText(a.decision)}${decisionForm(a.account_id)}</td>
</tr>`,
      )}</tbody></table>`
    : html`<p class="muted">Nothing to review.</p>`
}`.text;
  // A decision changes the account (dismissed: benign, score 0) and the counts: redraw from the
  // server, which has judged and stored it before answering.
  wireDecisionForms(app, () => void reviewPage(app));
}
