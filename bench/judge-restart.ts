// bench:judge — the cluster judge's throughput, and its restart from a checkpoint against a read of
// the record stream from its start (issue 17).
//
//   distillguard cluster up --dir DIR     # prints the two URLs
//   npm run bench:judge -- --input traffic.ndjson --nats nats://… --pg postgres://… [--rounds 3]
//        [--partitions 4] [--dir .cache/judge-bench]
//
// 1. The input is decoded in process and published to a fresh record stream by ClusterIngest (the code
//    serve --cluster runs, without HTTP), in batches of 1,000 lines, then a watermark past its end.
// 2. Rounds, alternated so both see the same machine load: (a) a judge with no checkpoint reads the
//    stream from its start until it has applied the last message (its clean stop writes a checkpoint);
//    (b) a judge restarted on that checkpoint, until it is current (nothing after it to read). Both
//    times run from ClusterJudge.open (restore, whole state to PostgreSQL) to the last message applied.
//    (a) gives the judge's throughput: records per second of wall time and of its CPU time.
import { rmSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { buildEngineConfig } from '../src/config/schema.js';
import { emailKeyOf } from '../src/config/secret.js';
import { decodeLine } from '../src/decode/index.js';
import { build as buildDecode } from '../src/decode/config.js';
import { ClusterJudge } from '../src/cluster/judge.js';
import { loadDefaultPolicy } from '../src/act/policy-load.js';
import { DECISION_STREAM, ensureRecordStreams, maxMessageBytes, RECORD_STREAM } from '../src/cluster/record-stream.js';
import { connectNats } from '../src/cluster/streams.js';
import { ClusterIngest } from '../src/server/cluster-ingest.js';
import { openPgStore } from '../src/store/pg.js';

const { values: o } = parseArgs({
  options: {
    input: { type: 'string' },
    nats: { type: 'string' },
    pg: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    partitions: { type: 'string', default: '4' },
    dir: { type: 'string', default: '.cache/judge-bench' },
  },
});
if (o.input === undefined || o.nats === undefined || o.pg === undefined) throw new Error('--input, --nats and --pg are required');
const dir = resolve(o.dir);
const cfg = buildEngineConfig({ emailKey: 'bench-email-key-0123456789' });
const policy = await loadDefaultPolicy();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const nc = await connectNats(o.nats);
const store = await openPgStore(o.pg);

// 1. A fresh stream holding the input.
const jsm = await jetstreamManager(nc);
for (const s of [RECORD_STREAM, DECISION_STREAM]) await jsm.streams.delete(s).catch(() => undefined);
await ensureRecordStreams(nc);
const ingest = new ClusterIngest(jetstream(nc), Number(o.partitions), cfg.maxLatenessMs, maxMessageBytes(nc));
const ctx = buildDecode({ emailKey: emailKeyOf(cfg) });
const lines = (await readFile(o.input, 'utf8')).split('\n').filter((l) => l !== '');
const tp = performance.now();
let maxTs = 0;
for (let i = 0; i < lines.length; i += 1000) {
  const items = lines.slice(i, i + 1000).map((text, k) => {
    const raw = { file: 'bench', line: i + k + 1, text, bytes: Buffer.byteLength(text) };
    const rec = decodeLine(raw, ctx);
    if (!('reason' in rec) && rec.ts > maxTs) maxTs = rec.ts;
    return { raw, rec };
  });
  await ingest.submit(items);
}
await ingest.watermark(maxTs + 86_400_000);
const lastSeq = (await jsm.streams.info(RECORD_STREAM)).state.last_seq;
process.stdout.write(`published ${lines.length} lines (${ingest.counts.accepted} accepted) as ${lastSeq} messages over ${o.partitions} partitions in ${((performance.now() - tp) / 1000).toFixed(1)} s\n`);

/** A judge from whatever checkpoint `dir` holds, until it has applied the stream's last message. */
async function judgeOnce(): Promise<{ wallMs: number; cpuMs: number; restored: number | null; records: number; ckptBytes: number; gaps: number }> {
  const stop = new AbortController();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const judge = await ClusterJudge.open({ nc, store, cfg, policy, dir, checkpointEveryMs: 0, signal: stop.signal });
  let caught = 0;
  let cpu = { user: 0, system: 0 };
  const poll = setInterval(() => {
    if (judge.state.streamSeq >= lastSeq && caught === 0) {
      caught = performance.now();
      cpu = process.cpuUsage(cpu0);
      stop.abort();
    }
  }, 20);
  await judge.run();
  clearInterval(poll);
  const ckptBytes = readdirSync(dir).filter((f) => f.endsWith('.ckpt')).reduce((n, f) => Math.max(n, statSync(join(dir, f)).size), 0);
  return { wallMs: caught - t0, cpuMs: (cpu.user + cpu.system) / 1000, restored: judge.restoredSeq, records: judge.state.counts.accepted, ckptBytes, gaps: judge.gaps };
}

const fromStart: { wallMs: number; cpuMs: number }[] = [];
const fromCkpt: { wallMs: number; cpuMs: number }[] = [];
let records = 0;
let ckptBytes = 0;
for (let r = 1; r <= Number(o.rounds); r++) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const a = await judgeOnce();
  if (a.restored !== null) throw new Error('round (a) restored a checkpoint');
  const b = await judgeOnce();
  if (b.restored !== lastSeq) throw new Error(`round (b) restored ${b.restored}, not the checkpoint at ${lastSeq}`);
  if (b.records !== a.records) throw new Error(`restored judge counts ${b.records} records, the first ${a.records}`);
  if (a.records !== ingest.counts.accepted) throw new Error(`the judge accepted ${a.records} records of the ${ingest.counts.accepted} published`);
  records = a.records;
  ckptBytes = a.ckptBytes;
  fromStart.push(a);
  fromCkpt.push(b);
  process.stdout.write(
    `round ${r}: from the start ${(a.wallMs / 1000).toFixed(2)} s wall, ${(a.cpuMs / 1000).toFixed(2)} s CPU (${Math.round(records / (a.wallMs / 1000))} records/s wall, ${Math.round(records / (a.cpuMs / 1000))} records/CPU-s, ${a.gaps} re-reads); ` +
      `from the checkpoint ${(b.wallMs / 1000).toFixed(2)} s wall, ${(b.cpuMs / 1000).toFixed(2)} s CPU; load ${loadavg()[0].toFixed(1)}\n`,
  );
}
const m = (xs: { wallMs: number; cpuMs: number }[], k: 'wallMs' | 'cpuMs'): number => median(xs.map((x) => x[k]));
process.stdout.write(
  `median: from the start ${(m(fromStart, 'wallMs') / 1000).toFixed(2)} s wall / ${(m(fromStart, 'cpuMs') / 1000).toFixed(2)} s CPU; from the checkpoint ${(m(fromCkpt, 'wallMs') / 1000).toFixed(2)} s wall / ${(m(fromCkpt, 'cpuMs') / 1000).toFixed(2)} s CPU; ` +
    `ratio ${(m(fromStart, 'wallMs') / m(fromCkpt, 'wallMs')).toFixed(1)}x wall, ${(m(fromStart, 'cpuMs') / m(fromCkpt, 'cpuMs')).toFixed(1)}x CPU\n` +
    `judge throughput (from the start, median): ${Math.round(records / (m(fromStart, 'wallMs') / 1000))} records/s wall, ${Math.round(records / (m(fromStart, 'cpuMs') / 1000))} records per CPU-second; checkpoint ${(ckptBytes / 1048576).toFixed(1)} MiB\n`,
);
await store.close();
await nc.drain();
