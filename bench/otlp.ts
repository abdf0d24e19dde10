// bench:otlp — GenAI spans into a running `distillguard serve` through the OpenTelemetry JS SDK's
// own exporters, one figure per OTLP encoding (a benchmark, not a test).
//
//   npm run bench:otlp -- [--spans 6000] [--batch 512] [--runs 3] [--json bench/results/otlp.json]
//
// 1. Simulates one day of the tiny scenario (cached under .cache/bench-otlp/) and makes `--spans`
//    GenAI spans of it with the SDK (bench/otlp-spans.ts: three ways of carrying content, rotating).
// 2. For each run and encoding (http/json, http/protobuf, grpc; the order rotates from run to run),
//    starts the real server as a child process (`node bin/distillguard.js serve --otlp-grpc-port 0`,
//    keys on, fresh store and ingest log) and exports the spans in batches of `--batch` (the
//    BatchSpanProcessor's default 512), one at a time as the SDK's batch processor does. The clock
//    runs from the first export until the last is acknowledged, i.e. durable in the ingest log.
//    Every span must be accepted, or the bench refuses to report.
//    The same exchanges as native NDJSON through /v1/records (`native ndjson`) are the baseline.
// 3. In-process, without network or engine: the request bytes of each encoding (the SDK's own
//    serializers) decoded into records by the server's decoder, to separate decoding from the rest.
//
// Medians over `--runs`. The machine is shared: compare figures from one run, not across runs.
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeOtlpTraces } from '../src/decode/otlp.js';
import { loadOtlpProto } from '../src/decode/otlp-proto.js';
import { cliNodeFlags } from './node-flags.js';
import { awaitStderr, LISTENING } from './serve-child.js';
import { ENCODINGS, type Encoding, exportSpans, genAiSpans, otlpExporter, simulatedExchanges } from './otlp-spans.js';

const { values: o } = parseArgs({
  options: {
    spans: { type: 'string', default: '6000' },
    batch: { type: 'string', default: '512' },
    runs: { type: 'string', default: '3' },
    json: { type: 'string', default: 'bench/results/otlp.json' },
  },
});
const SPANS = Number(o.spans);
const BATCH = Number(o.batch);
const RUNS = Number(o.runs);
const KEY = 'bench-ingest-key-0123456789';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

process.stderr.write(`simulating and building ${SPANS} spans…\n`);
const exchanges = await simulatedExchanges(resolve('.cache/bench-otlp/sim'), SPANS, 3, Math.max(0.2, SPANS / 4000));
if (exchanges.length < SPANS) throw new Error(`the simulation gave ${exchanges.length} exchanges, fewer than --spans ${SPANS}`);
const spans = await genAiSpans(exchanges);

interface Serve {
  http: string;
  grpcPort: number;
  stop(): Promise<void>;
}

async function startServe(work: string): Promise<Serve> {
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await writeFile(join(work, 'keys.json'), JSON.stringify({ keys: [{ id: 'gw', key: KEY, roles: ['ingest'] }] }));
  const args = ['bin/distillguard.js', 'serve', '--db', join(work, 'store.duckdb'), '--port', '0', '--otlp-grpc-port', '0', '--keys', join(work, 'keys.json'), '--log-level', 'warn'];
  const child = spawn(process.execPath, [...cliNodeFlags(), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const [h, g] = await awaitStderr(child, [LISTENING, /OTLP\/gRPC on \S+:(\d+)/]);
  const http = h[1];
  const grpcPort = Number(g[1]);
  return {
    http,
    grpcPort,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    },
  };
}

// ---- through a running serve ---------------------------------------------------------------------
// The same exchanges as native NDJSON through /v1/records: the baseline of the same run.
const NATIVE = 'native ndjson';
type Path = Encoding | typeof NATIVE;
const PATHS: Path[] = [...ENCODINGS, NATIVE];
const ndjson: string[] = [];
for (let i = 0; i < exchanges.length; i += BATCH) ndjson.push(exchanges.slice(i, i + BATCH).map((e) => JSON.stringify(e)).join('\n') + '\n');
async function postNative(http: string): Promise<void> {
  for (const body of ndjson) {
    const r = await fetch(`${http}/v1/records`, { method: 'POST', body, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-ndjson' } });
    if (r.status !== 200) throw new Error(`native batch: ${r.status} ${await r.text()}`);
  }
}

const served = Object.fromEntries(PATHS.map((p) => [p, [] as number[]])) as Record<Path, number[]>;
for (let run = 0; run < RUNS; run++) {
  for (let i = 0; i < PATHS.length; i++) {
    const enc = PATHS[(i + run) % PATHS.length];
    const work = resolve('.cache/bench-otlp/run');
    const s = await startServe(work);
    try {
      const t0 = performance.now();
      if (enc === NATIVE) await postNative(s.http);
      else {
        const exporter = otlpExporter(enc, { http: s.http, grpcPort: s.grpcPort }, KEY);
        await exportSpans(exporter, spans, BATCH);
        await exporter.shutdown();
      }
      const sec = (performance.now() - t0) / 1000;
      const summary = (await (await fetch(`${s.http}/metrics`)).text()).match(/distillguard_records_received_total\{route="[^"]+"\} (\d+)/g) ?? [];
      const received = summary.reduce((n, l) => n + Number(l.split(' ').pop()), 0);
      if (received !== SPANS) throw new Error(`${enc}: the server received ${received} of ${SPANS} spans`);
      served[enc].push(SPANS / sec);
      process.stderr.write(`run ${run + 1} ${enc}: ${Math.round(SPANS / sec)} spans/s\n`);
    } finally {
      await s.stop();
    }
  }
}

// ---- decoding alone, in-process -----------------------------------------------------------------
const proto = loadOtlpProto();
const batches: (typeof spans)[] = [];
for (let i = 0; i < spans.length; i += BATCH) batches.push(spans.slice(i, i + BATCH));
const bodies = {
  'http/json': batches.map((b) => Buffer.from(JsonTraceSerializer.serializeRequest(b)!)),
  'http/protobuf': batches.map((b) => Buffer.from(ProtobufTraceSerializer.serializeRequest(b)!)),
};
const decoders = {
  'http/json': (b: Buffer) => decodeOtlpTraces(JSON.parse(b.toString('utf8'))),
  'http/protobuf': (b: Buffer) => decodeOtlpTraces(proto.traces.decodeRequest(b)),
};
const decodeOnly: Record<'http/json' | 'http/protobuf', { spansPerSecond: number; bytesPerSpan: number }> = {} as never;
for (const enc of ['http/json', 'http/protobuf'] as const) {
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    let n = 0;
    for (const b of bodies[enc]) n += decoders[enc](b).items.length;
    if (n !== SPANS) throw new Error(`${enc}: decoded ${n} of ${SPANS}`);
    rates.push(SPANS / ((performance.now() - t0) / 1000));
  }
  decodeOnly[enc] = { spansPerSecond: Math.round(median(rates)), bytesPerSpan: Math.round(bodies[enc].reduce((n, b) => n + b.length, 0) / SPANS) };
}

const result = {
  spans: SPANS,
  batch: BATCH,
  runs: RUNS,
  node: process.version,
  throughput_spans_per_second: Object.fromEntries(PATHS.map((e) => [e, { median: Math.round(median(served[e])), runs: served[e].map(Math.round) }])),
  decode_only: decodeOnly,
  load_average: loadavg().map((x) => Math.round(x * 10) / 10),
  note: 'acknowledged = durable in the ingest log; one exporter, one request in flight (as the SDK batch processor); native ndjson = the same exchanges through /v1/records; decode_only: medians of 5; shared 2-core machine',
};
await mkdir(resolve(o.json!, '..'), { recursive: true });
await writeFile(resolve(o.json!), JSON.stringify(result, null, 2) + '\n');
console.log(`OTLP into serve, ${SPANS} GenAI spans in batches of ${BATCH}, medians of ${RUNS} runs (acknowledged = durable):`);
for (const e of PATHS) console.log(`  ${e.padEnd(14)} ${String(result.throughput_spans_per_second[e].median).padStart(7)} spans/s   runs ${served[e].map(Math.round).join(', ')}`);
console.log(`decoding alone (in-process, request bytes → records, medians of 5; load average ${result.load_average.join(' ')}):`);
for (const e of ['http/json', 'http/protobuf'] as const) console.log(`  ${e.padEnd(14)} ${String(decodeOnly[e].spansPerSecond).padStart(7)} spans/s   ${decodeOnly[e].bytesPerSpan} B/span on the wire`);
console.log(`written ${o.json}`);
