// bench:ckpt-stall — how long serve's thread stops while a checkpoint is taken (issue 20), for this
// build or another one's dist (`--build /work/base-ddc81c8`), in process.
//
//   npm run build && node dist/bench/ckpt-stall.js --log DIR --input traffic.ndjson [--build PATH] [--rounds 3]
//
// DIR is an ingest log (e.g. the one bench:ckpt feeds: .cache/ckpt-bench/ingest); it is opened as serve
// opens it (the gateway's policy stage attached, checkpoints on: its newest checkpoint is restored, else
// the whole log replayed). Then, each round: one batch of 500 lines is taken and consumed, and a
// checkpoint is taken while a client posts one-line batches back to back. Printed per round: the
// longest gap of a 1 ms timer (the longest stall of the event loop), the batches acknowledged while
// the checkpoint ran, its wall and CPU time, and (builds that say it) how long the engine stood still
// and how long the one synchronous serialization took. The log is changed (batches and checkpoints
// are added): give each build its own copy.
import { loadavg } from 'node:os';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    log: { type: 'string' },
    build: { type: 'string', default: '.' },
    input: { type: 'string' },
    rounds: { type: 'string', default: '3' },
  },
});
if (o.log === undefined || o.input === undefined) throw new Error('--log <ingest log folder> and --input <traffic.ndjson> are required');
const dist = join(resolve(o.build!), 'dist/src');
// Another build's modules, typed as this one's (the bench uses only what both have).
const { buildEngineConfig } = (await import(join(dist, 'config/schema.js'))) as typeof import('../src/config/schema.js');
const { LiveService } = (await import(join(dist, 'server/live.js'))) as typeof import('../src/server/live.js');
const { openDuckDbStore } = (await import(join(dist, 'store/duckdb.js'))) as typeof import('../src/store/duckdb.js');
const { loadDefaultPolicy } = (await import(join(dist, 'act/policy-load.js'))) as typeof import('../src/act/policy-load.js');
const { Gateway } = (await import(join(dist, 'server/gateway.js'))) as typeof import('../src/server/gateway.js');
const { decodeLine } = (await import(join(dist, 'decode/index.js'))) as typeof import('../src/decode/index.js');

const logDir = resolve(o.log);
const db = `${logDir}.bench.duckdb`;
rmSync(db, { force: true });
rmSync(`${db}.wal`, { force: true });
const store = await openDuckDbStore(db);
const gateway = await Gateway.open(store, await loadDefaultPolicy());
const cfg = buildEngineConfig({ emailKey: 'bench-email-key-0123456789' });
const t0 = performance.now();
const live = await LiveService.open({ cfg, store, logDir, flushMs: 1000, attach: (e) => gateway.attach(e), attachedState: gateway.checkpointPart, checkpoints: { everyMs: 3_600_000, keep: 2 } });
process.stderr.write(`opened in ${((performance.now() - t0) / 1000).toFixed(1)} s (${live.restoredFrom ? `checkpoint of batch ${live.restoredFrom.seq}` : 'whole log replayed'})\n`);

// Lines to post: any traffic (duplicates of what the log holds are fine: a batch is a batch).
const lines = readFileSync(o.input, 'utf8').split('\n', 2400).filter((l) => l.length > 0);
const items = (from: number, n: number): Parameters<typeof live.submit>[0] =>
  lines.slice(from, from + n).map((text, j) => {
    const raw = { file: 'http', line: j + 1, text, bytes: Buffer.byteLength(text) };
    return { raw, rec: decodeLine(raw, live.decodeContext) };
  });

const rounds: Record<string, number | null>[] = [];
for (let r = 0; r < Number(o.rounds); r++) {
  await live.submit(items(r * 500, 500));
  await live.drain();
  let last = performance.now();
  let maxGap = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  let posting = true;
  let acked = 0;
  const poster = (async (): Promise<void> => {
    for (let k = 0; posting; k++) {
      await live.submit(items(2000 + (k % 400), 1));
      acked++;
    }
  })();
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await live.checkpoint();
  const wallMs = performance.now() - w0;
  const cpu = process.cpuUsage(cpu0);
  posting = false;
  await poster;
  clearInterval(probe);
  const c = live.lastCheckpoint! as { bytes: number; encodeMs: number; heldMs?: number; serializeMs?: number };
  const round = {
    load: Math.round(loadavg()[0] * 10) / 10,
    max_stall_ms: Math.round(maxGap),
    acked_during: acked,
    wall_ms: Math.round(wallMs),
    cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
    encode_ms: Math.round(c.encodeMs),
    held_ms: c.heldMs === undefined ? null : Math.round(c.heldMs),
    serialize_ms: c.serializeMs === undefined ? null : Math.round(c.serializeMs),
    mib: Math.round((c.bytes / 2 ** 20) * 10) / 10,
  };
  rounds.push(round);
  process.stderr.write(`${JSON.stringify(round)}\n`);
}
await live.close();
await gateway.close();
await store.close();
process.stdout.write(`${JSON.stringify({ build: resolve(o.build!), log: logDir, rounds })}\n`);
