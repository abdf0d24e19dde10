// TAXII mounted inside `distillguard serve`: both APIs on one port, each with its own keys and errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../../config/schema.js';
import { buildServer } from '../../server/app.js';
import { LiveService } from '../../server/live.js';
import { openDuckDbStore } from '../../store/duckdb.js';
import { stixId } from '../stix/ids.js';
import { mountTaxii } from './mount.js';

const TAXII = 'application/taxii+json;version=2.1';

describe('TAXII in serve', () => {
  it('serves /taxii2/ beside the API on one listener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-taxii-mount-'));
    const store = await openDuckDbStore(join(dir, 'store.duckdb'));
    const live = await LiveService.open({ cfg: buildEngineConfig({ emailKey: 'test-email-key-0123456789' }), store, logDir: join(dir, 'ingest'), flushMs: 50 });
    const app = buildServer({ live, store, keys: null });
    writeFileSync(join(dir, 'taxii.json'), JSON.stringify({ apiRoots: { labs: { title: 'labs', collections: [{ id: 'c1', title: 'c1' }] } }, users: [{ name: 'peer', key: 'peer-key-0123456789abcdef', read: ['labs/*'], write: ['labs/*'] }] }));
    const intel = await mountTaxii(app, join(dir, 'taxii.json'), join(dir, 'store.duckdb.taxii.duckdb'));
    const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
    try {
      const h = { authorization: 'Bearer peer-key-0123456789abcdef', accept: TAXII };
      const d = await fetch(`${base}/taxii2/`, { headers: h });
      expect(d.status).toBe(200);
      expect(d.headers.get('content-type')).toBe(TAXII);
      expect(((await d.json()) as { api_roots: string[] }).api_roots).toEqual([`${base}/taxii2/labs/`]);
      const obj = { type: 'identity', spec_version: '2.1', id: stixId('identity', 'lab'), created: '2026-04-01T00:00:00.000Z', modified: '2026-04-01T00:00:00.000Z', name: 'lab' };
      const post = await fetch(`${base}/taxii2/labs/collections/c1/objects/`, { method: 'POST', headers: { ...h, 'content-type': TAXII }, body: JSON.stringify({ objects: [obj] }) });
      expect(post.status).toBe(202);
      const got = (await (await fetch(`${base}/taxii2/labs/collections/c1/objects/`, { headers: h })).json()) as { objects: unknown[] };
      expect(got.objects).toEqual([obj]);
      // TAXII's own errors inside its prefix; serve's everywhere else.
      const missing = await fetch(`${base}/taxii2/nope/`, { headers: h });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { http_status: string }).http_status).toBe('404');
      expect((await fetch(`${base}/taxii2/`, { headers: { accept: TAXII } })).status).toBe(401);
      const other = await fetch(`${base}/no-such-route`);
      expect(other.status).toBe(404);
      expect(other.headers.get('content-type')).not.toBe(TAXII);
    } finally {
      await app.close();
      await live.close();
      await store.close();
      await intel.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
