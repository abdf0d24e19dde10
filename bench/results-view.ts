// bench:view — what the live service's in-memory read view costs (src/server/results-view.ts).
//
//   npm run bench:view -- [--scenario default] [--scale 0.3] [--seed 3] [--input traffic.ndjson]
//                         [--refreshes 10] [--json bench/results/results-view.json]
//
// The engine is fed the input in order; every 1/--refreshes of it a refresh derives the changed rows
// (the live service's own OutputDelta) and makes the next snapshot from the previous one. Printed:
// per refresh the accounts, rows changed and the wall ms of making the snapshot; at the end the
// heap a snapshot holds per account (after a full GC: the whole snapshot, then what one more
// snapshot costs while the previous one is still held, i.e. its share of structural sharing).
// Run with --expose-gc (the npm script does).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEngineConfig } from '../src/config/schema.js';
import { emailKeyOf } from '../src/config/secret.js';
import type { Summary } from '../src/core/output.js';
import type { CanonicalRecord } from '../src/core/records.js';
import { decodeLine } from '../src/decode/index.js';
import { Engine } from '../src/engine/engine.js';
import { emptyBatch, Ingestor } from '../src/order/pipeline.js';
import { OutputDelta } from '../src/server/output-delta.js';
import { ResultsSnapshot } from '../src/server/results-view.js';
import { runSimulate } from '../src/sim/index.js';

const { values: o } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'default' },
    scale: { type: 'string', default: '0.3' },
    seed: { type: 'string', default: '3' },
    input: { type: 'string' },
    refreshes: { type: 'string', default: '10' },
    json: { type: 'string', default: 'bench/results/results-view.json' },
  },
});
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:view does)');
let input = o.input;
if (input === undefined) {
  const cache = resolve('.cache/bench-serve', `${o.scenario}-${o.scale}-${o.seed}`);
  input = join(cache, 'input.ndjson');
  if (!existsSync(input)) await runSimulate({ scenario: o.scenario!, scale: Number(o.scale), seed: Number(o.seed), out: cache });
}
const lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l.length > 0);
const cfg = buildEngineConfig({ emailKey: 'bench-email-key-0123456789' });
const engine = new Engine(cfg);
const delta = new OutputDelta(engine, emailKeyOf(cfg));
const ingestor = new Ingestor({ emailKey: Buffer.from(emailKeyOf(cfg)), maxLatenessMs: cfg.maxLatenessMs, maxLineBytes: cfg.maxLineBytes });
const ctx = { emailKey: Buffer.from(emailKeyOf(cfg)) };
const summary = { version: 1, inputs: ['bench'] } as unknown as Summary;
const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

let view = ResultsSnapshot.empty();
const refreshes: Record<string, number>[] = [];
const every = Math.ceil(lines.length / Number(o.refreshes));
for (let i = 0; i < lines.length; i += every) {
  const out = emptyBatch();
  for (let j = i; j < Math.min(i + every, lines.length); j++) {
    const raw = { file: 'bench', line: j + 1, text: lines[j], bytes: lines[j].length };
    ingestor.admit(decodeLine(raw, ctx), raw, out);
  }
  for (const r of out.records as CanonicalRecord[]) engine.push(r);
  const d = await delta.changes();
  const t0 = performance.now();
  const { counts: _c, ...rows } = d;
  view = view.next({ ...rows, summary, refresh: { refresh: refreshes.length + 1, judged_through: null, engine_clock: null, consumed: i + every, derived_at: new Date().toISOString() } });
  refreshes.push({ lines: Math.min(i + every, lines.length), accounts: view.size, changed_accounts: d.accounts.length, evidence_rows: d.evidence.length, next_ms: Math.round((performance.now() - t0) * 100) / 100 });
  process.stderr.write(`${JSON.stringify(refreshes[refreshes.length - 1])}\n`);
}

// The whole snapshot: the heap with it against the heap without any (the derivation's marks, which
// belong to OutputDelta, not to the view, are rebuilt to the same size by all()).
view = ResultsSnapshot.empty();
const without = heap();
{
  const { counts: _c, ...rows } = await delta.all();
  view = ResultsSnapshot.of({ ...rows, summary }, null);
}
const withView = heap();
// One more snapshot while the previous is held: what a refresh adds (indexes, plus the changed rows).
const held = view;
const nextView = held.next({ accounts: [], evidence: [], campaigns: [], removedCampaigns: [], links: [], daily: [], days: [], summary });
const withTwo = heap();
const n = held.size;
const result = {
  input,
  lines: lines.length,
  accounts: n,
  heap_mib_view: Math.round(((withView - without) / 2 ** 20) * 10) / 10,
  bytes_per_account: Math.round((withView - without) / n),
  bytes_per_account_of_one_more_snapshot: Math.round((withTwo - withView) / n),
  refreshes,
};
void nextView;
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if (o.json) {
  await mkdir(resolve(o.json, '..'), { recursive: true });
  await writeFile(o.json, `${JSON.stringify(result, null, 2)}\n`);
}
