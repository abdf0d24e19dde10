// The analyst's dashboard in `distillguard serve`: its static files (web/dist, built by Vite) at `/`,
// and the routes it needs beyond the read API — a campaign's account-link graph, an account's links,
// the review queue, decisions, the campaign brief, and what the intel module stored.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { z } from 'zod';
import { latestDecisions, type DecisionRecord } from '../act/decisions.js';
import { briefFacts, loadBrief } from '../report/brief-data.js';
import { ApiError } from './errors.js';
import { readIntel } from './intel-view.js';
import type { ResultsReader } from '../store/store.js';
import type { DecisionStore } from '../store/decision-store.js';
import type { IntelStore } from '../store/intel-store.js';
import type { Role } from './keys.js';
import { parseWith } from './routes/read.js';

/** web/dist beside the package: from src/server (tsx, vitest) or dist/src/server (built). */
export function webRoot(): string | null {
  for (const rel of ['../../web/dist', '../../../web/dist']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${p}/index.html`)) return p;
  }
  return null;
}

const BriefQuery = z.object({ format: z.enum(['html', 'pdf', 'md']).default('html') }).strict();
const DecisionsQuery = z.object({ account_id: z.string().min(1).optional() }).strict();
const REVIEW_LIMIT = 500;

/**
 * Where the dashboard's routes read. Single-node serve: the live service's current snapshot (as its
 * read API does, src/server/results-view.ts) and its decision store; serve --cluster: the PostgreSQL
 * store the judge writes.
 */
export interface DashboardSources {
  results(): ResultsReader;
  decisions: Pick<DecisionStore, 'list'>;
  intel(): IntelStore;
  requireRole(role: Role): onRequestHookHandler;
}

export function registerDashboard(app: FastifyInstance, sources: DashboardSources, root: string | null = webRoot()): void {
  const { requireRole, results } = sources;
  if (root) {
    // The page itself holds nothing secret: the data behind it needs a key (read, analyst to decide).
    void app.register(fastifyStatic, { root, prefix: '/', index: 'index.html', wildcard: false, maxAge: '1h' });
  } else {
    app.get('/', async (_req, reply) => reply.type('text/plain').send('the dashboard is not built: run npm run build\n'));
  }

  void app.register(async (r) => {
    r.addHook('onRequest', requireRole('read'));

    r.get<{ Params: { id: string } }>('/v1/campaigns/:id/graph', async (req) => {
      const view = results();
      const c = await view.campaign(req.params.id);
      if (!c) throw new ApiError('not_found', `no campaign ${JSON.stringify(req.params.id)}`);
      const [members, edges] = await Promise.all([view.accounts({ campaignId: c.campaign_id }), view.links(c.campaign_id)]);
      return {
        campaign_id: c.campaign_id,
        nodes: members.map((a) => ({ id: a.account_id, verdict: a.verdict, score: a.score, exchanges: a.exchanges })),
        edges,
      };
    });

    // The campaign's figures as the brief states them (brief-data.ts computes them once, from the store).
    r.get<{ Params: { id: string } }>('/v1/campaigns/:id/facts', async (req) => {
      const data = await loadBrief(results(), req.params.id).catch((e: unknown) => {
        throw new ApiError('not_found', (e as Error).message);
      });
      const { infrastructure: _infra, ...facts } = briefFacts(data);
      return { campaign_id: data.campaign.campaign_id, shared_indicators: data.stix.indicators.length, ...facts };
    });

    r.get<{ Params: { id: string } }>('/v1/accounts/:id/links', async (req) => {
      const view = results();
      const a = await view.account(req.params.id);
      if (!a) throw new ApiError('not_found', `no account ${JSON.stringify(req.params.id)}`);
      if (!a.campaign_id) return { links: [] };
      const links = await view.links(a.campaign_id);
      return { links: links.filter((l) => l.a === a.account_id || l.b === a.account_id) };
    });

    // Suspicious accounts, and every account with a decision (a dismissed one is benign now, but its
    // decision stays on the queue to be found); undecided first, then by score.
    r.get('/v1/review', async () => {
      const latest = latestDecisions(await sources.decisions.list());
      const view = results();
      const suspicious = await view.accounts({ verdict: 'suspicious', limit: REVIEW_LIMIT });
      const seen = new Set(suspicious.map((a) => a.account_id));
      const decided = [];
      for (const id of latest.keys()) {
        if (seen.has(id)) continue;
        const a = await view.account(id);
        if (a) decided.push(a);
      }
      const items = [...suspicious, ...decided].map((a) => ({ ...a, evidence: undefined, decision: latest.get(a.account_id) ?? null }));
      items.sort((x, y) => Number(x.decision !== null) - Number(y.decision !== null) || y.score - x.score || (x.account_id < y.account_id ? -1 : 1));
      return { review: items };
    });

    r.get('/v1/review/decisions', async (req) => {
      const q = parseWith(DecisionsQuery, req.query, 'query');
      return { decisions: await sources.decisions.list(q.account_id) };
    });

    r.get<{ Params: { id: string } }>('/v1/campaigns/:id/brief', async (req, reply) => {
      const q = parseWith(BriefQuery, req.query, 'query');
      const data = await loadBrief(results(), req.params.id).catch((e: unknown) => {
        throw new ApiError('not_found', (e as Error).message);
      });
      const name = `${req.params.id.replace(/[^\w.-]/g, '_')}-brief.${q.format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`);
      if (q.format === 'md') return reply.type('text/markdown; charset=utf-8').send((await import('../report/brief-markdown.js')).renderBriefMarkdown(data));
      const html = (await import('../report/brief.js')).renderBrief(data);
      if (q.format === 'html') return reply.type('text/html; charset=utf-8').send(html);
      return reply.type('application/pdf').send(await (await import('../report/pdf.js')).htmlToPdf(html));
    });

    r.get('/v1/intel', async () => readIntel(sources.intel()));
  });
}

export type { DecisionRecord };
