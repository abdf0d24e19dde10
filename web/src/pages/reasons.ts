// Reasons as the analyst reads them: weight, stable code, parameters.
import { html, type Html } from '../dom.js';

export interface ReasonLike {
  code: string;
  weight: number;
  detail: Record<string, string | number | boolean> | string;
}

export function reasonList(reasons: readonly ReasonLike[]): Html {
  if (reasons.length === 0) return html`<p class="muted">none</p>`;
  return html`<ul class="reasons">${reasons.map((r) => {
    const detail = typeof r.detail === 'string' ? (JSON.parse(r.detail) as Record<string, unknown>) : r.detail;
    const params = Object.entries(detail).map(([k, v]) => html`<span class="param">${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v)}</span>`);
    return html`<li><span class="w">${r.weight.toFixed(2)}</span> <code>${r.code}</code> ${params}</li>`;
  })}</ul>`;
}
