// The dedicated gateway listener (`serve --gateway-port`, a worker thread): it answers exactly what the
// policy stage decided, as the main API does, also after a policy reload and a suppression without a
// restart; its stream carries the same changes; its /healthz is answered while the main thread is
// blocked, and says so once the main thread has been stalled too long.
// The worker runs the compiled script (dist/, built by `npm ci` / `npm run build`): node cannot start a
// .ts worker under the TypeScript test runner.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, keyRing, ndjson, startTestServer, type TestServer } from '../../test/helpers/serve.js';
import { parsePolicy } from '../act/policy-load.js';
import { GatewayListener } from './gateway-listener.js';
import { PLANS_POLICY as POLICY } from '../../test/helpers/plans-policy.js';

const execFileAsync = promisify(execFile);

const script = new URL('../../dist/src/server/gateway-worker.js', import.meta.url);
const built = existsSync(fileURLToPath(script));
if (!built) console.warn('gateway-listener.test: dist/src/server/gateway-worker.js is missing (npm run build); skipping');

const T0 = Date.UTC(2026, 3, 1);
const PLANS = ['education', 'research', 'startup', 'free', 'reseller', 'paid'];
const IDS = [...PLANS.map((p) => `a-${p}`), 'never-seen', 'with space/and%', 'ünï "cødé" ✓'];

let s: TestServer | undefined;
let listener: GatewayListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
  await s?.close();
  s = undefined;
});

async function start(stalledAfterMs?: number): Promise<{ srv: TestServer; gw: GatewayListener }> {
  s = await startTestServer({ policy: parsePolicy(POLICY, 'test') });
  const post = await s.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson(PLANS.map((plan) => ({ type: 'account', account_id: `a-${plan}`, ts: T0, created_at: T0, plan }))), headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson' } });
  expect(post.statusCode).toBe(200);
  const wm = await s.app.inject({ method: 'POST', url: '/v1/watermark', payload: { ts: new Date(T0 + 20 * 60_000).toISOString() }, headers: bearer('ingest') });
  expect(wm.statusCode).toBe(200);
  await s.live.drain();
  listener = await GatewayListener.start({ gateway: s.gateway!, live: s.live, keys: keyRing(), host: '127.0.0.1', port: 0, headersTimeoutMs: 5000, keepAliveTimeoutMs: 5000, script, stalledAfterMs });
  return { srv: s, gw: listener };
}

/** Each account's answer on the main API and on the listener: decision JSON, auth status and x-dg headers. */
async function answers(srv: TestServer, gw: GatewayListener): Promise<{ main: string[]; fast: string[] }> {
  const main: string[] = [];
  const fast: string[] = [];
  for (const id of IDS) {
    const path = `/v1/decision/${encodeURIComponent(id)}`;
    const authPath = `/v1/gateway/auth?account_id=${encodeURIComponent(id)}`;
    const m = await srv.app.inject({ method: 'GET', url: path, headers: bearer('read') });
    const ma = await srv.app.inject({ method: 'GET', url: authPath, headers: bearer('read') });
    const f = await fetch(`${gw.url}${path}`, { headers: bearer('read') });
    const fa = await fetch(`${gw.url}${authPath}`, { headers: bearer('read') });
    const dg = (h: Iterable<[string, string]>): string => [...h].filter(([k]) => k.startsWith('x-dg-') || k === 'www-authenticate').sort().join(';');
    main.push(`${m.statusCode} ${m.body} | ${ma.statusCode} ${dg(Object.entries(ma.headers).map(([k, v]) => [k, String(v)]))}`);
    fast.push(`${f.status} ${await f.text()} | ${fa.status} ${dg(fa.headers)}`);
  }
  return { main, fast };
}

/** The listener is told after the main thread's turn: wait (briefly) until both answer alike. */
async function agreed(srv: TestServer, gw: GatewayListener): Promise<string[]> {
  for (let i = 0; ; i++) {
    const a = await answers(srv, gw);
    if (JSON.stringify(a.main) === JSON.stringify(a.fast) || i === 20) {
      expect(a.fast).toEqual(a.main);
      return a.fast;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const actions = (lines: string[]): string[] => lines.map((l) => String((JSON.parse(l.slice(4, l.indexOf(' | '))) as { action: string }).action));

describe.skipIf(!built)('serve --gateway-port: the gateway listener thread', () => {
  it('answers what the policy decided, as the main API does, after a reload and a suppression too', async () => {
    const { srv, gw } = await start();
    expect(actions(await agreed(srv, gw))).toEqual(['block', 'degrade', 'throttle', 'step_up', 'allow', 'allow', 'allow', 'allow', 'allow']);
    expect((await fetch(`${gw.url}/v1/decision/a-research`)).status).toBe(401);
    expect((await fetch(`${gw.url}/v1/decision/a-research`, { headers: bearer('ingest') })).status).toBe(403);
    expect((await fetch(`${gw.url}/v1/gateway/auth`, { headers: bearer('read') })).status).toBe(400);
    expect(await (await fetch(`${gw.url}/v1/records`, { headers: bearer('read') })).json()).toMatchObject({ error: { code: 'not_found' } });

    const reloaded = POLICY.replace('revision: 1', 'revision: 2').replace('plan: [research]', 'plan: [research, paid]').replace('plan: [education]', 'plan: [enterprise]');
    expect((await srv.app.inject({ method: 'PUT', url: '/v1/policy', payload: reloaded, headers: { ...bearer('analyst'), 'content-type': 'application/yaml' } })).statusCode).toBe(200);
    const afterReload = await agreed(srv, gw);
    expect(actions(afterReload)).toEqual(['allow', 'degrade', 'throttle', 'step_up', 'allow', 'degrade', 'allow', 'allow', 'allow']);
    // An account without a decision is allowed under the policy now in force.
    expect(afterReload[IDS.indexOf('never-seen')]).toContain('"policy":"plans@2"');

    const suppression = { account_id: 'a-free', rule: 'free-step-up', until: '2030-01-01T00:00:00Z', note: 'verified by phone' };
    expect((await srv.app.inject({ method: 'POST', url: '/v1/suppressions', payload: suppression, headers: bearer('analyst') })).statusCode).toBe(201);
    expect(actions(await agreed(srv, gw))).toEqual(['allow', 'degrade', 'throttle', 'allow', 'allow', 'degrade', 'allow', 'allow', 'allow']);

    // The stream carries the same changes, in order, from the start (Last-Event-ID 0).
    const ctl = new AbortController();
    const res = await fetch(`${gw.url}/v1/decisions/stream`, { headers: { ...bearer('read'), 'last-event-id': '0' }, signal: ctl.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const main: string[] = [];
    srv.gateway!.subscribe(0, (seq, line) => main.push(`id: ${seq}\nevent: decision\ndata: ${JSON.stringify(line)}`))();
    expect(main.length).toBe(7);
    let text = '';
    while ((text.match(/event: decision/g) ?? []).length < main.length) text += new TextDecoder().decode((await reader.read()).value);
    ctl.abort();
    expect(text.split('\n\n').filter((e) => e.includes('event: decision'))).toEqual(main);
  });

  it('answers /healthz while the main thread is blocked, and says stalled once it has been blocked too long', async () => {
    const { gw } = await start(2000);
    type Health = { status: number; body: { status: string } };
    // A probe from another process. Sync, this thread waits for it and its loop cannot run meanwhile
    // (as while a runaway parse holds it); async, the loop runs while the probe's process starts (which
    // can take over a second on a loaded machine: a sync probe alone would then stall the thread).
    const args = ['-e', `fetch(${JSON.stringify(`${gw.url}/healthz`)}).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.json() })))`];
    const probeBlocking = (): Health => JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as Health;
    const probe = async (): Promise<Health> => JSON.parse((await execFileAsync(process.execPath, args, { encoding: 'utf8' })).stdout) as Health;
    expect(await probe()).toEqual({ status: 200, body: { status: 'ok', backlog: 0, overloaded: false } });
    const until = Date.now() + 3000;
    while (Date.now() < until); // the main thread stalls (as a runaway parse would)
    expect(probeBlocking()).toMatchObject({ status: 503, body: { status: 'stalled' } });
    await new Promise((r) => setTimeout(r, 250));
    expect((await probe()).status).toBe(200);
  });
});
