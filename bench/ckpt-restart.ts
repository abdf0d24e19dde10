// bench:ckpt — serve's restart from a checkpoint against a replay of the whole ingest log (issue 17).
//
//   npm run bench:ckpt -- --input traffic.ndjson [--rounds 3] [--batch 1000] [--dir .cache/ckpt-bench]
//        [--json bench/results/i17-ckpt.json]
//
// 1. The input is fed once to a live service (in process, decode on the main thread, no HTTP) in
//    batches of --batch lines: its ingest log. Stopped cleanly, which writes one checkpoint at the end.
// 2. Restarts, alternated within every round so both see the same machine load: (a) the whole log
//    replayed (checkpoints off) and (b) the checkpoint restored (nothing after it to replay). Wall and
//    CPU time of LiveService.open's rebuild (replayMs; the store's publish is apart) are printed, medians.
// 3. The checkpoint: its size, encode and write time (median of the rounds' clean stops); the log's
//    bytes before and after compaction (a second checkpoint, keep 1: every segment but the open one goes).
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEngineConfig } from '../src/config/schema.js';
import { decodeLine } from '../src/decode/index.js';
import { LiveService, type LiveOptions } from '../src/server/live.js';
import { openDuckDbStore } from '../src/store/duckdb.js';
import { loadDefaultPolicy } from '../src/act/policy-load.js';
import { Gateway } from '../src/server/gateway.js';

const { values: o } = parseArgs({
  options: {
    input: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '1000' },
    dir: { type: 'string', default: '.cache/ckpt-bench' },
    json: { type: 'string', default: 'bench/results/i17-ckpt.json' },
  },
});
if (o.input === undefined) throw new Error('--input <traffic.ndjson> is required');
const dir = resolve(o.dir);
const rounds = Number(o.rounds);
const cfg = buildEngineConfig({ emailKey: 'bench-email-key-0123456789' });
const policy = await loadDefaultPolicy();
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dirBytes = (d: string, re: RegExp): number => readdirSync(d).filter((f) => re.test(f)).reduce((n, f) => n + statSync(join(d, f)).size, 0);

/** A service on `logDir` with a fresh store, the gateway attached as serve has it. */
async function open(logDir: string, checkpoints: LiveOptions['checkpoints'], tag: string): Promise<{ live: LiveService; close: () => Promise<void>; cpuMs: number }> {
  const db = join(dir, `store-${tag}.duckdb`);
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const store = await openDuckDbStore(db);
  const gateway = await Gateway.open(store, policy);
  const cpu0 = process.cpuUsage();
  const live = await LiveService.open({ cfg, store, logDir, flushMs: 3_600_000, attach: (e) => gateway.attach(e), attachedState: gateway.checkpointPart, checkpoints });
  const cpu = process.cpuUsage(cpu0);
  return {
    live,
    cpuMs: (cpu.user + cpu.system) / 1000,
    close: async () => {
      await live.close();
      await gateway.close();
      await store.close();
    },
  };
}

const logDir = join(dir, 'ingest');
const ckpt = { everyMs: 3_600_000, keep: 2 };
if (!existsSync(join(logDir, 'seg-0000000001.ndjson'))) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const s = await open(logDir, undefined, 'feed');
  const lines = (await readFile(o.input, 'utf8')).split('\n').filter((l) => l.length > 0);
  const per = Number(o.batch);
  for (let i = 0; i < lines.length; i += per) {
    const items = lines.slice(i, i + per).map((text, j) => {
      const raw = { file: 'http', line: j + 1, text, bytes: Buffer.byteLength(text) };
      return { raw, rec: decodeLine(raw, s.live.decodeContext) };
    });
    await s.live.submit(items);
    if ((i / per) % 20 === 0) await s.live.drain();
  }
  await s.close();
  process.stderr.write(`fed ${lines.length} lines\n`);
}
for (const f of readdirSync(logDir)) if (f.startsWith('ckpt-') || f === 'compacted.json') rmSync(join(logDir, f));
const logBytes = dirBytes(logDir, /^seg-/);

const replay: { wallMs: number; cpuMs: number; batches: number }[] = [];
const restore: { wallMs: number; cpuMs: number; batches: number }[] = [];
const written: { bytes: number; encodeMs: number; writeMs: number }[] = [];
for (let r = 0; r < rounds; r++) {
  // (a) the whole log; its clean stop writes the checkpoint (b) restores.
  for (const f of readdirSync(logDir)) if (f.startsWith('ckpt-')) rmSync(join(logDir, f));
  const a = await open(logDir, ckpt, 'a');
  replay.push({ wallMs: a.live.replayMs, cpuMs: a.cpuMs, batches: a.live.replayedBatches });
  const aState = JSON.stringify(a.live.counts);
  await a.close();
  written.push({ bytes: a.live.lastCheckpoint!.bytes, encodeMs: a.live.lastCheckpoint!.encodeMs, writeMs: a.live.lastCheckpoint!.writeMs });
  const b = await open(logDir, ckpt, 'b');
  if (b.live.restoredFrom === undefined) throw new Error(`the checkpoint was not restored: ${b.live.checkpointNotes.join('; ')}`);
  restore.push({ wallMs: b.live.replayMs, cpuMs: b.cpuMs, batches: b.live.replayedBatches - b.live.restoredFrom.seq });
  if (JSON.stringify(b.live.counts) !== aState) throw new Error('the restored service differs from the replayed one');
  await b.close();
  process.stderr.write(`round ${r + 1}: replay ${Math.round(replay[r].wallMs)} ms, restore ${Math.round(restore[r].wallMs)} ms (load ${loadavg()[0].toFixed(1)})\n`);
}

// Compaction: a copy of the log, checkpointed with keep 1, loses every segment the checkpoint covers.
const copy = join(dir, 'compact');
rmSync(copy, { recursive: true, force: true });
cpSync(logDir, copy, { recursive: true });
for (const f of readdirSync(copy)) if (f.startsWith('ckpt-')) rmSync(join(copy, f));
const c = await open(copy, { everyMs: 3_600_000, keep: 1 }, 'c');
await c.close();
const compacted = { segmentsBefore: readdirSync(logDir).filter((f) => f.startsWith('seg-')).length, bytesBefore: logBytes, segmentsAfter: readdirSync(copy).filter((f) => f.startsWith('seg-')).length, bytesAfter: dirBytes(copy, /^seg-/), checkpointBytes: dirBytes(copy, /^ckpt-/) };

const out = {
  input: o.input,
  rounds,
  load: loadavg()[0],
  replay: { medianWallMs: median(replay.map((x) => x.wallMs)), medianCpuMs: median(replay.map((x) => x.cpuMs)), batches: replay[0].batches, runs: replay },
  restore: { medianWallMs: median(restore.map((x) => x.wallMs)), medianCpuMs: median(restore.map((x) => x.cpuMs)), batchesAfter: restore[0].batches, runs: restore },
  checkpoint: { bytes: median(written.map((x) => x.bytes)), medianEncodeMs: median(written.map((x) => x.encodeMs)), medianWriteMs: median(written.map((x) => x.writeMs)), runs: written },
  compaction: compacted,
};
writeFileSync(o.json, `${JSON.stringify(out, null, 2)}\n`);
const mib = (n: number): string => (n / (1 << 20)).toFixed(1);
process.stdout.write(
  `restart, whole log replayed: ${Math.round(out.replay.medianWallMs)} ms wall, ${Math.round(out.replay.medianCpuMs)} ms CPU (${out.replay.batches} batches)\n` +
    `restart from the checkpoint:  ${Math.round(out.restore.medianWallMs)} ms wall, ${Math.round(out.restore.medianCpuMs)} ms CPU (${out.restore.batchesAfter} batches after it)\n` +
    `ratio (wall): ${(out.replay.medianWallMs / out.restore.medianWallMs).toFixed(1)}x, (CPU): ${(out.replay.medianCpuMs / out.restore.medianCpuMs).toFixed(1)}x\n` +
    `checkpoint: ${mib(out.checkpoint.bytes)} MiB, encode ${Math.round(out.checkpoint.medianEncodeMs)} ms, write ${Math.round(out.checkpoint.medianWriteMs)} ms\n` +
    `ingest log: ${compacted.segmentsBefore} segments, ${mib(compacted.bytesBefore)} MiB → compacted ${compacted.segmentsAfter} segments, ${mib(compacted.bytesAfter)} MiB (+ ${mib(compacted.checkpointBytes)} MiB checkpoint)\n` +
    `load average ${out.load.toFixed(1)}\n`,
);
