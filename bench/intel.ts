// bench:intel — two providers, one operation, sharing over TAXII 2.1 on loopback.
//
// Provider A sees the operation first; B sees the same operation (same scaffolds, cards, proxy exits;
// different accounts: simulate --operation-seed) `offset` days later. A scans, exports its campaigns as
// STIX, pushes them to its TAXII server; B pulls them and scans its own traffic with and without the
// peer feed; B pushes its sightings back. Prints, for B with and without the feed: time to first flag,
// to 50% and 90% of the operation's accounts flagged (hours from the operation's start at B), leakage,
// exchanges before flag per account, recall, and false positives; and a poisoned feed (CGNAT and
// organic prefixes, benign templates) run to show it bans nobody.
//
//   npm run bench:intel -- [--scale 0.5] [--days 10] [--offset 3] [--pairs 3] [--scenario farm]
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runScan } from '../src/cli/scan.js';
import { runSimulate } from '../src/sim/index.js';
import { runEvaluate } from '../src/cli/evaluate.js';
import { runExport, runPull, runPush } from '../src/cli/intel.js';
import type { AccountOut } from '../src/core/output.js';
import { openDuckDbStore } from '../src/store/duckdb.js';
import { buildTaxiiConfig } from '../src/intel/taxii/config.js';
import { buildTaxiiServer } from '../src/intel/taxii/server.js';
import { poisonedFeed } from '../src/intel/poison.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '0.5' },
    days: { type: 'string', default: '10' },
    offset: { type: 'string', default: '3' },
    pairs: { type: 'string', default: '3' },
    scenario: { type: 'string', default: 'farm' },
    cache: { type: 'string', default: '.cache/bench-intel' },
    json: { type: 'string', default: 'bench/results/intel.json' },
  },
});
const scale = Number(values.scale);
const days = Number(values.days);
const offset = Number(values.offset);
const pairs = Number(values.pairs);
const cache = values.cache!;
await mkdir(cache, { recursive: true });

const KEYS = { intel: { keys: [{ id: 'bench-2026', secret: 'bench-community-secret-0123456789' }] } };
const cfgPath = join(cache, 'config.json');
await writeFile(cfgPath, JSON.stringify(KEYS));
const LAB_A = 'lab-a-key-0123456789abcdef';
const LAB_B = 'lab-b-key-0123456789abcdef';
const taxiiCfg = buildTaxiiConfig({
  apiRoots: { labs: { title: 'frontier labs', collections: [{ id: 'campaigns', title: 'campaigns' }, { id: 'sightings', title: 'sightings' }] } },
  users: [
    { name: 'lab-a', key: LAB_A, read: ['labs/*'], write: ['labs/*'] },
    { name: 'lab-b', key: LAB_B, read: ['labs/campaigns'], write: ['labs/sightings'] },
  ],
});

interface Figures {
  first_flag_h: number | null;
  half_flagged_h: number | null;
  ninety_flagged_h: number | null;
  leakage: number;
  median_exchanges_before_flag: number | null;
  median_hours_first_exchange_to_flag: number | null;
  recall: number;
  precision: number;
  false_positives: number;
  organic_fpr: number;
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function figures(dir: string, scan: string): Promise<Figures> {
  const { ours } = await runEvaluate({ truth: join(dir, 'truth.json'), scan });
  const t = ours.campaigns[0];
  const truth = JSON.parse(await (await import('node:fs/promises')).readFile(join(dir, 'truth.json'), 'utf8')) as { accounts: Record<string, { label: string }> };
  const accounts = (await (await import('node:fs/promises')).readFile(join(scan, 'accounts.ndjson'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as AccountOut);
  const flagged = accounts.filter((a) => a.flagged_at !== null && truth.accounts[a.account_id]?.label === 'distillation');
  return {
    first_flag_h: t?.first_flag_h ?? null,
    half_flagged_h: t?.half_flagged_h ?? null,
    ninety_flagged_h: t?.ninety_flagged_h ?? null,
    leakage: t?.leakage ?? 0,
    median_exchanges_before_flag: median(flagged.map((a) => a.exchanges_before_flag ?? a.exchanges)),
    median_hours_first_exchange_to_flag: median(flagged.map((a) => (Date.parse(a.flagged_at!) - Date.parse(a.first_seen!)) / 3_600_000)),
    recall: ours.distillation.recall,
    precision: ours.distillation.precision,
    false_positives: ours.distillation.fp,
    organic_fpr: ours.organic_fpr,
  };
}

const fmt = (x: number | null, d = 2): string => (x === null ? 'never' : x.toFixed(d));
const results: unknown[] = [];
console.log(`bench:intel ${values.scenario} scale ${scale}, ${days} days, B starts ${offset} days after A; ${pairs} provider pairs (one operation seed each)`);
console.log('Timing is wall time on a shared 2-core machine: expect noise.\n');
const header = '| pair | B run | first flag h | 50% h | 90% h | leakage | median exch. before flag | median h to flag | recall | precision | FP |';
const rows: string[] = [header, '|---|---|---|---|---|---|---|---|---|---|---|'];
for (let i = 0; i < pairs; i++) {
  const op = 7 + i;
  const dirA = join(cache, `A-op${op}-s${scale}-d${days}`);
  const dirB = join(cache, `B-op${op}-s${scale}-d${days}-o${offset}`);
  const start = Date.parse('2026-04-01T00:00:00Z');
  if (!existsSync(join(dirA, 'truth.json'))) await runSimulate({ scenario: values.scenario!, scale, seed: 1000 + i, days, out: dirA, operationSeed: op });
  if (!existsSync(join(dirB, 'truth.json'))) await runSimulate({ scenario: values.scenario!, scale, seed: 2000 + i, days, start: new Date(start + offset * 86_400_000).toISOString(), out: dirB, operationSeed: op });

  await runScan({ inputs: [join(dirA, 'input.ndjson')], out: join(dirA, 'scan'), config: cfgPath, quiet: true });
  const bundle = join(dirA, 'bundle.json');
  const exported = await runExport({ db: join(dirA, 'scan', 'distillguard.duckdb'), out: bundle, producer: 'Lab A', tlp: 'amber' });

  // A's TAXII server on loopback; A pushes, B pulls, B pushes its sightings back.
  const serverDb = join(cache, `taxii-op${op}.duckdb`);
  await (await import('node:fs/promises')).rm(serverDb, { force: true });
  const store = await openDuckDbStore(serverDb);
  const app = await buildTaxiiServer({ config: taxiiCfg, store: store.intel });
  const url = `${(await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1')}/taxii2/labs/`;
  const t0 = performance.now();
  await runPush(url, { collection: 'campaigns', bundle, key: LAB_A });
  const pushMs = performance.now() - t0;
  const peerDb = join(dirB, 'peer-intel.duckdb');
  await (await import('node:fs/promises')).rm(peerDb, { force: true });
  const t1 = performance.now();
  await runPull(url, { collection: 'campaigns', db: peerDb, key: LAB_B });
  const pullMs = performance.now() - t1;

  await runScan({ inputs: [join(dirB, 'input.ndjson')], out: join(dirB, 'alone'), config: cfgPath, quiet: true });
  await runScan({ inputs: [join(dirB, 'input.ndjson')], out: join(dirB, 'peer'), config: cfgPath, quiet: true, peerIntel: peerDb });
  const statuses = await runPush(url, { collection: 'sightings', bundle: join(dirB, 'peer', 'peer-sightings.json'), key: LAB_B });
  const sighted = statuses.reduce((n, s) => n + Number(s.success_count ?? 0), 0);
  await app.close();
  await store.close();

  // A careless or poisoned feed: CGNAT and organic prefixes, common benign templates.
  const poison = join(dirB, 'poisoned.json');
  await writeFile(poison, JSON.stringify(await poisonedFeed(join(dirB, 'input.ndjson'), join(dirB, 'truth.json'), KEYS.intel)));
  await runScan({ inputs: [join(dirB, 'input.ndjson')], out: join(dirB, 'poisoned'), config: cfgPath, quiet: true, peerIntel: poison });

  const alone = await figures(dirB, join(dirB, 'alone'));
  const peer = await figures(dirB, join(dirB, 'peer'));
  const poisoned = await figures(dirB, join(dirB, 'poisoned'));
  const line = (name: string, f: Figures): string =>
    `| ${i + 1} | ${name} | ${fmt(f.first_flag_h)} | ${fmt(f.half_flagged_h)} | ${fmt(f.ninety_flagged_h)} | ${(f.leakage * 100).toFixed(1)}% | ${fmt(f.median_exchanges_before_flag, 1)} | ${fmt(f.median_hours_first_exchange_to_flag)} | ${f.recall.toFixed(3)} | ${f.precision.toFixed(3)} | ${f.false_positives} |`;
  rows.push(line('alone', alone), line('with A feed', peer), line('poisoned feed', poisoned));
  results.push({ pair: i + 1, operation_seed: op, exported_objects: exported, taxii_push_ms: Math.round(pushMs), taxii_pull_ms: Math.round(pullMs), sightings_pushed_back: sighted, alone, peer, poisoned });
  console.log(`pair ${i + 1}: A exported ${exported} STIX objects; TAXII push ${Math.round(pushMs)} ms, pull ${Math.round(pullMs)} ms; B pushed ${sighted} sightings back`);
}
console.log(`\n${rows.join('\n')}`);
await mkdir('bench/results', { recursive: true });
await writeFile(values.json!, `${JSON.stringify({ scenario: values.scenario, scale, days, offset_days: offset, results }, null, 2)}\n`);
console.log(`\nfigures written to ${values.json}`);
