// What the gateway does with an account: its action now (what `GET /v1/decision/{id}` answers), every
// change of it under the policy (event time), and the analyst's exemption form (a suppression: a new,
// audited version of the policy in force).
import { api, ApiError, type Actions, type ActionLine, type PolicyNow } from '../api.js';
import { html, type Html, when } from '../dom.js';

/** Action names as a gateway acts on them, in order of severity. */
export const ACTION_ORDER = ['allow', 'step_up', 'throttle', 'degrade', 'hold', 'block'] as const;

export function actionBadge(action: string): Html {
  return html`<span class="action ${action}" data-action="${action}">${action.replace('_', ' ')}</span>`;
}

export function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${String(v)}`)
    .join(', ');
}

/** A change as the gateway sees it: the action before and after, or, when the action stayed, that its rule changed. */
export function changeText(l: ActionLine): string {
  return l.from === l.action ? `${l.action.replace('_', ' ')}: rule changed` : `${l.from.replace('_', ' ')} → ${l.action.replace('_', ' ')}`;
}

/** Each line's predecessor in the same mode (enforce or shadow), by event time: what its rule replaced. */
function previousLines(history: readonly ActionLine[]): Map<ActionLine, ActionLine> {
  const prev = new Map<ActionLine, ActionLine>();
  const last = new Map<string, ActionLine>();
  for (const l of [...history].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
    const before = last.get(l.mode);
    if (before) prev.set(l, before);
    last.set(l.mode, l);
  }
  return prev;
}

function ruleText(rule: string | null): Html {
  return rule ? html`<code>${rule}</code>` : html`<span class="muted">no rule matches</span>`;
}

function changeRow(l: ActionLine, prev: ActionLine | undefined): Html {
  // The same action under another rule (say a sign-up link's degrade, then the verdict's) is a change
  // of rule, mark and reasons, not a no-op: said so, with the rule it replaced.
  const ruleChanged = l.from === l.action;
  return html`<tr class="${l.mode}"${ruleChanged ? html` data-change="rule"` : ''}><td class="time">${when(l.at)}</td><td>${
    ruleChanged ? html`${actionBadge(l.action)} <span class="chip">rule changed</span>` : html`${actionBadge(l.from)} → ${actionBadge(l.action)}`
  }${l.mode === 'shadow' ? html` <span class="chip">shadow</span>` : ''}</td><td>${ruleChanged && prev && prev.rule !== l.rule ? html`${ruleText(prev.rule)} → ` : ''}${ruleText(l.rule)}${l.suppressed?.length ? html`<div class="muted">suppressed: ${l.suppressed.join(', ')}</div>` : ''}</td><td>${paramsText(l.params)}${l.mark ? html` <span class="chip" title="provenance marker">mark ${l.mark}</span>` : ''}</td><td class="codes">${l.reasons.slice(0, 3).map((r) => html`<div><code>${r.code}</code></div>`)}</td><td class="muted">${l.policy}</td></tr>`;
}

/** The account page's section; `a` is null when this service runs no policy. */
export function actionSection(accountId: string, a: Actions | null, policy: PolicyNow | null): Html {
  if (!a) return html`<section id="gateway"><h2>At the gateway</h2><p class="muted">This service runs no policy: nothing acts on its verdicts (start serve with the gateway routes, see docs/act.md).</p></section>`;
  const d = a.current;
  return html`<section id="gateway"><h2>At the gateway</h2>
<p id="action-now">Now: ${actionBadge(d.action)} ${d.rule ? html`by rule <code>${d.rule}</code> of <span class="muted">${d.policy}</span>` : html`<span class="muted">no rule of ${d.policy} matches</span>`}${
    Object.keys(d.params).length ? html` — ${paramsText(d.params)}` : ''
  }${d.mark ? html` · responses marked <code>${d.mark}</code>` : ''}${d.at ? html` <span class="muted">since ${when(d.at)} (event time)</span>` : ''}</p>
${
  a.history.length
    ? html`<table class="tbl" id="action-history"><thead><tr><th>At (event time, UTC)</th><th>Change</th><th>Rule</th><th>Parameters</th><th>Reasons</th><th>Policy</th></tr></thead><tbody>${(() => {
        const prev = previousLines(a.history);
        return a.history.map((l) => changeRow(l, prev.get(l)));
      })()}</tbody></table>`
    : html`<p class="muted" id="no-actions">Allowed throughout: no rule of the policy has matched this account.</p>`
}
${policy ? suppressForm(accountId, policy) : ''}</section>`;
}

function suppressForm(accountId: string, p: PolicyNow): Html {
  const mine = p.suppressions.filter((s) => s.account_id === accountId);
  const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  return html`${mine.length ? html`<h3>Exemptions</h3><ul class="plain" id="suppressions">${mine.map((s) => html`<li>from <code>${s.rule}</code> until ${when(s.until)} (event time), granted by ${s.by} — “${s.note}”</li>`)}</ul>` : ''}
<form class="suppress" data-account="${accountId}"><label>Exempt from <select name="rule"><option value="*">every rule</option>${p.rules.map((r) => html`<option value="${r.id}">${r.id} (${r.action})</option>`)}</select></label>
<label>until <input type="date" name="until" value="${soon}" required></label>
<input name="note" placeholder="why (audited)" required maxlength="500" aria-label="reason for the exemption">
<button>Exempt</button> <span class="outcome" role="status"></span></form>`;
}

/** Wires the exemption form; `after` runs once the new policy version is in force. */
export function wireSuppressForm(root: HTMLElement, after: () => void): void {
  const form = root.querySelector<HTMLFormElement>('form.suppress');
  form?.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const out = form.querySelector('.outcome') as HTMLElement;
    const button = form.querySelector('button') as HTMLButtonElement;
    button.disabled = true;
    api
      .suppress({ account_id: form.dataset.account, rule: String(f.get('rule')), until: `${String(f.get('until'))}T00:00:00Z`, note: String(f.get('note')) })
      .then(after)
      .catch((e: unknown) => {
        out.textContent = e instanceof ApiError && e.status === 403 ? 'your key may not exempt accounts (analyst role needed)' : String(e instanceof Error ? e.message : e);
        out.classList.add('error');
        button.disabled = false;
      });
  });
}
