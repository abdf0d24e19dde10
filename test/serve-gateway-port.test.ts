// `distillguard serve --gateway-port` as a real process: the gateway listener answers decisions and
// /healthz from its thread, /metrics reports its event-loop stalls, SIGTERM stops both cleanly; a
// port already taken is refused in one line.
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin, serveFixture, startServe } from './helpers/bin.js';

const READ = 'gateway-port-read-key-000001';
let dir: string;
let bin: string;
beforeAll(async () => {
  ({ dir, bin } = await serveFixture('distillguard-serve-gw-', [{ id: 'ro', key: READ, roles: ['read'] }]));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const args = (port: number): string[] => ['--db', join(dir, 'store.duckdb'), '--port', '0', '--gateway-port', String(port), '--keys', join(dir, 'keys.json'), '--log-level', 'warn'];

describe('serve --gateway-port', () => {
  it('answers decisions and /healthz from the listener, reports its loop on /metrics, stops cleanly', async () => {
    const srv = await startServe(bin, args(0));
    const gw = /gateway listener on (http:\/\/\S+)/.exec(srv.stderr())![1];
    expect(await (await fetch(`${gw}/healthz`)).json()).toEqual({ status: 'ok', backlog: 0, overloaded: false });
    const d = await fetch(`${gw}/v1/decision/acct-1`, { headers: { authorization: `Bearer ${READ}` } });
    expect(await d.json()).toMatchObject({ account_id: 'acct-1', action: 'allow', policy: expect.stringMatching(/@/) as string });
    expect((await fetch(`${gw}/v1/decision/acct-1`)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1100)); // the listener reports its loop every second
    expect(await (await fetch(`${srv.url}/metrics`)).text()).toMatch(/^distillguard_gateway_eventloop_lag_max_seconds \d/m);
    srv.child.kill('SIGTERM');
    expect(await srv.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('refuses a gateway port that is taken: one line, exit 2', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await runBin(bin, ['serve', ...args(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('distillguard: --gateway-port'))).toHaveLength(1);
      expect(r.stderr).toMatch(/--gateway-port \d+: cannot listen on 127\.0\.0\.1: .*EADDRINUSE/);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  }, 60_000);
});
