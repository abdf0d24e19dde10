// `distillguard demo` run twice on the same traffic keeps the analyst decisions of the first run (its
// live store and ingest log are reopened); `--fresh` discards them. Real demo processes on a small
// tiny world, a decision made through the dashboard's own sign-in link and API, stopped with Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBin } from '../../test/helpers/bin.js';

let tmp = '';
let bin = '';
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dg-demo-'));
  bin = await buildBin(join(tmp, 'pkg'));
}, 120_000);
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface Running {
  /** What the demo printed up to its dashboard line. */
  stdout: string;
  /** The dashboard's address and its one-time sign-in token. */
  base: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts `demo` on a small tiny world (port 0, loopback) and waits for its dashboard line. */
function demo(out: string, ...extra: string[]): Promise<Running> {
  const child = spawn(process.execPath, [bin, 'demo', '--out', out, '--scenario', 'tiny', '--scale', '0.05', '--seed', '7', '--port', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+)\/#signin=(\S+)/.exec(stdout);
      if (m) {
        resolve({
          stdout,
          base: m[1],
          token: m[2],
          stop: async () => {
            child.kill('SIGINT');
            expect(await exited).toBe(0);
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`demo exited (${code}) before serving:\n${stdout}\n${stderr}`)));
  });
}

/** Signs in with the demo's link (as the dashboard does) and returns a fetch that sends the session cookie. */
async function signIn(d: Running): Promise<(path: string, body?: unknown) => Promise<Response>> {
  const r = await fetch(`${d.base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: d.token }) });
  expect(r.status).toBe(200);
  const cookie = r.headers.get('set-cookie')!.split(';')[0];
  return (path, body) =>
    fetch(`${d.base}${path}`, body === undefined ? { headers: { cookie } } : { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The analyst decisions in the audit log: account and note. */
async function decisionsOf(api: (path: string) => Promise<Response>): Promise<{ account_id: string | null; note: unknown }[]> {
  const r = await api('/v1/audit?kind=decision&limit=50');
  expect(r.status).toBe(200);
  const { audit } = (await r.json()) as { audit: { account_id: string | null; body: Record<string, unknown> }[] };
  return audit.map((e) => ({ account_id: e.account_id, note: e.body.note }));
}

describe('demo keeps analyst decisions across runs', () => {
  it('a second demo of the same traffic keeps the first run\'s decision; --fresh discards it', async () => {
    const out = join(tmp, 'demo');
    const first = await demo(out);
    let api = await signIn(first);
    const accounts = ((await (await api('/v1/accounts?limit=1&min_score=0')).json()) as { accounts: { account_id: string }[] }).accounts;
    expect(accounts.length).toBe(1);
    const account = accounts[0].account_id;
    const made = await api('/v1/decisions', { account_id: account, decision: 'false_positive', note: 'demo test: keep me' });
    expect(made.status).toBe(201);
    await first.stop();

    const second = await demo(out);
    expect(second.stdout).toContain('kept the live store of the previous demo with 1 analyst decision (--fresh starts over)');
    api = await signIn(second);
    expect((await decisionsOf(api)).filter((d) => d.note === 'demo test: keep me').map((d) => d.account_id)).toEqual([account]);
    await second.stop();

    const fresh = await demo(out, '--fresh');
    expect(fresh.stdout).not.toContain('kept the live store');
    api = await signIn(fresh);
    expect((await decisionsOf(api)).filter((d) => d.note === 'demo test: keep me')).toEqual([]);
    await fresh.stop();
  }, 300_000);
});
