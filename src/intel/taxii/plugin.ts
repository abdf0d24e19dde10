// TAXII 2.1 server as a fastify plugin: standalone in `distillguard taxii serve`, mounted under /taxii2/ in
// `distillguard serve`. Register it with a prefix (e.g. '/taxii2'); discovery is the prefix itself.
//
// Access: every endpoint needs an API key (HTTP Basic: user + key, or bearer key); 401 otherwise.
// A collection the key has no right on does not exist for it: 404, and it is absent from listings (so a
// client without rights learns nothing, not even that the collection exists). A collection it can see
// but not use that way (read-only key posting, write-only key reading) answers 403. An API root with no
// visible collection is 404 too.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TaxiiConfig } from './config.js';
import { KeyChecker, type Principal } from './auth.js';
import { acceptsTaxii, isTaxiiContent, STIX_MEDIA, TAXII_MEDIA } from './media.js';
import { Cursors, FilterError, parseFilters, type Filters } from './filters.js';
import { toIso } from '../../core/time.js';
import type { IntelStore, StoredObject } from '../../store/intel-store.js';
import { createHash } from 'node:crypto';
import { nestedDeeper } from '../../decode/depth.js';

export interface TaxiiPluginOptions {
  config: TaxiiConfig;
  store: IntelStore;
}

class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description?: string,
  ) {
    super(title);
  }
}

const STIX_ID = /^[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

declare module 'fastify' {
  interface FastifyRequest {
    taxiiPrincipal?: Principal;
  }
}

const MAX_DEPTH = 64;
const OBJECT_PARAMS = ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'];
const OBJECT_BY_ID_PARAMS = ['added_after', 'limit', 'next', 'match[version]', 'match[spec_version]'];
const VERSIONS_PARAMS = ['added_after', 'limit', 'next', 'match[spec_version]'];

export async function taxiiPlugin(app: FastifyInstance, opts: TaxiiPluginOptions): Promise<void> {
  const { config, store } = opts;
  const keys = new KeyChecker(config);
  const cursors = new Cursors(config.cursorSecret ?? createHash('sha256').update(config.users.map((u) => u.key).join('\n')).digest('hex'));

  app.addContentTypeParser('application/taxii+json', { parseAs: 'string', bodyLimit: config.maxContentLength }, (_req, body, done) => {
    // Validating a value nested 100,000 deep would overflow the stack: refuse it before parsing.
    if (nestedDeeper(body as string, MAX_DEPTH)) {
      done(new TaxiiError(400, 'request body nested too deeply', `objects and arrays may nest at most ${MAX_DEPTH} levels`), undefined);
      return;
    }
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new TaxiiError(400, 'request body is not JSON'), undefined);
    }
  });

  app.addHook('onRequest', async (req) => {
    const p = keys.authenticate(req.headers.authorization);
    if (!p) throw new TaxiiError(401, 'authentication required', 'send an API key: HTTP Basic (user and key) or Authorization: Bearer <key>');
    req.taxiiPrincipal = p;
    if (!acceptsTaxii(req.headers.accept)) throw new TaxiiError(406, 'not acceptable', `this server answers ${TAXII_MEDIA}`);
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > config.maxContentLength) throw new TaxiiError(413, 'request too large', `max_content_length is ${config.maxContentLength} bytes`);
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof TaxiiError) return sendError(reply, err);
    if (err instanceof FilterError) return sendError(reply, new TaxiiError(400, 'bad filter', err.message));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, new TaxiiError(413, 'request too large', `max_content_length is ${config.maxContentLength} bytes`));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, new TaxiiError(415, 'unsupported media type', `send ${TAXII_MEDIA}`));
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) app.log.error(err);
    return sendError(reply, new TaxiiError(status, status === 500 ? 'internal error' : err.message));
  });
  app.setNotFoundHandler(async (_req, reply) => sendError(reply, new TaxiiError(404, 'not found')));

  const principal = (req: FastifyRequest): Principal => req.taxiiPrincipal!;
  const visibleCollections = (p: Principal, root: string) => (config.apiRoots[root]?.collections ?? []).filter((c) => p.canRead(root, c.id) || p.canWrite(root, c.id));
  const visibleRoots = (p: Principal) => Object.keys(config.apiRoots).filter((r) => visibleCollections(p, r).length > 0);
  const rootOf = (req: FastifyRequest): string => {
    const { root } = req.params as { root: string };
    if (!visibleRoots(principal(req)).includes(root)) throw new TaxiiError(404, 'API root not found');
    return root;
  };
  const collectionOf = (req: FastifyRequest, need: 'read' | 'write'): { root: string; id: string } => {
    const root = rootOf(req);
    const { cid } = req.params as { cid: string };
    const p = principal(req);
    const c = visibleCollections(p, root).find((x) => x.id === cid);
    if (!c) throw new TaxiiError(404, 'collection not found');
    if (need === 'read' ? !p.canRead(root, cid) : !p.canWrite(root, cid)) throw new TaxiiError(403, `this key may not ${need} this collection`);
    return { root, id: cid };
  };
  const filters = (req: FastifyRequest, allowed: string[]): Filters =>
    parseFilters(req.query as Record<string, unknown>, { pageSize: config.pageSize, maxPageSize: config.maxPageSize, cursors, allowed });
  const prefix = app.prefix;
  const base = (req: FastifyRequest): string => `${req.protocol}://${req.headers.host ?? 'localhost'}${prefix}`;

  app.get('/', async (req, reply) => {
    const roots = visibleRoots(principal(req));
    return send(reply, 200, {
      title: config.title,
      ...(config.description ? { description: config.description } : {}),
      ...(config.contact ? { contact: config.contact } : {}),
      ...(config.default && roots.includes(config.default) ? { default: `${base(req)}/${config.default}/` } : {}),
      api_roots: roots.map((r) => `${base(req)}/${r}/`),
    });
  });

  app.get('/:root/', async (req, reply) => {
    const r = config.apiRoots[rootOf(req)];
    return send(reply, 200, { title: r.title, ...(r.description ? { description: r.description } : {}), versions: [TAXII_MEDIA], max_content_length: config.maxContentLength });
  });

  app.get('/:root/status/:sid/', async (req, reply) => {
    const root = rootOf(req);
    const { sid } = req.params as { sid: string };
    const s = await store.getStatus(root, sid);
    if (!s || s.owner !== principal(req).name) throw new TaxiiError(404, 'status not found');
    return send(reply, 200, s.status as Record<string, unknown>);
  });

  const collectionInfo = (p: Principal, root: string, c: TaxiiConfig['apiRoots'][string]['collections'][number]) => ({
    id: c.id,
    title: c.title,
    ...(c.description ? { description: c.description } : {}),
    can_read: p.canRead(root, c.id),
    can_write: p.canWrite(root, c.id),
    media_types: [STIX_MEDIA],
  });

  app.get('/:root/collections/', async (req, reply) => {
    const root = rootOf(req);
    const cols = visibleCollections(principal(req), root);
    return send(reply, 200, cols.length === 0 ? {} : { collections: cols.map((c) => collectionInfo(principal(req), root, c)) });
  });

  app.get('/:root/collections/:cid/', async (req, reply) => {
    const root = rootOf(req);
    const { cid } = req.params as { cid: string };
    const c = visibleCollections(principal(req), root).find((x) => x.id === cid);
    if (!c) throw new TaxiiError(404, 'collection not found');
    return send(reply, 200, collectionInfo(principal(req), root, c));
  });

  /** One page of rows: the page, whether there is more, and the pagination headers. */
  const page = async (reply: FastifyReply, col: { root: string; id: string }, f: Filters, columns: 'full' | 'manifest') => {
    const rows = await store.query(col.root, col.id, { ...f }, columns);
    const more = rows.length > f.limit;
    const items = rows.slice(0, f.limit);
    if (items.length > 0) {
      reply.header('X-TAXII-Date-Added-First', toIso(items[0].dateAdded));
      reply.header('X-TAXII-Date-Added-Last', toIso(items[items.length - 1].dateAdded));
    }
    return { items, more, next: more ? cursors.encode(items[items.length - 1].seq) : undefined };
  };
  const envelope = (p: { items: StoredObject[]; more: boolean; next?: string }) => ({
    more: p.more,
    ...(p.next ? { next: p.next } : {}),
    ...(p.items.length > 0 ? { objects: p.items.map((r) => r.body) } : {}),
  });

  app.get('/:root/collections/:cid/objects/', async (req, reply) => {
    const col = collectionOf(req, 'read');
    return send(reply, 200, envelope(await page(reply, col, filters(req, OBJECT_PARAMS), 'full')));
  });

  app.get('/:root/collections/:cid/manifest/', async (req, reply) => {
    const col = collectionOf(req, 'read');
    const p = await page(reply, col, filters(req, OBJECT_PARAMS), 'manifest');
    return send(reply, 200, {
      more: p.more,
      ...(p.next ? { next: p.next } : {}),
      ...(p.items.length > 0 ? { objects: p.items.map((r) => ({ id: r.id, date_added: toIso(r.dateAdded), version: r.version, media_type: STIX_MEDIA })) } : {}),
    });
  });

  app.get('/:root/collections/:cid/objects/:oid/', async (req, reply) => {
    const col = collectionOf(req, 'read');
    const { oid } = req.params as { oid: string };
    const f = { ...filters(req, OBJECT_BY_ID_PARAMS), ids: [oid] };
    const p = await page(reply, col, f, 'full');
    if (p.items.length === 0 && f.afterSeq === undefined) {
      const any = await store.query(col.root, col.id, { ids: [oid], limit: 1, versions: { last: false, first: false, all: true, keys: [] } }, 'manifest');
      if (any.length === 0) throw new TaxiiError(404, 'object not found');
    }
    return send(reply, 200, envelope(p));
  });

  app.get('/:root/collections/:cid/objects/:oid/versions/', async (req, reply) => {
    const col = collectionOf(req, 'read');
    const { oid } = req.params as { oid: string };
    const f = { ...filters(req, VERSIONS_PARAMS), ids: [oid], versions: { last: false, first: false, all: true, keys: [] } };
    const p = await page(reply, col, f, 'manifest');
    if (p.items.length === 0 && f.afterSeq === undefined) throw new TaxiiError(404, 'object not found');
    return send(reply, 200, { more: p.more, ...(p.next ? { next: p.next } : {}), versions: p.items.map((r) => r.version) });
  });

  app.post('/:root/collections/:cid/objects/', { bodyLimit: config.maxContentLength }, async (req, reply) => {
    const col = collectionOf(req, 'write');
    if (!isTaxiiContent(req.headers['content-type'])) throw new TaxiiError(415, 'unsupported media type', `send ${TAXII_MEDIA}`);
    const body = req.body as { objects?: unknown } | undefined;
    if (!body || typeof body !== 'object' || !Array.isArray(body.objects)) throw new TaxiiError(400, 'the body must be an envelope with an objects array');
    const requestTimestamp = new Date().toISOString();
    const good: Record<string, unknown>[] = [];
    const failures: { id: string; version?: string; message: string }[] = [];
    for (const o of body.objects as unknown[]) {
      const problem = objectProblem(o);
      const x = (o ?? {}) as Record<string, unknown>;
      if (problem) failures.push({ id: typeof x.id === 'string' ? x.id : '(none)', ...(typeof x.modified === 'string' ? { version: x.modified } : {}), message: problem });
      else good.push(x);
    }
    const { results } = await store.add(col.root, col.id, good, { source: `taxii:${principal(req).name}` });
    const status = {
      id: randomUUID(),
      status: 'complete',
      request_timestamp: requestTimestamp,
      total_count: body.objects.length,
      success_count: results.length,
      successes: results.map((r) => ({ id: r.id, version: r.version, message: r.added ? 'added' : 'already present' })),
      failure_count: failures.length,
      ...(failures.length > 0 ? { failures } : {}),
      pending_count: 0,
    };
    await store.putStatus(col.root, status.id, { owner: principal(req).name, status });
    return send(reply, 202, status);
  });
}

/** Why a posted object cannot be stored, or undefined when it can. */
function objectProblem(o: unknown): string | undefined {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return 'not a JSON object';
  const x = o as Record<string, unknown>;
  if (typeof x.type !== 'string' || typeof x.id !== 'string') return 'type and id are required';
  if (!STIX_ID.test(x.id) || !x.id.startsWith(`${x.type}--`)) return 'id must be <type>--<UUID> matching type';
  if (x.spec_version !== undefined && x.spec_version !== '2.1') return 'only spec_version 2.1 is accepted';
  for (const f of ['created', 'modified']) if (x[f] !== undefined && (typeof x[f] !== 'string' || !TIMESTAMP.test(x[f]))) return `${f} must be an RFC 3339 UTC timestamp`;
  return undefined;
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  // A Buffer keeps the media type exactly as TAXII writes it (fastify would re-format a string's).
  return reply.code(status).header('content-type', TAXII_MEDIA).send(Buffer.from(JSON.stringify(body)));
}

function sendError(reply: FastifyReply, e: TaxiiError): FastifyReply {
  if (e.status === 401) reply.header('WWW-Authenticate', 'Basic realm="taxii", Bearer realm="taxii"');
  return send(reply, e.status, { title: e.title, ...(e.description ? { description: e.description } : {}), http_status: String(e.status) });
}
