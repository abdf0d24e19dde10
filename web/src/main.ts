// The analyst's dashboard: a hash router over six pages. Each page fetches what it shows from the
// API and renders it; charts and the graph are disposed on every navigation.
import './style.css';
import { ApiError, setKey, signInFromHash } from './api.js';
import { disposeCharts } from './charts.js';
import { html } from './dom.js';
import { disposeGraph } from './graph.js';
import { leavePage } from './lifecycle.js';
import { accountPage } from './pages/account.js';
import { campaignPage } from './pages/campaign.js';
import { campaignsPage } from './pages/campaigns.js';
import { intelPage } from './pages/intel.js';
import { policyPage } from './pages/policy.js';
import { reviewPage } from './pages/review.js';

const app = document.getElementById('app') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;

type Page = (app: HTMLElement, arg: string) => Promise<void>;
const ROUTES: [RegExp, Page, string][] = [
  [/^#?\/?$/, (a) => campaignsPage(a), 'campaigns'],
  [/^#\/campaigns\/(.+)$/, campaignPage, 'campaigns'],
  [/^#\/accounts\/(.+)$/, accountPage, 'campaigns'],
  [/^#\/review$/, (a) => reviewPage(a), 'review'],
  [/^#\/intel$/, (a) => intelPage(a), 'intel'],
  [/^#\/policy$/, (a) => policyPage(a), 'policy'],
];

let seq = 0;

async function render(): Promise<void> {
  const mine = ++seq;
  leavePage();
  disposeCharts();
  disposeGraph();
  const hash = location.hash || '#/';
  const found = ROUTES.find(([re]) => re.test(hash));
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) a.classList.toggle('active', a.dataset.nav === found?.[2]);
  if (!found) {
    app.innerHTML = html`<h1>Not found</h1><p>No page at <code>${hash}</code>. <a href="#/">Campaigns</a></p>`.text;
    return;
  }
  const [re, page] = found;
  const arg = decodeURIComponent(re.exec(hash)?.[1] ?? '');
  app.innerHTML = '<p class="muted">Loading…</p>';
  status.textContent = '';
  try {
    await page(app, arg);
  } catch (e) {
    if (mine !== seq) return;
    if (e instanceof ApiError && e.status === 401) return keyForm();
    app.innerHTML = html`<h1>Could not load this page</h1><p class="error">${e instanceof Error ? e.message : String(e)}</p>`.text;
  }
  if (mine === seq) app.dataset.ready = hash;
}

/** Asks for an API key (read role, or analyst to record decisions) when none works. */
function keyForm(): void {
  app.innerHTML = html`<h1>API key</h1><p>This server needs a key. Ask your administrator for one with the <code>read</code> role, or <code>analyst</code> to record decisions.</p>
<form id="key-form"><input type="password" name="key" autocomplete="off" required aria-label="API key"> <button>Use key</button></form>`.text;
  document.getElementById('key-form')?.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void setKey(String(new FormData(ev.target as HTMLFormElement).get('key') ?? ''))
      .catch(() => undefined)
      .then(() => render());
  });
}

addEventListener('hashchange', () => void render());
void signInFromHash().then(() => render());
