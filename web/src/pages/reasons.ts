// Reasons as the analyst reads them: weight, stable code, the code's text and parameters. The type is
// the engine's own (src/core/reasons.ts: one member per code, its parameters typed).
import type { ReasonOut } from '../../../src/core/output.js';
import { REASON_CODES } from '../../../src/core/reasons.js';
import { html, type Html } from '../dom.js';

/**
 * What a reason's number is: evidence in nats, added up over the reasons (docs/reasons.md), not a share
 * or a probability, so one reason can weigh more than 1. The score is 1 − e^(−total ÷ scoring.scoreScale).
 */
export const EVIDENCE_NOTE =
  'A reason\u2019s number is its evidence weight (in nats): weights add up and are not shares, so one can exceed 1. The score is 1 \u2212 e^(\u2212total \u00f7 2.5) with the default scoring, so a total of 4.0 reaches 0.8.';
export const EVIDENCE_TITLE = 'evidence weight (nats, additive; not a share)';

export function reasonList(reasons: readonly ReasonOut[]): Html {
  if (reasons.length === 0) return html`<p class="muted">none</p>`;
  return html`<ul class="reasons">${reasons.map((r) => {
    const params = Object.entries(r.detail as Record<string, string | number | boolean>).map(
      ([k, v]) => html`<span class="param">${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v)}</span>`,
    );
    // A store written by another version can hold a code this one does not know: no text, then.
    const text: string | undefined = Object.hasOwn(REASON_CODES, r.code) ? REASON_CODES[r.code] : undefined;
    return html`<li><span class="w" title="${EVIDENCE_TITLE}">${r.weight.toFixed(2)}</span> <code title="${text ?? ''}">${r.code}</code> ${params}</li>`;
  })}</ul>`;
}
