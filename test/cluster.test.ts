// Cluster mode as real processes: `cluster up` starts Debian's nats-server (JetStream) and PostgreSQL
// in a temp folder on loopback ports, `cluster scan` spreads decoding over `worker` processes and writes
// PostgreSQL, and the outputs are byte for byte those of `scan`, with 1 and 3 workers, and with a
// worker killed (SIGKILL) mid-scan and restarted. `cluster down` stops both servers.
// Cluster mode as a service: `serve --cluster` publishes the records posted to it to JetStream,
// `distillguard judge` runs the engine on them and writes PostgreSQL; the judge is killed with SIGKILL
// mid-stream after a checkpoint and started again: it resumes from its checkpoint, every record is
// counted once, and the results are those of `scan`. A subscriber of `dg.decisions` sees each verdict
// change once, and serve's decision endpoint follows them.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { readDecisionEvent, type DecisionEvent, type VerdictEvent } from '../src/cluster/decision-events.js';
import { allowFor, decisionOf, type Decision } from '../src/server/decision-answer.js';
import type { ActionLine } from '../src/act/action-out.js';
import { writeFile } from 'node:fs/promises';
import { DECISION_STREAM, ensureRecordStreams, RECORD_STREAM } from '../src/cluster/record-stream.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPackages } from '../src/cluster/local.js';
import { ensureStreams, ensureWorkConsumer, H_PART, H_RUN, runSubject, WORK_STREAM, workerDurable, workSubject } from '../src/cluster/streams.js';
import { runWorker } from '../src/cluster/worker.js';
import { buildEngineConfig } from '../src/config/schema.js';
import { packLines, splitLines } from '../src/cluster/wire.js';
import { readLineBytes, type LineBytes } from '../src/sources/line-bytes.js';
import { headers } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { runSimulate } from '../src/sim/index.js';
import { openPgStore } from '../src/store/pg.js';
import { buildBin, runBin, startServe, type ServeProcess } from './helpers/bin.js';
import { STRICT_POLICY } from './helpers/strict-policy.js';
import pg from 'pg';
import { ENCODINGS, exportSpans, genAiSpans, otlpExporter, simulatedExchanges } from '../bench/otlp-spans.js';

const missing = missingPackages();
if (missing.length > 0) console.warn(`cluster mode tests skipped: Debian packages ${missing.join(', ')} not installed (.ci/run installs them)`);

let dir = '';
let bin = '';
let input = '';
let nats = '';
let pg_ = '';

beforeAll(async () => {
  if (missing.length > 0) return;
  dir = await mkdtemp(join(tmpdir(), 'distillguard-cluster-'));
  await chmod(dir, 0o711); // as root, PostgreSQL runs as user postgres, who must reach the folder
  process.env.DISTILLGUARD_SECRET_FILE = join(dir, 'secret'); // scan and cluster scan hash e-mails under one key
  bin = await buildBin(join(dir, 'pkg'));
  input = (await runSimulate({ scenario: 'tiny', scale: 0.5, seed: 7, days: 1, out: join(dir, 'sim') })).path;
  const up = await runBin(bin, ['cluster', 'up', '--dir', join(dir, 'c')]);
  expect(up.code, up.stderr).toBe(0);
  [nats, pg_] = up.stdout.trim().split('\n');
  const scan = await runBin(bin, ['scan', input, '--out', join(dir, 'scan')]);
  expect(scan.code, scan.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  if (!dir) return;
  const natsPid = existsSync(join(dir, 'c', 'nats.pid')) ? Number(readFileSync(join(dir, 'c', 'nats.pid'), 'utf8')) : 0;
  const down = await runBin(bin, ['cluster', 'down', '--dir', join(dir, 'c')]);
  expect(down.stderr).toMatch(/nats-server stopped; PostgreSQL stopped/);
  if (natsPid > 0) expect(() => process.kill(natsPid, 0)).toThrow();
  expect(existsSync(join(dir, 'c', 'postgres', 'postmaster.pid'))).toBe(false);
  await rm(dir, { recursive: true, force: true });
}, 60_000);

const outputs = async (out: string): Promise<string[]> => Promise.all(['accounts.ndjson', 'campaigns.ndjson'].map((f) => readFile(join(out, f), 'utf8')));

describe.skipIf(missing.length > 0)('cluster mode', () => {
  it('cluster up prints a nats:// and a postgres:// URL on loopback, and again when already up', async () => {
    expect(nats).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(pg_).toMatch(/^postgres:\/\/distillguard@127\.0\.0\.1:\d+\/distillguard$/);
    const again = await runBin(bin, ['cluster', 'up', '--dir', join(dir, 'c')]);
    expect(again.stdout.trim().split('\n')).toEqual([nats, pg_]);
  }, 60_000);

  it('cluster scan with 1 and 3 workers writes the accounts and campaigns scan writes, byte for byte, and the store holds them', async () => {
    const expected = await outputs(join(dir, 'scan'));
    expect(expected[1].length).toBeGreaterThan(0);
    for (const workers of [1, 3]) {
      const out = join(dir, `cluster-${workers}`);
      const r = await runBin(bin, ['cluster', 'scan', input, '--nats', nats, '--pg', pg_, '--workers', String(workers), '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`over ${workers} partitions`));
      expect(await outputs(out)).toEqual(expected);
    }
    const store = await openPgStore(pg_);
    try {
      const byId = (a: { account_id: string }, b: { account_id: string }): number => (a.account_id < b.account_id ? -1 : 1);
      const written = expected[0].trim().split('\n').map((l) => JSON.parse(l) as { account_id: string });
      expect((await store.accounts()).sort(byId)).toEqual(written.sort(byId));
    } finally {
      await store.close();
    }
  }, 240_000);

  it('a worker killed with SIGKILL mid-scan and started again: every line counted once, the same results', async () => {
    const out = join(dir, 'cluster-killed');
    const scan = spawn(process.execPath, [bin, 'cluster', 'scan', input, '--nats', nats, '--pg', pg_, '--workers', '0', '--partitions', '2', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    scan.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = once(scan, 'exit');
    const worker = (shards: string): ChildProcess => spawn(process.execPath, [bin, 'worker', '--nats', nats, '--shards', shards], { stdio: 'ignore' });
    const victim = worker('0');
    const other = worker('1');
    // Kill it once it has taken work from partition 0 and more is waiting there.
    const nc = await connect({ servers: nats });
    try {
      const jsm = await jetstreamManager(nc);
      for (;;) {
        const info = await jsm.consumers.info(WORK_STREAM, workerDurable(0)).catch(() => null);
        if (info && info.delivered.stream_seq > 0 && info.num_pending > 0) break;
        if (scan.exitCode !== null) throw new Error(`cluster scan ended before the kill: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await nc.close();
    }
    victim.kill('SIGKILL');
    await once(victim, 'exit');
    const again = worker('0');
    const [code] = (await exited) as [number | null];
    for (const w of [again, other]) w.kill('SIGTERM');
    await Promise.all([once(again, 'exit'), once(other, 'exit')]);
    expect(code, stderr).toBe(0);
    expect(await outputs(out)).toEqual(await outputs(join(dir, 'scan')));
    const [summary, single] = await Promise.all([out, join(dir, 'scan')].map(async (d) => JSON.parse(await readFile(join(d, 'summary.json'), 'utf8')) as Record<string, unknown>));
    for (const k of ['lines_read', 'accepted', 'accepted_exchanges', 'duplicates', 'rejected']) expect(summary[k], k).toBe(single[k]);
  }, 240_000);

  it('parts of a run whose judge died (configuration no longer refreshed) are dropped undecoded, so they cannot stall the next run', async () => {
    const nc = await connect({ servers: nats });
    const stop = new AbortController();
    try {
      const jsm = await ensureStreams(nc);
      await ensureWorkConsumer(jsm, 7);
      const js = jetstream(nc);
      await js.publish(runSubject('deadrun'), JSON.stringify(buildEngineConfig({ emailKey: 'dead-run-email-key-0123456789' })), { msgID: 'cfg.deadrun' });
      await new Promise((r) => setTimeout(r, 1_200)); // older than the worker's 1 s staleness below
      let parts: LineBytes[] = [];
      for await (const b of readLineBytes(input)) {
        parts = splitLines(b, 16 * 1024).slice(0, 5);
        break;
      }
      expect(parts).toHaveLength(5);
      for (let k = 0; k < 5; k++) {
        const h = headers();
        h.set(H_RUN, 'deadrun');
        h.set(H_PART, `0.${k}`);
        await js.publish(workSubject(7), packLines(parts[k]), { headers: h, msgID: `deadrun.0.${k}` });
      }
      const worker = runWorker({ nats, partitions: [7], signal: stop.signal, staleRunMs: 1_000 });
      let pending = -1;
      for (let i = 0; i < 200 && pending !== 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const info = await jsm.consumers.info(WORK_STREAM, workerDurable(7));
        pending = info.num_pending + info.num_ack_pending;
      }
      stop.abort();
      const stats = await worker;
      expect(pending).toBe(0);
      expect(stats).toMatchObject({ parts: 0, dropped: 5 });
    } finally {
      stop.abort();
      await nc.close();
    }
  }, 60_000);

  it('serve --store postgres:// keeps the live results in PostgreSQL', async () => {
    const admin = new pg.Client({ connectionString: pg_ });
    await admin.connect();
    await admin.query('CREATE SCHEMA IF NOT EXISTS live');
    await admin.end();
    const url = `${pg_}?options=${encodeURIComponent('-c search_path=live')}`;
    const srv = await startServe(bin, ['--db', join(dir, 'live', 'dg.duckdb'), '--store', url, '--no-auth', '--port', '0', '--flush-ms', '50', '--log-level', 'warn']);
    try {
      const lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l !== '').slice(0, 1500);
      const posted = await fetch(`${srv.url}/v1/records`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: `${lines.join('\n')}\n` });
      expect(posted.status).toBe(200);
      let accounts: unknown[] = [];
      for (let i = 0; i < 600 && accounts.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const body = (await (await fetch(`${srv.url}/v1/accounts`)).json()) as { accounts?: unknown[] };
        expect(body.accounts, JSON.stringify(body)).toBeInstanceOf(Array);
        accounts = body.accounts!;
      }
      expect(accounts.length).toBeGreaterThan(0);
      const store = await openPgStore(url);
      try {
        // The API answers from the in-memory view; PostgreSQL is written behind it with the same
        // refresh's rows: compare once the store holds the refresh the API served.
        let compared = false;
        for (let i = 0; i < 300 && !compared; i++) {
          const before = await fetch(`${srv.url}/v1/accounts`);
          const served = ((await before.json()) as { accounts: unknown[] }).accounts;
          const { value: stored, refresh } = await store.snapshot(() => store.accounts({ limit: served.length }));
          if (String(refresh?.refresh) !== before.headers.get('distillguard-refresh')) {
            await new Promise((r) => setTimeout(r, 100));
            continue;
          }
          expect(stored).toEqual(served);
          compared = true;
        }
        expect(compared, 'the store never held the refresh the API served').toBe(true);
      } finally {
        await store.close();
      }
    } finally {
      srv.child.kill('SIGTERM');
      expect((await srv.exited).code).toBe(0);
    }
  }, 120_000);
});

interface Judge {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

function startJudge(policy?: string, ckptDir = 'judge'): Judge {
  const args = ['judge', '--nats', nats, '--pg', pg_, '--dir', join(dir, ckptDir), '--secret-file', join(dir, 'secret'), '--checkpoint-every', '0.2', '--flush-ms', '50', ...(policy ? ['--policy', policy] : [])];
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  return { child, stderr: () => err, exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const v = await probe();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out waiting for ${what}`);
}

const get = async <T>(srv: ServeProcess, path: string): Promise<T> => (await (await fetch(`${srv.url}${path}`)).json()) as T;
const byId = (a: { account_id: string }, b: { account_id: string }): number => (a.account_id < b.account_id ? -1 : 1);
const ndjson = async (f: string): Promise<Record<string, unknown>[]> =>
  (await readFile(f, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Every message of dg.decisions from the first, as they come. */
async function subscribe(nc: NatsConnection, into: DecisionEvent[]): Promise<() => Promise<void>> {
  await ensureRecordStreams(nc);
  const messages = await (await jetstream(nc).consumers.get(DECISION_STREAM, { deliver_policy: DeliverPolicy.All })).consume();
  const done = (async () => {
    for await (const m of messages) into.push(readDecisionEvent(m.data));
  })();
  return async () => {
    await messages.close();
    await done;
  };
}

describe.skipIf(missing.length > 0)('serve --cluster and distillguard judge', () => {
  it('records posted to serve --cluster and judged by a judge killed (SIGKILL) mid-stream and restarted: every record once, the results of scan, each verdict change once on dg.decisions', async () => {
    await copyFile(join(dir, 'secret'), join(dir, 'serve.duckdb.secret')); // serve hashes e-mails under the key beside its --db: scan's
    const srv = await startServe(bin, ['--cluster', '--nats', nats, '--store', pg_, '--db', join(dir, 'serve.duckdb'), '--no-auth', '--port', '0', '--partitions', '3', '--log-level', 'warn', '--gateway-port', '0']);
    const listener = /gateway listener on (http:\/\/\S+)/.exec(srv.stderr())![1];
    const policy = join(dir, 'strict.yaml');
    await writeFile(policy, STRICT_POLICY);
    // scan of the same input under the same policy: the actions a single node decides.
    const strictScan = runBin(bin, ['scan', input, '--out', join(dir, 'scan-strict'), '--policy', policy]);
    const nc = await connect({ servers: nats });
    const events: DecisionEvent[] = [];
    const unsubscribe = await subscribe(nc, events);
    const lines = (await readFile(input, 'utf8')).split('\n').filter((l) => l !== '');
    const post = async (from: number, to: number): Promise<{ accepted: number; duplicates: number; rejected: number }> => {
      const total = { accepted: 0, duplicates: 0, rejected: 0 };
      for (let i = from; i < to; i += 400) {
        const r = await fetch(`${srv.url}/v1/records`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: `${lines.slice(i, Math.min(i + 400, to)).join('\n')}\n` });
        const body = (await r.json()) as typeof total;
        expect(r.status, JSON.stringify(body)).toBe(200);
        for (const k of ['accepted', 'duplicates', 'rejected'] as const) total[k] += body[k];
      }
      return total;
    };
    try {
      // Bad input gets a clear error, and nothing of it reaches the stream.
      const bad = await fetch(`${srv.url}/v1/records`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{"type":"exchange"\n[1,2]\n' });
      expect(bad.status).toBe(200);
      expect(await bad.json()).toMatchObject({ received: 2, accepted: 0, rejected: 2, rejections: [{ line: 1, reason: 'invalid_json' }, { line: 2 }] });
      const text = await fetch(`${srv.url}/v1/records`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
      expect(text.status).toBe(415);
      const badWm = await fetch(`${srv.url}/v1/watermark`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ts":"yesterday"}' });
      expect(badWm.status).toBe(400);
      expect(((await badWm.json()) as { error: { code: string } }).error.code).toBe('bad_request');
      const half = Math.floor(lines.length / 2);
      const first = await post(0, half);
      const judge1 = startJudge(policy);
      // A checkpoint covering part of the stream, then more records, then the kill.
      await until('a judge checkpoint', async () => ((await readdir(join(dir, 'judge')).catch(() => [])).some((f) => /^ckpt-\d+\.ckpt$/.test(f)) ? true : undefined));
      const second = await post(half, half + 400);
      judge1.child.kill('SIGKILL');
      const [, signal] = await judge1.exited;
      expect(signal).toBe('SIGKILL');
      const rest = await post(half + 400, lines.length);
      const wm = await fetch(`${srv.url}/v1/watermark`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ts: '2026-04-03T00:00:00Z' }) });
      expect(wm.status).toBe(200);
      // Serve took every line once (the in-order simulation has no late records).
      const scanSummary = JSON.parse(await readFile(join(dir, 'scan', 'summary.json'), 'utf8')) as Record<string, number>;
      expect(first.accepted + second.accepted + rest.accepted).toBe(scanSummary.accepted);
      expect(first.duplicates + second.duplicates + rest.duplicates).toBe(scanSummary.duplicates);

      const judge2 = startJudge(policy);
      const resumed = await until('the restarted judge', async () => /from the checkpoint at stream sequence (\d+)/.exec(judge2.stderr())?.[1] ?? (/from the start/.test(judge2.stderr()) ? 'start' : undefined));
      expect(resumed, judge2.stderr()).not.toBe('start');
      type Summary = { summary: Record<string, number> | null; snapshot: { engine_clock: string | null } | null };
      const done = await until('the judge to reach the watermark', async () => {
        const s = await get<Summary>(srv, '/v1/summary');
        return s.snapshot?.engine_clock === '2026-04-03T00:00:00.000Z' ? s : undefined;
      });
      for (const k of ['accepted', 'accepted_exchanges', 'accepted_accounts_records', 'flagged_accounts', 'campaigns']) expect(done.summary![k], k).toBe(scanSummary[k]);
      expect(done.summary!.late).toBe(0);
      judge2.child.kill('SIGTERM');
      expect((await judge2.exited)[0], judge2.stderr()).toBe(0);
      expect(judge2.stderr()).toMatch(/judge stopped at stream sequence \d+: \d+ messages/);

      // The judge's results, read through serve, are scan's.
      const accounts = (await get<{ accounts: { account_id: string; verdict: string }[] }>(srv, '/v1/accounts?limit=1000')).accounts;
      expect(accounts.sort(byId)).toEqual((await ndjson(join(dir, 'scan', 'accounts.ndjson'))).sort(byId as never));
      expect((await get<{ campaigns: unknown[] }>(srv, '/v1/campaigns')).campaigns).toEqual(await ndjson(join(dir, 'scan', 'campaigns.ndjson')));

      // dg.decisions: each change once (the replay past the checkpoint republished under the same ids), and the last one per account is its verdict.
      const flagged = accounts.filter((a) => a.verdict === 'distillation');
      expect(flagged.length).toBeGreaterThan(0);
      const verdicts = (): VerdictEvent[] => events.filter((e): e is VerdictEvent => e.kind === 'verdict_change');
      await until('the subscriber to see every flagged account', async () => (flagged.every((a) => verdicts().some((e) => e.account_id === a.account_id && e.body.to === 'distillation')) ? true : undefined), 30_000);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      const last = new Map(verdicts().map((e) => [e.account_id, e.body.to]));
      for (const a of accounts) if (last.has(a.account_id)) expect(last.get(a.account_id), a.account_id).toBe(a.verdict);

      // Actions: the judge ran the policy stage; each account's decision, as serve --cluster answers it
      // (main port and gateway listener), is the one scan's actions.ndjson ends with under that policy.
      const scanned = await strictScan;
      expect(scanned.code, scanned.stderr).toBe(0);
      const enforced = ((await ndjson(join(dir, 'scan-strict', 'actions.ndjson'))) as unknown as ActionLine[]).filter((l) => l.mode === 'enforce');
      const expected = new Map<string, Decision>();
      for (const l of enforced) expected.set(l.account_id, l.action === 'allow' ? allowFor(l.account_id, l.policy).decision : decisionOf(l));
      const kinds = new Set([...expected.values()].map((x) => x.action));
      expect([...kinds].sort()).toEqual(expect.arrayContaining(['block', 'throttle']));
      // Each enforced change once on dg.decisions (the replay past the checkpoint republished under the same ids).
      const published = (): ActionLine[] => events.flatMap((e) => (e.kind === 'action_change' ? [e.body] : []));
      await until('the judge to publish every action change', async () => (published().length >= enforced.length ? true : undefined), 30_000);
      expect(published()).toEqual(enforced);
      expect(events.filter((e) => e.kind === 'policy_change').map((e) => `${String(e.body.name)}@${String(e.body.revision)}`)).toEqual(['strict-test@3']);
      const decisionOfServe = async (base: string, id: string): Promise<Decision> => (await (await fetch(`${base}/v1/decision/${encodeURIComponent(id)}`)).json()) as Decision;
      await until('serve to follow the action changes', async () => ((await get<{ decisions: unknown[] }>(srv, '/v1/decisions')).decisions.length === [...expected.values()].filter((x) => x.action !== 'allow').length ? true : undefined), 30_000);
      const auth = async (base: string, id: string): Promise<Response> => fetch(`${base}/v1/gateway/auth`, { headers: { 'x-account-id': id } });
      const statuses = new Map<string, number>();
      for (const a of accounts) {
        const want = expected.get(a.account_id) ?? allowFor(a.account_id, 'strict-test@3').decision;
        for (const base of [srv.url, listener]) expect(await decisionOfServe(base, a.account_id), a.account_id).toEqual(want);
        const r = await auth(srv.url, a.account_id);
        expect(r.headers.get('x-dg-action'), a.account_id).toBe(want.action);
        statuses.set(want.action, r.status);
        if (want.action === 'block') expect(r.status).toBe(403);
        else expect(r.status, a.account_id).toBe(204);
        if (want.action === 'throttle') {
          // One request a minute: the second at once is refused, by the listener's own bucket too.
          expect((await auth(srv.url, a.account_id)).status).toBe(429);
          expect((await auth(listener, a.account_id)).status).toBe(204);
          expect((await auth(listener, a.account_id)).status).toBe(429);
        }
      }
      expect(statuses.get('block')).toBe(403);
      expect(statuses.get('allow')).toBe(204);
      expect((await auth(srv.url, 'nobody')).status).toBe(204);
      expect(await decisionOfServe(srv.url, 'nobody')).toEqual(allowFor('nobody', 'strict-test@3').decision);

      // backtest --nats replays the record stream the judge read: the report of a backtest of the same
      // lines from the file (scan's path), under the same policy.
      const [fromStream, fromFile] = await Promise.all([
        runBin(bin, ['backtest', '--nats', nats, '--secret-file', join(dir, 'secret'), '--policy', policy, '--json', '--out', join(dir, 'bt-stream')]),
        runBin(bin, ['backtest', input, '--policy', policy, '--json', '--out', join(dir, 'bt-file')]),
      ]);
      expect(fromStream.code, fromStream.stderr).toBe(0);
      expect(fromFile.code, fromFile.stderr).toBe(0);
      const reportOf = (out: string): { reports: { accounts_by_strictest: Record<string, number> }[] } => JSON.parse(out) as never;
      expect(reportOf(fromStream.stdout).reports).toEqual(reportOf(fromFile.stdout).reports);
      expect(reportOf(fromStream.stdout).reports[0].accounts_by_strictest.block).toBeGreaterThan(0);

      // An analyst dismisses a blocked account through serve --cluster: the judge (restarted from its
      // checkpoint) applies it, audits it, and the gateway's answer follows. A judge replaying the whole
      // stream from the start applies it again at the same place, and the store still holds it once.
      const victim = flagged[0].account_id;
      expect((await auth(srv.url, victim)).status).toBe(403);
      const badDecision = await fetch(`${srv.url}/v1/decisions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account_id: victim, decision: 'maybe' }) });
      expect(badDecision.status).toBe(400);
      const noCampaign = await fetch(`${srv.url}/v1/decisions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ campaign_id: 'cmp_nope', decision: 'merge', with_campaign_id: 'cmp_other' }) });
      expect(noCampaign.status).toBe(404);
      const judge3 = startJudge(policy);
      const posted = await fetch(`${srv.url}/v1/decisions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account_id: victim, decision: 'false_positive', note: 'a research lab under contract' }) });
      type Entry = { id: string; kind: string; body: { applied: { action: string } | null; stream_seq: number } };
      const answer = (await posted.json()) as Entry & { status?: string };
      // 201 with the judge's audit entry once it applied the decision; 202 `queued` when it has not within 5 s (a judge still starting).
      expect([201, 202], JSON.stringify(answer)).toContain(posted.status);
      if (posted.status === 202) expect(answer.status).toBe('queued');
      const entry =
        posted.status === 201
          ? answer
          : await until('the judge to audit the decision', async () => (await get<{ audit: Entry[] }>(srv, `/v1/audit?kind=decision&account_id=${encodeURIComponent(victim)}`)).audit.find((e) => e.id === answer.id), 60_000);
      expect(entry).toMatchObject({ kind: 'decision', account_id: victim, body: { decision: 'false_positive', applied: { action: 'dismiss' } } });
      const released = await until('the gateway to release the dismissed account', async () => {
        const r = await auth(srv.url, victim);
        return r.headers.get('x-dg-action') !== 'block' ? r : undefined;
      }, 30_000);
      expect(released.status).toBe(204);
      judge3.child.kill('SIGKILL');
      await judge3.exited;
      const refreshBefore = (await get<{ snapshot: { refresh: number } }>(srv, '/v1/summary')).snapshot.refresh;
      const replay = startJudge(policy, 'judge-replay');
      const jsm = await jetstreamManager(nc);
      const lastSeq = (await jsm.streams.info(RECORD_STREAM)).state.last_seq;
      expect(lastSeq).toBeGreaterThanOrEqual(entry.body.stream_seq);
      // Its checkpoint at the stream's last message: it has applied everything, the decision included.
      await until('the replaying judge to read the whole stream', async () => {
        if (replay.child.exitCode !== null) throw new Error(`the replaying judge exited: ${replay.stderr()}`);
        const seqs = (await readdir(join(dir, 'judge-replay')).catch(() => [])).map((f) => Number(/^ckpt-(\d+)\.ckpt$/.exec(f)?.[1]));
        return seqs.includes(lastSeq) ? true : undefined;
      }).catch((e: Error) => {
        throw new Error(`${e.message}; last sequence ${lastSeq}; ${readdirSync(join(dir, 'judge-replay')).join(' ')}; ${replay.stderr()}`);
      });
      expect(replay.stderr()).toMatch(/from the start of the stream/);
      replay.child.kill('SIGTERM');
      expect((await replay.exited)[0], replay.stderr()).toBe(0);
      expect(replay.stderr()).toMatch(new RegExp(`judge stopped at stream sequence ${lastSeq}:`));
      // A judge started afresh numbers its refreshes on from the store's (?refresh=N names one state).
      expect((await get<{ snapshot: { refresh: number } }>(srv, '/v1/summary')).snapshot.refresh).toBeGreaterThan(refreshBefore);
      const audited = (await get<{ audit: { id: string }[] }>(srv, `/v1/audit?kind=decision&account_id=${encodeURIComponent(victim)}`)).audit;
      expect(audited.map((e) => e.id)).toEqual([entry.id]);
      const store = await openPgStore(pg_);
      try {
        expect((await store.decisions.list(victim)).map((d) => d.action)).toEqual(['dismiss']);
      } finally {
        await store.close();
      }
      expect((await auth(srv.url, victim)).headers.get('x-dg-action')).toBe(released.headers.get('x-dg-action'));
      // A backtest of the stream now replays the dismissal where it was made (the engine took it).
      const afterDismissal = await runBin(bin, ['backtest', '--nats', nats, '--secret-file', join(dir, 'secret'), '--policy', policy, '--out', join(dir, 'bt-stream-2')]);
      const afterDismissalJson = await runBin(bin, ['backtest', '--nats', nats, '--secret-file', join(dir, 'secret'), '--policy', policy, '--json', '--out', join(dir, 'bt-stream-3')]);
      expect(afterDismissalJson.code, afterDismissalJson.stderr).toBe(0);
      expect(afterDismissal.code, afterDismissal.stderr).toBe(0);
      expect(afterDismissal.stderr).toMatch(/replayed [\d,]+ stream messages \(through sequence \d+\), [\d,]+ records, 1 analyst decisions \(0 refused\)/);

      // Every read route says which refresh of the store it read (one read transaction), in the body and
      // the headers single-node serve sends.
      for (const path of ['/v1/campaigns', '/v1/daily', '/v1/summary', `/v1/accounts/${encodeURIComponent(victim)}`, '/v1/accounts?limit=5']) {
        const r = await fetch(`${srv.url}${path}`);
        const body = (await r.json()) as { snapshot: { refresh: number; judged_through: string } };
        expect(body.snapshot.refresh, path).toBeGreaterThan(0);
        expect(r.headers.get('distillguard-refresh'), path).toBe(String(body.snapshot.refresh));
        expect(r.headers.get('distillguard-event-time'), path).toBe(body.snapshot.judged_through);
      }
      // A listing paged with ?refresh=N reads every page from the refresh the first named (a kept
      // transaction); one never written is 404, one no longer kept 410.
      type Page = { accounts: { account_id: string }[]; snapshot: { refresh: number } };
      const n = (await get<Page>(srv, '/v1/accounts?limit=5')).snapshot.refresh;
      const next = await get<Page>(srv, `/v1/accounts?limit=5&offset=5&refresh=${n}`);
      expect(next.snapshot.refresh).toBe(n);
      expect(next.accounts.map((a) => a.account_id)).toEqual((await get<Page>(srv, '/v1/accounts?limit=10')).accounts.slice(5).map((a) => a.account_id));
      expect((await get<{ snapshot: { refresh: number } }>(srv, `/v1/campaigns?refresh=${n}`)).snapshot.refresh).toBe(n);
      const unwritten = await fetch(`${srv.url}/v1/campaigns?refresh=${n + 1000}`);
      expect(unwritten.status).toBe(404);
      if (n > 1) {
        const old = await fetch(`${srv.url}/v1/accounts?refresh=1`);
        expect(old.status).toBe(410);
        expect(((await old.json()) as { error: { message: string } }).error.message).toMatch(/refresh 1 is no longer kept/);
      }

      // The dashboard on serve --cluster, from the PostgreSQL store the judge wrote: its page, the
      // review queue with the analyst's decision, a campaign's graph and facts, and the policy page's
      // backtest refused in words; a second serve with keys signs a browser in with a session cookie.
      const page = await fetch(`${srv.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      const review = (await get<{ review: { account_id: string; decision: { action: string } | null }[] }>(srv, '/v1/review')).review;
      expect(review.find((a) => a.account_id === victim)?.decision?.action).toBe('dismiss');
      expect(review.filter((a) => a.decision === null).length).toBeGreaterThan(0);
      const campaign = (await get<{ campaigns: { campaign_id: string }[] }>(srv, '/v1/campaigns')).campaigns[0].campaign_id;
      const graph = await get<{ nodes: { id: string }[]; edges: unknown[] }>(srv, `/v1/campaigns/${campaign}/graph`);
      expect(graph.nodes.map((n) => n.id).sort()).toEqual(accounts.filter((a) => (a as { campaign_id?: string }).campaign_id === campaign).map((a) => a.account_id).sort());
      expect(graph.edges.length).toBeGreaterThan(0);
      expect(await get(srv, `/v1/campaigns/${campaign}/facts`)).toMatchObject({ campaign_id: campaign });
      // The policy page's backtest on serve --cluster replays the record stream: the CLI's report.
      expect(await get(srv, '/v1/policy/backtest')).toEqual({ backtest: null });
      const badBacktest = await fetch(`${srv.url}/v1/policy/backtest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ policy: STRICT_POLICY.replace('action: block', 'action: banish') }) });
      expect(badBacktest.status).toBe(400);
      expect(((await badBacktest.json()) as { error: { message: string } }).error.message).toMatch(/policy:7:\d+: rules\[0\]\.action/);
      const ran = await fetch(`${srv.url}/v1/policy/backtest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ policy: STRICT_POLICY }) });
      type Run = { backtest: { policies: string[]; records: number; finished_at: string | null; outcome: { reports: unknown[] } } };
      const run = (await ran.json()) as Run;
      expect(ran.status, JSON.stringify(run)).toBe(200);
      expect(run.backtest.policies).toEqual(['strict-test@3']);
      expect(run.backtest.records).toBe(scanSummary.accepted);
      expect(run.backtest.outcome.reports).toEqual(reportOf(afterDismissalJson.stdout).reports);
      expect((await get<Run>(srv, '/v1/policy/backtest')).backtest.finished_at).not.toBeNull();
      const keyFile = join(dir, 'cluster-keys.json');
      const KEY = { analyst: 'analyst-key-0123456789abcdef', ingest: 'ingest-key-0123456789abcdef' };
      await writeFile(keyFile, JSON.stringify({ keys: [{ id: 'ana', key: KEY.analyst, roles: ['read', 'analyst'] }, { id: 'gw', key: KEY.ingest, roles: ['ingest'] }] }));
      const keyed = await startServe(bin, ['--cluster', '--nats', nats, '--store', pg_, '--db', join(dir, 'serve-keyed.duckdb'), '--keys', keyFile, '--port', '0', '--partitions', '3', '--log-level', 'warn']);
      try {
        expect((await fetch(`${keyed.url}/v1/review`)).status).toBe(401);
        const bad = await fetch(`${keyed.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'not-a-key-at-all' }) });
        expect(bad.status).toBe(401);
        const signin = await fetch(`${keyed.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: KEY.analyst }) });
        expect(signin.status, await signin.clone().text()).toBe(200);
        const cookie = /^(dg_session=[^;]+)/.exec(signin.headers.get('set-cookie') ?? '')![1];
        expect(signin.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
        const withCookie = await fetch(`${keyed.url}/v1/review`, { headers: { cookie } });
        expect(withCookie.status).toBe(200);
        expect(((await withCookie.json()) as { review: unknown[] }).review.length).toBe(review.length);
        // A session never ingests, and writes only JSON.
        const ingestBySession = await fetch(`${keyed.url}/v1/records`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-ndjson' }, body: `${lines[0]}\n` });
        expect(ingestBySession.status).toBe(403);
        const formWrite = await fetch(`${keyed.url}/v1/decisions`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain' }, body: '{}' });
        expect(formWrite.status).toBe(403);
      } finally {
        keyed.child.kill('SIGTERM');
        expect((await keyed.exited).code).toBe(0);
      }
    } finally {
      await unsubscribe();
      await nc.close();
      srv.child.kill('SIGTERM');
      expect((await srv.exited).code).toBe(0);
    }
  }, 240_000);

  it('serve --cluster takes OTLP/HTTP (protobuf, JSON), OTLP/gRPC and LiteLLM documents into the record stream, each exchange once, and refuses bad ones in their own terms', async () => {
    const srv = await startServe(bin, ['--cluster', '--nats', nats, '--store', pg_, '--db', join(dir, 'formats.duckdb'), '--no-auth', '--port', '0', '--partitions', '2', '--log-level', 'warn', '--otlp-grpc-port', '0']);
    const nc = await connect({ servers: nats });
    try {
      const grpcPort = Number(/OTLP\/gRPC on \S+:(\d+)/.exec(srv.stderr())?.[1]);
      expect(grpcPort, srv.stderr()).toBeGreaterThan(0);
      const jsm = await jetstreamManager(nc);
      const messagesBefore = (await jsm.streams.info(RECORD_STREAM)).state.messages;
      type Ingest = { received: number; accepted: number; duplicates: number; rejected: number };
      const counts = async (): Promise<Ingest> => (await get<{ ingest: Ingest }>(srv, '/v1/summary')).ingest;
      // The SDK's own exporters, one encoding after the other, the same 30 spans: the first takes them, the others are copies.
      const spans = await genAiSpans(await simulatedExchanges(join(dir, 'otlp-sim'), 30, 13));
      for (const enc of ENCODINGS) {
        const exporter = otlpExporter(enc, { http: srv.url, grpcPort }, 'unused');
        await exportSpans(exporter, spans, 10);
        await exporter.shutdown();
      }
      // (Those older than the newest less the max lateness are late by then, as in single-node serve.)
      const taken = await counts();
      expect(taken).toMatchObject({ received: 90, accepted: 30 });
      expect(taken.duplicates + taken.rejected).toBe(60);
      // LiteLLM: a JSON array of StandardLoggingPayloads; one that is not one is rejected with its reason.
      const t = Date.parse('2026-04-02T10:00:00Z') / 1000;
      const payload = (i: number): Record<string, unknown> => ({ id: `litellm-${i}`, call_type: 'acompletion', startTime: t + i, endTime: t + i + 2, model: 'gpt-4o', messages: [{ role: 'user', content: `question ${i}` }], status: 'success', metadata: { user_api_key_user_id: `acct_litellm_${i % 2}` } });
      const lite = await fetch(`${srv.url}/v1/litellm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([payload(1), payload(2), { hello: 'world' }]) });
      const liteBody = (await lite.json()) as Ingest & { rejections: { line: number; reason: string }[] };
      expect(lite.status, JSON.stringify(liteBody)).toBe(200);
      expect(liteBody).toMatchObject({ received: 3, accepted: 2, rejected: 1, rejections: [{ line: 3, reason: 'unknown_type' }] });
      // What was accepted is in the stream: at least one message more per batch that carried records.
      expect((await jsm.streams.info(RECORD_STREAM)).state.messages).toBeGreaterThan(messagesBefore);
      // Bad input, in each protocol's terms: a protobuf body that is not protobuf gets a protobuf Status.
      const badProto = await fetch(`${srv.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([0xff, 0xff, 0xff]) });
      expect(badProto.status).toBe(400);
      expect(badProto.headers.get('content-type')).toMatch(/application\/x-protobuf/);
      const badJson = await fetch(`${srv.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceLogs": 7}' });
      expect(badJson.status).toBe(400);
      expect(((await badJson.json()) as { error: { message: string } }).error.message).toMatch(/not an OTLP logs export/);
      const badType = await fetch(`${srv.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
      expect(badType.status).toBe(415);
      // gzip, through single-node serve's bounded decoder: taken as sent plain; not gzip is a 400; a body
      // inflating past the decoded-bytes limit (64 MiB) is a 413 before the rest of it is inflated.
      const ndjsonGzip = { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' };
      const gz = await fetch(`${srv.url}/v1/records`, { method: 'POST', headers: ndjsonGzip, body: gzipSync('{"type":"exchange"\n[1,2]\n') });
      expect(await gz.json()).toMatchObject({ received: 2, accepted: 0, rejected: 2, rejections: [{ line: 1, reason: 'invalid_json' }, { line: 2 }] });
      const notGzip = await fetch(`${srv.url}/v1/records`, { method: 'POST', headers: ndjsonGzip, body: 'not gzip' });
      expect(notGzip.status).toBe(400);
      expect(((await notGzip.json()) as { error: { code: string } }).error.code).toBe('bad_encoding');
      const bomb = await fetch(`${srv.url}/v1/records`, { method: 'POST', headers: ndjsonGzip, body: gzipSync(Buffer.alloc(65 << 20, 0x20)) });
      expect(bomb.status).toBe(413);
      expect(((await bomb.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'body_too_large', message: expect.stringMatching(/decompressed/) });
      // The JSON routes keep the body's own fault (was: every fault of the body a 400 "must be JSON"),
      // then name what is wrong with the document, as single-node serve does.
      const jsonGzip = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
      const errorOf = async (r: Response): Promise<{ status: number; code: string; message: string }> => ({ status: r.status, ...((await r.json()) as { error: { code: string; message: string } }).error });
      const wmBomb = await fetch(`${srv.url}/v1/watermark`, { method: 'POST', headers: jsonGzip, body: gzipSync(Buffer.alloc(65 << 20, 0x20)) });
      expect(await errorOf(wmBomb)).toMatchObject({ status: 413, code: 'body_too_large' });
      const wmNotGzip = await fetch(`${srv.url}/v1/watermark`, { method: 'POST', headers: jsonGzip, body: 'not gzip' });
      expect(await errorOf(wmNotGzip)).toMatchObject({ status: 400, code: 'bad_encoding' });
      const wmDeep = await fetch(`${srv.url}/v1/watermark`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `${'['.repeat(200)}${']'.repeat(200)}` });
      expect(await errorOf(wmDeep)).toMatchObject({ status: 400, code: 'bad_request', message: expect.stringMatching(/nests/) });
      const wmLatin1 = await fetch(`${srv.url}/v1/watermark`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0xe9, 0x7d]) });
      expect(await errorOf(wmLatin1)).toMatchObject({ status: 400, message: expect.stringMatching(/UTF-8/) });
      const wmGz = await fetch(`${srv.url}/v1/watermark`, { method: 'POST', headers: jsonGzip, body: gzipSync('{"ts":"yesterday"}') });
      expect(await errorOf(wmGz)).toMatchObject({ status: 400, message: expect.stringMatching(/RFC 3339/) });
      expect(await counts()).toMatchObject({ received: 95, accepted: 32 });
    } finally {
      await nc.close();
      srv.child.kill('SIGTERM');
      expect((await srv.exited).code).toBe(0);
    }
  }, 120_000);

  it('the policy changed through serve --cluster: validated there, applied by the judge at its place in the stream, audited, followed by the gateway routes, not applied again by a restarted judge; SIGHUP re-reads the judge\'s --policy file, a bad one refused in a line', async () => {
    const policy = join(dir, 'strict.yaml');
    await writeFile(policy, STRICT_POLICY);
    const srv = await startServe(bin, ['--cluster', '--nats', nats, '--store', pg_, '--db', join(dir, 'policy.duckdb'), '--no-auth', '--port', '0', '--partitions', '2', '--log-level', 'warn']);
    let judge = startJudge(policy, 'judge-policy');
    type Version = { name: string; revision: string; actor: string; position: number };
    type InForce = { version: Version; rules: { id: string }[]; suppressions?: { account_id?: string; rule: string }[] };
    const send = (method: string, path: string, body: string, type = 'application/yaml'): Promise<Response> => fetch(`${srv.url}${path}`, { method, headers: { 'content-type': type }, body });
    try {
      const first = await until('the judge to record its policy', async () => {
        const r = await fetch(`${srv.url}/v1/policy`);
        return r.status === 200 ? ((await r.json()) as InForce) : undefined;
      });
      expect(first.version.name).toBe('strict-test');
      // Refused by serve with the line and field, and never published.
      const bad = await send('PUT', '/v1/policy', STRICT_POLICY.replace('requests_per_minute: 1', 'requests_per_minute: 0'));
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/request body:\d+:\d+: rules\[1\]\.params\.requests_per_minute/);
      const put = await send('PUT', '/v1/policy', STRICT_POLICY.replace('revision: 3', 'revision: 4'));
      expect([200, 202]).toContain(put.status);
      const now = await until('the judge to apply revision 4', async () => {
        const p = await get<InForce>(srv, '/v1/policy');
        return p.version.revision === '4' ? p : undefined;
      });
      expect(now.version.actor).toBe('anonymous');
      await until('the gateway routes to answer under revision 4', async () => ((await get<{ policy: string }>(srv, '/v1/decision/nobody')).policy === 'strict-test@4' ? true : undefined));
      const sup = await send('POST', '/v1/suppressions', JSON.stringify({ account_id: 'acct_lab', rule: 'distillation-block', until: '2027-01-01T00:00:00Z', note: 'a lab under contract' }), 'application/json');
      expect([201, 202]).toContain(sup.status);
      const suppressed = await until('the judge to apply the suppression', async () => {
        const p = await get<InForce>(srv, '/v1/policy');
        return p.suppressions?.some((x) => x.account_id === 'acct_lab') ? p : undefined;
      });
      expect(suppressed.suppressions).toMatchObject([{ account_id: 'acct_lab', rule: 'distillation-block', by: 'anonymous' }]);
      const history = async (): Promise<string[]> => (await get<{ versions: { id: string }[] }>(srv, '/v1/policy/history')).versions.map((v) => v.id);
      const before = await history();
      expect(before.length).toBeGreaterThanOrEqual(3);
      // A judge killed and restarted (from its checkpoint) does not apply the changes again.
      judge.child.kill('SIGKILL');
      await judge.exited;
      judge = startJudge(policy, 'judge-policy');
      await until('the restarted judge to resume', async () => (/from the checkpoint|from the start/.test(judge.stderr()) ? true : undefined));
      // From its checkpoint, none skipped: one taken after policy reloads reads back.
      expect(judge.stderr()).toMatch(/from the checkpoint at stream sequence \d+/);
      expect(judge.stderr()).not.toMatch(/checkpoint skipped/);
      await new Promise((r) => setTimeout(r, 3000));
      expect(await history()).toEqual(before);
      expect((await get<InForce>(srv, '/v1/policy')).suppressions).toHaveLength(1);
      // SIGHUP re-reads --policy and publishes it on the stream: applied and audited as "sighup".
      await writeFile(policy, STRICT_POLICY.replace('revision: 3', 'revision: 5'));
      judge.child.kill('SIGHUP');
      const hup = await until('the judge to apply the re-read file', async () => {
        const p = await get<InForce>(srv, '/v1/policy');
        return p.version.revision === '5' ? p : undefined;
      });
      expect(hup.version.actor).toBe('sighup');
      expect(judge.stderr()).toMatch(/SIGHUP: policy strict-test@5 published on the record stream/);
      // A bad file: one line on stderr, the policy in force stays, the judge keeps running.
      await writeFile(policy, STRICT_POLICY.replace('requests_per_minute: 1', 'requests_per_minute: 0'));
      judge.child.kill('SIGHUP');
      await until('the refusal on stderr', async () => (/SIGHUP: policy reload refused: .*requests_per_minute/.test(judge.stderr()) ? true : undefined), 20_000);
      expect(judge.child.exitCode).toBeNull();
      expect((await get<InForce>(srv, '/v1/policy')).version.revision).toBe('5');
    } finally {
      judge.child.kill('SIGTERM');
      await judge.exited;
      srv.child.kill('SIGTERM');
      expect((await srv.exited).code).toBe(0);
    }
  }, 180_000);

  it('serve --cluster refuses to start without --nats, or with a flag of single-node serve it does not run, saying why', async () => {
    const [noNats, otlp, policy, badPolicy] = await Promise.all([
      runBin(bin, ['serve', '--cluster', '--store', pg_, '--db', join(dir, 'x.duckdb'), '--no-auth']),
      runBin(bin, ['serve', '--cluster', '--nats', nats, '--store', pg_, '--db', join(dir, 'x.duckdb'), '--no-auth', '--log-dir', join(dir, 'logs')]),
      runBin(bin, ['serve', '--cluster', '--nats', nats, '--store', pg_, '--db', join(dir, 'x.duckdb'), '--no-auth', '--policy', 'p.yaml']),
      writeFile(join(dir, 'bad-policy.yaml'), 'version: 1\nname: bad\nrevision: 1\nrules:\n  - id: t\n    action: throttle\n    params: { requests_per_minute: 0, concurrency: 1 }\n').then(() => runBin(bin, ['judge', '--nats', nats, '--pg', pg_, '--dir', join(dir, 'judge-bad'), '--policy', join(dir, 'bad-policy.yaml')])),
    ]);
    expect(noNats.code).toBe(2);
    expect(noNats.stderr).toMatch(/serve --cluster needs --nats/);
    expect(otlp.code).toBe(2);
    expect(otlp.stderr).toMatch(/serve --cluster does not run --log-dir yet/);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toMatch(/the judge runs the policy stage/);
    // The judge validates its policy as serve and scan do: one line naming file, line and field, exit 2.
    expect(badPolicy.code).toBe(2);
    expect(badPolicy.stderr.trim().split('\n')).toHaveLength(1);
    expect(badPolicy.stderr).toMatch(/bad-policy\.yaml:7:\d+: rules\[0\]\.params\.requests_per_minute/);
  }, 60_000);
});
