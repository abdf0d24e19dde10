import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indicatorsFromObjects } from '../intel/import.js';
import { sightingsBundle } from '../intel/stix/sightings.js';
import { stixShare } from '../report/brief-data.js';
import { sampleScan } from '../report/sample.js';
import { buildBundle } from '../intel/stix/export.js';
import { openDuckDbStore } from '../store/duckdb.js';
import { readIntel } from './intel-view.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dg-intel-view-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('the dashboard intelligence view', () => {
  it('says there is nothing when nothing was pulled or published', async () => {
    const store = await openDuckDbStore(':memory:');
    try {
      const v = await readIntel(store.intel);
      expect(v).toMatchObject({ available: false, bundles: [], sightings: [], shared: [] });
      expect(v.note).toMatch(/nothing has been pulled/);
    } finally {
      await store.close();
    }
  });

  it('reads what intel stored: a bundle pulled from a peer, sightings, what this lab published', async () => {
    const path = join(tmp, 'intel.duckdb');
    const { campaigns, summary } = sampleScan({ accounts: 300, campaigns: 2, seed: 3 });
    const asOf = summary.last_event!;
    const peerBundle = buildBundle(campaigns.slice(0, 1), { producer: 'peer-lab', tlp: 'amber', asOf });
    const ours = buildBundle(campaigns.slice(1), { producer: 'distillguard', tlp: 'amber', asOf });
    const db = await openDuckDbStore(path);
    const intel = db.intel;
    try {
      await intel.add('pulled', 'https://peer.example/taxii2/api/collections/c1/', peerBundle.objects, { source: 'https://peer.example/taxii2/api/' });
      await intel.add('api', 'campaigns', ours.objects);
      const [matched] = indicatorsFromObjects(peerBundle.objects);
      expect(matched, 'the peer bundle has an indicator').toBeDefined();
      const sighting = sightingsBundle([{ indicator: matched, accounts: 4, firstSeen: Date.parse(asOf) - 3_600_000, lastSeen: Date.parse(asOf) }], { producer: 'distillguard', tlp: 'amber' });
      await intel.add('api', 'sightings', sighting.objects);
      const direct = await readIntel(intel);
      expect(direct.available).toBe(true);
      expect(direct.bundles).toEqual([
        expect.objectContaining({ source: 'https://peer.example/taxii2/api/', objects: peerBundle.objects.length, indicators: peerBundle.objects.filter((o) => o.type === 'indicator').length }),
      ]);
      expect(direct.sightings).toHaveLength(1);
      expect(direct.sightings[0]).toMatchObject({ from: 'this lab', count: 4 });
      expect(direct.shared.find((s) => s.type === 'indicator')).toMatchObject({ objects: stixShare(campaigns[1], asOf).indicators.length });
    } finally {
      await db.close();
    }
    // The same objects read back after reopening the file (where `intel pull --db` writes).
    const store = await openDuckDbStore(path);
    try {
      const fromTable = await readIntel(store.intel);
      expect(fromTable.bundles.map((b) => b.objects)).toEqual([peerBundle.objects.length]);
      expect(fromTable.sightings).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
