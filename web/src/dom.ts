// Markup from data: every interpolated value is escaped unless it is already markup (`Html`), so
// account ids, reason details and indicator values can never inject anything into the page.
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function part(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Html(out);
}

export const int = (n: number): string => Math.round(n).toLocaleString('en');
export const pct = (x: number): string => (x > 0 && x < 0.005 ? '<1%' : `${Math.round(x * 100)}%`);
export const when = (ts: string | null | undefined): string => (ts ? new Date(ts).toISOString().slice(0, 16).replace('T', ' ') : '—');
export const days = (from: string, to: string): string => `${((Date.parse(to) - Date.parse(from)) / 86_400_000).toFixed(1)} d`;

export function badge(verdict: string): Html {
  return html`<span class="badge ${verdict}">${verdict}</span>`;
}

/** A link to an in-app route, with the id encoded. */
export function route(kind: 'campaigns' | 'accounts', id: string): string {
  return `#/${kind}/${encodeURIComponent(id)}`;
}
