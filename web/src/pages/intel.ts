// Intelligence: STIX bundles imported from peers, sightings of their indicators in our traffic, and
// what we shared — as the intel module stored them.
import { api } from '../api.js';
import { html, int } from '../dom.js';

type Row = Record<string, unknown>;

function table(id: string, rows: Row[], empty: string) {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 8);
  return html`<table class="tbl" id="${id}"><thead><tr>${cols.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${rows.map(
    (r) => html`<tr>${cols.map((c) => html`<td>${cell(r[c])}</td>`)}</tr>`,
  )}</tbody></table>`;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export async function intelPage(app: HTMLElement): Promise<void> {
  const intel = await api.intel();
  app.innerHTML = html`<h1>Intelligence</h1>
${intel.note ? html`<p class="note-box">${intel.note}</p>` : ''}
<section><h2>Imported bundles <span class="muted">${int(intel.bundles.length)}</span></h2>${table('bundles', intel.bundles, 'No bundle imported.')}</section>
<section><h2>Sightings <span class="muted">${int(intel.sightings.length)}</span></h2>${table('sightings', intel.sightings, 'No peer indicator sighted in our traffic.')}</section>
<section><h2>Shared <span class="muted">${int(intel.shared.length)}</span></h2>${table('shared', intel.shared, 'Nothing shared yet.')}</section>`.text;
}
