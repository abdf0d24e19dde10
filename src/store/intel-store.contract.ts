// The contract every IntelStore implementation passes (DuckDB now, PostgreSQL later). Call
// `intelStoreContract(name, open)` from the implementation's test file; `open` gives a new, empty store.
import { describe, expect, it } from 'vitest';
import { sampleScan } from '../report/sample.js';
import type { ObjectQuery } from './intel-store.js';
import type { Store } from './store.js';

const ROOT = 'api';
const COL = 'campaigns';
const PEER = 'https://peer.example/taxii2/api/';

/** A STIX object version. */
function obj(n: number, modified: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const id = `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return { type: 'indicator', spec_version: '2.1', id, created: '2026-04-01T00:00:00.000Z', modified, created_by_ref: 'identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', pattern: `[x:n = ${n}]`, ...over };
}

const all = { last: false, first: false, all: true, keys: [] };
const q = (over: Partial<ObjectQuery> = {}): ObjectQuery => ({ limit: 100, ...over });

export function intelStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`IntelStore contract: ${name}`, () => {
    it('adds each object version once, in order, with a date that never goes back', async () => {
      const s = await open();
      try {
        const first = await s.intel.add(ROOT, COL, [obj(1, '2026-04-01T00:00:00.000Z'), obj(2, '2026-04-01T00:00:00Z')]);
        expect(first.results).toEqual([
          { id: obj(1, '').id, version: '2026-04-01T00:00:00.000Z', added: true },
          { id: obj(2, '').id, version: '2026-04-01T00:00:00Z', added: true },
        ]);
        // The same version again (written with another precision) is kept as it was; a new one is added.
        const second = await s.intel.add(ROOT, COL, [obj(2, '2026-04-01T00:00:00.000000Z', { pattern: 'changed' }), obj(1, '2026-04-02T00:00:00.000Z')]);
        expect(second.results.map((r) => r.added)).toEqual([false, true]);
        expect(second.dateAdded).toBeGreaterThanOrEqual(first.dateAdded);
        const rows = await s.intel.query(ROOT, COL, q({ versions: all }));
        expect(rows.map((r) => [r.id, r.version])).toEqual([
          [obj(1, '').id, '2026-04-01T00:00:00.000Z'],
          [obj(2, '').id, '2026-04-01T00:00:00Z'],
          [obj(1, '').id, '2026-04-02T00:00:00.000Z'],
        ]);
        expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((a, b) => a - b));
        expect(new Set(rows.map((r) => r.seq)).size).toBe(3);
        expect(rows[1].body.pattern).toBe('[x:n = 2]');
        expect(rows[0]).toMatchObject({ type: 'indicator', specVersion: '2.1', producer: 'identity--aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', source: null, dateAdded: first.dateAdded });
      } finally {
        await s.close();
      }
    });

    it('filters by version, cursor, date added, id, type and spec version, and pages with one more than the limit', async () => {
      const s = await open();
      try {
        const a = await s.intel.add(ROOT, COL, [obj(1, '2026-04-01T00:00:00.000Z'), obj(2, '2026-04-01T00:00:00.000Z', { type: 'campaign', spec_version: '2.0' })]);
        await new Promise((r) => setTimeout(r, 5));
        const b = await s.intel.add(ROOT, COL, [obj(1, '2026-04-03T00:00:00.000Z'), obj(1, '2026-04-02T00:00:00.000Z')]);
        await s.intel.add(ROOT, 'other', [obj(1, '2026-04-09T00:00:00.000Z')]);
        const ids = (rows: { id: string; version: string }[]): string[] => rows.map((r) => `${r.id.slice(-1)}@${r.version.slice(8, 10)}`);
        expect(ids(await s.intel.query(ROOT, COL, q()))).toEqual(['2@01', '1@03']);
        expect(ids(await s.intel.query(ROOT, COL, q({ versions: { last: false, first: true, all: false, keys: [] } })))).toEqual(['1@01', '2@01']);
        expect(ids(await s.intel.query(ROOT, COL, q({ versions: { last: false, first: false, all: false, keys: ['2026-04-02T00:00:00.000000000Z'] } })))).toEqual(['1@02']);
        const everything = await s.intel.query(ROOT, COL, q({ versions: all }));
        expect(ids(everything)).toEqual(['1@01', '2@01', '1@03', '1@02']);
        expect(ids(await s.intel.query(ROOT, COL, q({ versions: all, afterSeq: everything[1].seq })))).toEqual(['1@03', '1@02']);
        expect(b.dateAdded).toBeGreaterThan(a.dateAdded);
        expect(ids(await s.intel.query(ROOT, COL, q({ versions: all, addedAfter: a.dateAdded })))).toEqual(['1@03', '1@02']);
        expect(ids(await s.intel.query(ROOT, COL, q({ versions: all, ids: [String(obj(2, '').id)] })))).toEqual(['2@01']);
        expect(ids(await s.intel.query(ROOT, COL, q({ versions: all, types: ['campaign', 'malware'] })))).toEqual(['2@01']);
        expect(ids(await s.intel.query(ROOT, COL, q({ versions: all, specVersions: ['2.1'] })))).toEqual(['1@01', '1@03', '1@02']);
        expect(ids(await s.intel.query(ROOT, COL, q({ versions: all, limit: 2 })))).toEqual(['1@01', '2@01', '1@03']);
        const manifest = await s.intel.query(ROOT, COL, q(), 'manifest');
        expect(manifest.map((r) => r.body)).toEqual([{}, {}]);
        expect(await s.intel.query(ROOT, 'nothing', q())).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('lists the latest version of every object, by root, collection, source and type', async () => {
      const s = await open();
      try {
        await s.intel.add(ROOT, COL, [obj(1, '2026-04-01T00:00:00.000Z'), obj(1, '2026-04-02T00:00:00.000Z')]);
        await s.intel.add('pulled', `${PEER}collections/c1/`, [obj(3, '2026-04-01T00:00:00.000Z'), obj(4, '2026-04-01T00:00:00.000Z', { type: 'sighting' })], { source: PEER });
        const latest = await s.intel.latest();
        expect(latest.map((o) => [o.id.slice(-1), o.version.slice(8, 10), o.source])).toEqual([
          ['1', '02', null],
          ['3', '01', PEER],
          ['4', '01', PEER],
        ]);
        expect((await s.intel.latest({ source: PEER, types: ['indicator'] })).map((o) => o.id.slice(-1))).toEqual(['3']);
        expect((await s.intel.latest({ apiRoot: ROOT, collection: COL })).map((o) => o.id.slice(-1))).toEqual(['1']);
        expect(await s.intel.latest({ collection: 'nothing' })).toEqual([]);
      } finally {
        await s.close();
      }
    });

    it('keeps status resources by root and id, replacing one written again', async () => {
      const s = await open();
      try {
        expect(await s.intel.getStatus(ROOT, 'status-1')).toBeUndefined();
        await s.intel.putStatus(ROOT, 'status-1', { status: 'pending', pending_count: 2 });
        await s.intel.putStatus(ROOT, 'status-1', { status: 'complete', success_count: 2 });
        await s.intel.putStatus('other', 'status-1', { status: 'pending' });
        expect(await s.intel.getStatus(ROOT, 'status-1')).toEqual({ status: 'complete', success_count: 2 });
        expect(await s.intel.getStatus('other', 'status-1')).toEqual({ status: 'pending' });
      } finally {
        await s.close();
      }
    });

    it('keeps intel objects across scans', async () => {
      const s = await open();
      try {
        await s.intel.add(ROOT, COL, [obj(1, '2026-04-01T00:00:00.000Z')]);
        await s.writeScan(sampleScan({ accounts: 50, campaigns: 1, days: 2, seed: 1 }));
        expect(await s.intel.latest()).toHaveLength(1);
      } finally {
        await s.close();
      }
    });
  });
}
