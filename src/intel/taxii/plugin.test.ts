// TAXII 2.1 conformance of our server, over real loopback HTTP: discovery, API roots, collections,
// objects with every filter and pagination, manifest, object versions, status, media types, 406/415/413,
// API keys and rights, durability.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stixId } from '../stix/ids.js';
import { openDuckDbStore } from '../../store/duckdb.js';
import type { Store } from '../../store/store.js';
import { buildTaxiiConfig, type TaxiiConfig } from './config.js';
import { buildTaxiiServer } from './server.js';

const TAXII = 'application/taxii+json;version=2.1';
const KEYS = { alice: 'alice-key-0123456789abcdef', bob: 'bob-key-0123456789abcdef00', carol: 'carol-key-0123456789abcdef', eve: 'eve-key-0123456789abcdef000' };

const config: TaxiiConfig = buildTaxiiConfig({
  title: 'test server',
  default: 'labs',
  maxContentLength: 1024 * 1024,
  maxPageSize: 1001,
  apiRoots: {
    labs: { title: 'frontier labs', collections: [{ id: 'campaigns', title: 'campaigns' }, { id: 'secret', title: 'secret' }] },
    gov: { title: 'government', collections: [{ id: 'reports', title: 'reports' }] },
  },
  users: [
    { name: 'alice', key: KEYS.alice, read: ['labs/*'], write: ['labs/*'] },
    { name: 'bob', key: KEYS.bob, read: ['labs/campaigns'] },
    { name: 'carol', key: KEYS.carol, write: ['labs/campaigns'] },
    { name: 'eve', key: KEYS.eve, read: ['gov/reports'], write: ['gov/reports'] },
  ],
});

let dir: string;
let store: Store;
let app: FastifyInstance;
let base: string;

const basic = (user: keyof typeof KEYS) => `Basic ${Buffer.from(`${user}:${KEYS[user]}`).toString('base64')}`;

async function call(path: string, o: { user?: keyof typeof KEYS; auth?: string; method?: string; body?: unknown; accept?: string; type?: string; raw?: string } = {}) {
  const headers: Record<string, string> = { accept: o.accept ?? TAXII };
  const auth = o.auth ?? (o.user ? basic(o.user) : undefined);
  if (auth) headers.authorization = auth;
  let body: string | undefined;
  if (o.raw !== undefined || o.body !== undefined) {
    body = o.raw ?? JSON.stringify(o.body);
    headers['content-type'] = o.type ?? TAXII;
  }
  const res = await fetch(`${base}${path}`, { method: o.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function indicator(i: number, modified = '2026-04-01T00:00:00.000Z', created = '2026-04-01T00:00:00.000Z') {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: stixId('indicator', `n${i}`),
    created,
    modified,
    pattern: `[autonomous-system:number = ${i}]`,
    pattern_type: 'stix',
    valid_from: created,
  };
}

const COL = '/taxii2/labs/collections/campaigns';
let firstBatchLast = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dg-taxii-'));
  store = await openDuckDbStore(join(dir, 'intel.duckdb'));
  app = await buildTaxiiServer({ config, store: store.intel });
  base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
  // 1,000 objects in one request: they all share one date_added.
  const res = await call(`${COL}/objects/`, { user: 'alice', body: { objects: Array.from({ length: 1000 }, (_, i) => indicator(i)) } });
  expect(res.status).toBe(202);
  firstBatchLast = res.json.request_timestamp as string;
}, 60_000);

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TAXII 2.1 server', () => {
  it('discovery and API roots: only what the key may see', async () => {
    const d = await call('/taxii2/', { user: 'alice' });
    expect(d.status).toBe(200);
    expect(d.headers.get('content-type')).toBe(TAXII);
    expect(d.json.api_roots).toEqual([`${base}/taxii2/labs/`]);
    expect(d.json.default).toBe(`${base}/taxii2/labs/`);
    expect((await call('/taxii2/', { user: 'eve' })).json.api_roots).toEqual([`${base}/taxii2/gov/`]);
    const root = await call('/taxii2/labs/', { auth: `Bearer ${KEYS.bob}` });
    expect(root.json).toMatchObject({ title: 'frontier labs', versions: [TAXII], max_content_length: 1024 * 1024 });
    expect((await call('/taxii2/labs/', { user: 'eve' })).status).toBe(404);
  });

  it('authentication: 401 with a challenge for no, unknown or mismatched keys', async () => {
    for (const auth of [undefined, 'Bearer nope-nope-nope-nope', `Basic ${Buffer.from(`bob:${KEYS.alice}`).toString('base64')}`, 'Digest x']) {
      const r = await call('/taxii2/', { auth });
      expect(r.status, String(auth)).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/Basic/);
      expect(r.json.http_status).toBe('401');
    }
  });

  it('media types: 406 for what it cannot answer, 415 for bodies that are not TAXII', async () => {
    expect((await call('/taxii2/', { user: 'alice', accept: 'application/json' })).status).toBe(406);
    expect((await call('/taxii2/', { user: 'alice', accept: 'application/taxii+json;version=2.0' })).status).toBe(406);
    expect((await call('/taxii2/', { user: 'alice', accept: 'application/taxii+json' })).status).toBe(200);
    expect((await call('/taxii2/', { user: 'alice', accept: 'text/html, */*;q=0.1' })).status).toBe(200);
    const r = await call(`${COL}/objects/`, { user: 'alice', body: { objects: [indicator(5000)] }, type: 'application/json' });
    expect(r.status).toBe(415);
    expect(r.headers.get('content-type')).toBe(TAXII);
    expect((await call(`${COL}/objects/`, { user: 'alice', raw: '{not json', type: TAXII })).status).toBe(400);
  });

  it('413 past max_content_length, and nothing of that request is stored', async () => {
    const big = Array.from({ length: 6000 }, (_, i) => indicator(100_000 + i));
    const r = await call(`${COL}/objects/`, { user: 'alice', body: { objects: big } });
    expect(r.status).toBe(413);
    expect(r.json.http_status).toBe('413');
    const probe = await call(`${COL}/objects/?match[id]=${big[0].id}`, { user: 'alice' });
    expect(probe.json.objects).toBeUndefined();
  });

  it('paginates 1,000 objects sharing one timestamp without loops or gaps', async () => {
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const r = await call(`${COL}/objects/?match[type]=indicator&limit=7${next ? `&next=${next}` : ''}`, { user: 'bob' });
      expect(r.status).toBe(200);
      const objs = (r.json.objects ?? []) as { id: string }[];
      seen.push(...objs.map((o) => o.id));
      next = r.json.more ? (r.json.next as string) : undefined;
      if (objs.length > 0) expect(r.headers.get('x-taxii-date-added-first')).toBe(r.headers.get('x-taxii-date-added-last'));
      pages++;
    } while (next && pages < 1000);
    const batch = Array.from({ length: 1000 }, (_, i) => indicator(i).id);
    expect(seen.filter((id) => batch.includes(id))).toEqual(batch);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(143);
    // Cursors are opaque and signed.
    const bad = await call(`${COL}/objects/?next=${Buffer.from('v1.3.00000000000000000000000000000000').toString('base64url')}`, { user: 'bob' });
    expect(bad.status).toBe(400);
    // The page size is capped.
    const capped = await call(`${COL}/objects/?limit=5000`, { user: 'bob' });
    expect((capped.json.objects as unknown[]).length).toBe(1000);
    expect((await call(`${COL}/objects/?limit=0`, { user: 'bob' })).status).toBe(400);
    expect((await call(`${COL}/objects/?colour=red`, { user: 'bob' })).status).toBe(400);
  });

  it('filters: match[id], match[type], match[spec_version], added_after, match[version]', async () => {
    const id = stixId('indicator', 'versioned');
    const v1 = { ...indicator(0), id, modified: '2026-04-01T00:00:00.000Z' };
    const v2 = { ...indicator(0), id, modified: '2026-04-02T00:00:00.000Z' };
    const v3 = { ...indicator(0), id, modified: '2026-04-03T00:00:00.000Z' };
    await new Promise((r) => setTimeout(r, 5));
    const post = await call(`${COL}/objects/`, { user: 'carol', body: { objects: [v1, v2, v3, { type: 'identity', spec_version: '2.1', id: stixId('identity', 'x'), created: '2026-04-01T00:00:00.000Z', modified: '2026-04-01T00:00:00.000Z', name: 'x' }] } });
    expect(post.status).toBe(202);
    const ids = (r: { json: Record<string, unknown> }) => ((r.json.objects ?? []) as { id: string; modified?: string }[]);
    expect(ids(await call(`${COL}/objects/?match[id]=${id}`, { user: 'bob' })).map((o) => o.modified)).toEqual([v3.modified]);
    expect(ids(await call(`${COL}/objects/?match[id]=${id}&match[version]=first`, { user: 'bob' })).map((o) => o.modified)).toEqual([v1.modified]);
    expect(ids(await call(`${COL}/objects/?match[id]=${id}&match[version]=all`, { user: 'bob' })).map((o) => o.modified)).toEqual([v1.modified, v2.modified, v3.modified]);
    expect(ids(await call(`${COL}/objects/?match[id]=${id}&match[version]=2026-04-02T00:00:00Z`, { user: 'bob' })).map((o) => o.modified)).toEqual([v2.modified]);
    expect(ids(await call(`${COL}/objects/?match[id]=${id}&match[version]=first,last`, { user: 'bob' })).length).toBe(2);
    expect(ids(await call(`${COL}/objects/?match[id]=${id},${indicator(3).id}`, { user: 'bob' })).length).toBe(2);
    expect(ids(await call(`${COL}/objects/?match[type]=identity`, { user: 'bob' })).length).toBe(1);
    const both = await call(`${COL}/objects/?match[type]=identity,indicator&limit=2000`, { user: 'bob' });
    expect(ids(both).length).toBe(1001); // the page size is capped at maxPageSize
    expect(both.json.more).toBe(true);
    expect(ids(await call(`${COL}/objects/?match[spec_version]=2.0`, { user: 'bob' })).length).toBe(0);
    expect(ids(await call(`${COL}/objects/?match[spec_version]=2.1&limit=2000`, { user: 'bob' })).length).toBe(1001);
    // added_after: after the first batch, only the second batch's objects.
    const after = await call(`${COL}/objects/?added_after=${new Date(Date.parse(firstBatchLast) + 1000).toISOString()}`, { user: 'bob' });
    expect(ids(after).length).toBeLessThanOrEqual(2);
    const firstAdded = (await call(`${COL}/manifest/?match[id]=${indicator(0).id}`, { user: 'bob' })).json.objects as { date_added: string }[];
    const later = await call(`${COL}/objects/?added_after=${firstAdded[0].date_added}`, { user: 'bob' });
    expect(ids(later).map((o) => o.id).sort()).toEqual([id, stixId('identity', 'x')].sort());
    expect((await call(`${COL}/objects/?added_after=yesterday`, { user: 'bob' })).status).toBe(400);
    expect((await call(`${COL}/objects/?match[version]=newest`, { user: 'bob' })).status).toBe(400);
  });

  it('object by id, its versions and the manifest', async () => {
    const id = stixId('indicator', 'versioned');
    const one = await call(`${COL}/objects/${id}/`, { user: 'bob' });
    expect((one.json.objects as { modified: string }[]).map((o) => o.modified)).toEqual(['2026-04-03T00:00:00.000Z']);
    const all = await call(`${COL}/objects/${id}/?match[version]=all`, { user: 'bob' });
    expect((all.json.objects as unknown[]).length).toBe(3);
    const versions = await call(`${COL}/objects/${id}/versions/`, { user: 'bob' });
    expect(versions.json).toEqual({ more: false, versions: ['2026-04-01T00:00:00.000Z', '2026-04-02T00:00:00.000Z', '2026-04-03T00:00:00.000Z'] });
    const paged = await call(`${COL}/objects/${id}/versions/?limit=2`, { user: 'bob' });
    expect(paged.json.more).toBe(true);
    expect((await call(`${COL}/objects/${id}/versions/?limit=2&next=${paged.json.next as string}`, { user: 'bob' })).json.versions).toEqual(['2026-04-03T00:00:00.000Z']);
    expect((await call(`${COL}/objects/${stixId('indicator', 'absent')}/`, { user: 'bob' })).status).toBe(404);
    const manifest = await call(`${COL}/manifest/?match[id]=${id}&match[version]=all`, { user: 'bob' });
    const rows = manifest.json.objects as { id: string; version: string; date_added: string; media_type: string }[];
    expect(rows.map((r) => r.version)).toEqual(['2026-04-01T00:00:00.000Z', '2026-04-02T00:00:00.000Z', '2026-04-03T00:00:00.000Z']);
    expect(rows[0].media_type).toBe('application/stix+json;version=2.1');
  });

  it('POST answers with a status resource; duplicates and bad objects are reported, not stored twice', async () => {
    const good = indicator(7777);
    const r = await call(`${COL}/objects/`, { user: 'alice', body: { objects: [good, good, { type: 'indicator', id: 'indicator--not-a-uuid' }, { type: 'indicator', spec_version: '2.0', id: stixId('indicator', 'old') }] } });
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ status: 'complete', total_count: 4, success_count: 2, failure_count: 2, pending_count: 0 });
    expect((r.json.successes as { message: string }[]).map((s) => s.message)).toEqual(['added', 'already present']);
    const s = await call(`/taxii2/labs/status/${r.json.id as string}/`, { user: 'alice' });
    expect(s.json).toEqual(r.json);
    // Another key cannot read that status.
    expect((await call(`/taxii2/labs/status/${r.json.id as string}/`, { user: 'bob' })).status).toBe(404);
    expect((await call(`${COL}/objects/${good.id}/versions/`, { user: 'bob' })).json.versions).toEqual([good.modified]);
  });

  it('rights: 403 where the collection is visible but not usable that way; 404 where it is not visible at all', async () => {
    expect((await call(`${COL}/objects/`, { user: 'bob', body: { objects: [indicator(1)] } })).status).toBe(403);
    expect((await call(`${COL}/objects/`, { user: 'carol' })).status).toBe(403);
    expect((await call(`${COL}/manifest/`, { user: 'carol' })).status).toBe(403);
    const cols = await call('/taxii2/labs/collections/', { user: 'bob' });
    expect((cols.json.collections as { id: string; can_read: boolean; can_write: boolean }[]).map((c) => [c.id, c.can_read, c.can_write])).toEqual([['campaigns', true, false]]);
    // bob has no right on 'secret': it answers exactly like a collection that does not exist.
    const hidden = await call('/taxii2/labs/collections/secret/objects/', { user: 'bob' });
    const absent = await call('/taxii2/labs/collections/nothing-here/objects/', { user: 'bob' });
    expect(hidden.status).toBe(404);
    expect(hidden.json).toEqual(absent.json);
    expect((await call('/taxii2/labs/collections/secret/', { user: 'bob' })).status).toBe(404);
    expect((await call('/taxii2/labs/collections/secret/objects/', { user: 'bob', body: { objects: [indicator(1)] } })).status).toBe(404);
    expect((await call(`${COL}/objects/`, { user: 'eve' })).status).toBe(404);
  });

  it('keeps objects across a restart and continues the order', async () => {
    await app.close();
    await store.close();
    store = await openDuckDbStore(join(dir, 'intel.duckdb'));
    app = await buildTaxiiServer({ config, store: store.intel });
    base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
    const manifest = async (): Promise<string[]> => {
      const out: string[] = [];
      let next = '';
      for (;;) {
        const r = await call(`${COL}/manifest/?limit=500&match[version]=all${next ? `&next=${next}` : ''}`, { user: 'bob' });
        out.push(...((r.json.objects ?? []) as { id: string }[]).map((o) => o.id));
        if (!r.json.more) return out;
        next = r.json.next as string;
      }
    };
    const before = await manifest();
    expect(before.length).toBe(1000 + 4 + 1);
    await call(`${COL}/objects/`, { user: 'alice', body: { objects: [indicator(8888)] } });
    expect(await manifest()).toEqual([...before, indicator(8888).id]);
  });
});
