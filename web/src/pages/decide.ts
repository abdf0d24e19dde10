// The decision form (confirm, dismiss, escalate with a note), shared by the review queue and the
// account page. A decision is stored, audited and fed back to the engine by the server.
import { api, ApiError, type Decision } from '../api.js';
import { html, type Html, when } from '../dom.js';

export function decisionForm(accountId: string): Html {
  return html`<form class="decide" data-account="${accountId}">
<input name="note" placeholder="note (optional)" maxlength="500" aria-label="note for ${accountId}">
<button name="action" value="confirm" class="confirm">Confirm</button>
<button name="action" value="dismiss" class="dismiss">Dismiss</button>
<button name="action" value="escalate" class="escalate">Escalate</button>
<span class="outcome" role="status"></span>
</form>`;
}

export const PAST: Record<Decision['action'], string> = { confirm: 'confirmed', dismiss: 'dismissed', escalate: 'escalated' };

export function decisionText(d: Decision | null): Html {
  if (!d) return html`<span class="muted">undecided</span>`;
  return html`<span class="decision ${d.action}" data-decision="${d.action}">${PAST[d.action]}</span> <span class="muted">by ${d.actor} at ${when(d.decided_at)} (wall clock), applies from ${when(d.at)} (event time)${d.note ? html` — “${d.note}”` : ''}</span>`;
}

/** Wires every decision form under `root`; `after` runs once a decision is stored. */
export function wireDecisionForms(root: HTMLElement, after: (d: Decision) => void): void {
  for (const form of root.querySelectorAll<HTMLFormElement>('form.decide')) {
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const submitter = (ev as SubmitEvent).submitter as HTMLButtonElement | null;
      const action = submitter?.value as Decision['action'] | undefined;
      if (!action) return;
      const note = String(new FormData(form).get('note') ?? '');
      const out = form.querySelector('.outcome') as HTMLElement;
      for (const b of form.querySelectorAll('button')) b.disabled = true;
      api
        .decide(form.dataset.account ?? '', action, note)
        .then((d) => {
          out.textContent = PAST[d.action];
          after(d);
        })
        .catch((e: unknown) => {
          out.textContent = e instanceof ApiError && e.status === 403 ? 'your key may not record decisions (analyst role needed)' : String(e instanceof Error ? e.message : e);
          out.classList.add('error');
          for (const b of form.querySelectorAll('button')) b.disabled = false;
        });
    });
  }
}
