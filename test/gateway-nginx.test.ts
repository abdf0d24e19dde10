// End to end: Debian's nginx with auth_request to `serve` in front of a small model server (the thing
// being protected). Simulated traffic goes through nginx and, as a gateway's log shipper would send it,
// to serve; the campaign's accounts end up degraded, blocked (after an analyst's confirmation) and
// throttled (after a policy reload: its rate by serve, its concurrency by nginx from the forwarded
// parameter), while organic accounts pass untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulate } from '../src/sim/index.js';
import { readTruth, type Truth } from '../src/eval/truth.js';
import { loadDefaultPolicy } from '../src/act/policy-load.js';
import { bearer, KEYS, keyRing, startTestServer, type TestServer } from './helpers/serve.js';
import { GatewayListener } from '../src/server/gateway-listener.js';

const workerScript = new URL('../dist/src/server/gateway-worker.js', import.meta.url);
const workerBuilt = existsSync(workerScript);

const NGINX = '/usr/sbin/nginx';
const haveNginx = existsSync(NGINX);

interface Served {
  account: string;
  action: string;
  maxTokens: string;
  thinking: string;
}

/** The protected model server: answers every request, honouring the gateway's degrade headers (a long generation when asked for one). */
function modelServer(served: Served[]): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const h = (k: string): string => String(req.headers[k] ?? '');
      served.push({ account: h('x-account-id'), action: h('x-dg-action'), maxTokens: h('x-dg-max-tokens'), thinking: h('x-dg-thinking') });
      const answer = (): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, bytes: body.length }));
      };
      if (body.includes('"slow":true')) setTimeout(answer, 600);
      else answer();
    });
  });
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** The throttle concurrencies the gateway knows (nginx's limit_conn takes a fixed number: one zone each). */
const CONCURRENCY = [1, 2, 4, 8];

function nginxConf(dir: string, port: number, limiterPort: number, dgPort: number, upstreamPort: number): string {
  const fwd = ['action', 'max_tokens', 'thinking', 'tools', 'mark', 'rule', 'concurrency'];
  return `worker_processes 1;
daemon off;
master_process off;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 128; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream distillguard { server 127.0.0.1:${dgPort}; keepalive 8; }
  # A throttled account's concurrency (x-dg-concurrency from distillguard): limit_conn runs before
  # auth_request in a request's phases, so it is applied by a second, loopback-only server the
  # authorised request is passed to, one zone per concurrency (an empty key is not counted).
${CONCURRENCY.map((n) => `  map $http_x_dg_concurrency $dg_conc_${n} { "${n}" $http_x_account_id; default ""; }\n  limit_conn_zone $dg_conc_${n} zone=dg_conc_${n}:1m;`).join('\n')}
  server {
    listen 127.0.0.1:${limiterPort};
${CONCURRENCY.map((n) => `    limit_conn dg_conc_${n} ${n};`).join('\n')}
    limit_conn_status 429;
    location / { proxy_pass http://127.0.0.1:${upstreamPort}; }
  }
  server {
    listen 127.0.0.1:${port};
    location = /_distillguard {
      internal;
      proxy_pass http://distillguard/v1/gateway/auth;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header Authorization "Bearer ${KEYS.read}";
      proxy_set_header X-Account-Id $http_x_account_id;
    }
    location /v1/ {
      auth_request /_distillguard;
${fwd.map((f) => `      auth_request_set $dg_${f} $upstream_http_x_dg_${f.replace('_', '_')};\n      proxy_set_header X-DG-${f.replace('_', '-')} $dg_${f};`).join('\n')}
      # 429 from distillguard (a throttled account over its rate) is an error to auth_request: map it back.
      error_page 500 = @throttled;
      proxy_pass http://127.0.0.1:${limiterPort};
    }
    location @throttled {
      if ($dg_action = throttle) { add_header Retry-After 1 always; return 429; }
      return 500;
    }
  }
}
`;
}

describe.skipIf(!haveNginx)('nginx auth_request in front of a model server, decisions from serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-nginx-'));
  const served: Served[] = [];
  let upstream: Server;
  let nginx: ChildProcess;
  let s: TestServer;
  let listener: GatewayListener | undefined;
  let truth: Truth;
  let base = '';
  const results: { account: string; status: number }[] = [];

  const send = async (account: string, request: unknown): Promise<number> => {
    const res = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-account-id': account }, body: JSON.stringify(request) });
    await res.arrayBuffer();
    results.push({ account, status: res.status });
    return res.status;
  };

  beforeAll(async () => {
    await runSimulate({ scenario: 'tiny', scale: 0.5, seed: 3, out: join(dir, 'sim') });
    truth = await readTruth(join(dir, 'sim', 'truth.json'));
    s = await startTestServer({ dir: join(dir, 'serve'), policy: await loadDefaultPolicy() });
    // nginx asks the dedicated gateway listener (serve --gateway-port) when the build has it, else the main port.
    const main = await s.app.listen({ port: 0, host: '127.0.0.1' });
    listener = workerBuilt ? await GatewayListener.start({ gateway: s.gateway!, live: s.live, keys: keyRing(), host: '127.0.0.1', port: 0, headersTimeoutMs: 5000, keepAliveTimeoutMs: 60_000, script: workerScript }) : undefined;
    if (!listener) console.warn('gateway-nginx.test: dist/src/server/gateway-worker.js is missing (npm run build): nginx asks the main port');
    const dg = new URL(listener?.url ?? main);
    upstream = modelServer(served);
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = await freePort();
    const limiterPort = await freePort();
    for (const d of ['body', 'proxy', 'fcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, port, limiterPort, Number(dg.port), (upstream.address() as { port: number }).port));
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${base}/v1/ping`, { headers: { 'x-account-id': 'probe' } }).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }

    // The traffic: each chunk is served through nginx (a sample of its requests), then shipped to serve.
    const lines = readFileSync(join(dir, 'sim', 'input.ndjson'), 'utf8').split('\n').filter(Boolean);
    const CHUNK = 4000;
    for (let i = 0; i < lines.length; i += CHUNK) {
      const chunk = lines.slice(i, i + CHUNK);
      for (let k = 0; k < chunk.length; k += 25) {
        const rec = JSON.parse(chunk[k]) as { type: string; account_id: string; request?: unknown };
        if (rec.type === 'exchange') await send(rec.account_id, rec.request);
      }
      const post = await s.app.inject({ method: 'POST', url: '/v1/records', payload: `${chunk.join('\n')}\n`, headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson' } });
      expect(post.statusCode).toBe(200);
      await s.live.drain();
    }
  }, 240_000);

  afterAll(async () => {
    const nginxGone = nginx === undefined || nginx.exitCode !== null ? Promise.resolve() : new Promise((r) => nginx.once('exit', r));
    nginx?.kill('SIGTERM');
    await nginxGone; // nginx removes its pid file on the way out: the directory goes after it
    await listener?.close();
    await new Promise((r) => upstream?.close(r));
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const label = (id: string): string | undefined => truth.accounts[id]?.label;

  it('degrades the campaign accounts while organic accounts pass untouched', () => {
    const organic = served.filter((x) => label(x.account) === 'organic');
    expect(organic.length).toBeGreaterThan(100);
    expect(organic.every((x) => x.action === 'allow')).toBe(true);
    expect(results.filter((r) => label(r.account) === 'organic').every((r) => r.status === 200)).toBe(true);
    const degraded = served.filter((x) => label(x.account) === 'distillation' && x.action === 'degrade');
    expect(degraded.length).toBeGreaterThan(20);
    for (const x of degraded) {
      expect(Number(x.maxTokens)).toBeGreaterThan(0);
      expect(x.thinking).toBe('summarised');
    }
  });

  it('blocks an account an analyst confirmed (403), and throttles after a policy reload (429 over its rate, and over its concurrency)', async () => {
    // Two accounts degraded for their own distillation verdict: the reloaded policy throttles those instead.
    // (not linked at sign-up: the linked-at-signup rules would keep those degraded, the stricter action)
    const flagged = s.gateway!.snapshot().filter((x) => x.rule === 'distillation-degrade' && !x.reasons.includes('linked_at_signup')).map((x) => x.account_id);
    expect(flagged.length).toBeGreaterThan(2);
    const [confirm, throttle] = flagged;
    const d = await s.app.inject({ method: 'POST', url: '/v1/decisions', payload: { account_id: confirm, decision: 'confirmed' }, headers: bearer('analyst') });
    expect(d.statusCode).toBe(201);
    await s.live.drain();
    expect(await send(confirm, { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })).toBe(403);

    const text = (await loadDefaultPolicy()).text.replace('revision: 1', 'revision: 2').replace(/action: degrade\n {4}params: \{ max_tokens: 1024, thinking: summarised, tools: false \}\n {4}mark: \{ marker: dg-distill \}/, 'action: throttle\n    params: { requests_per_minute: 1, concurrency: 1 }');
    const put = await s.app.inject({ method: 'PUT', url: '/v1/policy', payload: text, headers: { ...bearer('analyst'), 'content-type': 'application/yaml' } });
    expect(put.statusCode).toBe(200);
    const body = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    const statuses = [await send(throttle, body), await send(throttle, body)];
    expect(statuses).toEqual([200, 429]);
    // Organic accounts still pass.
    const someOrganic = served.find((x) => label(x.account) === 'organic')!.account;
    expect(await send(someOrganic, body)).toBe(200);

    // The throttle's concurrency, enforced by nginx from the forwarded x-dg-concurrency: of two long
    // requests at once one is refused; one after the other both pass. Organic accounts are not limited.
    const concurrent = text.replace('revision: 2', 'revision: 3').replace('requests_per_minute: 1, concurrency: 1', 'requests_per_minute: 600, concurrency: 1');
    expect((await s.app.inject({ method: 'PUT', url: '/v1/policy', payload: concurrent, headers: { ...bearer('analyst'), 'content-type': 'application/yaml' } })).statusCode).toBe(200);
    const slow = { ...body, slow: true };
    expect((await Promise.all([send(throttle, slow), send(throttle, slow)])).sort()).toEqual([200, 429]);
    expect([await send(throttle, slow), await send(throttle, slow)]).toEqual([200, 200]);
    expect(await Promise.all([send(someOrganic, slow), send(someOrganic, slow)])).toEqual([200, 200]);
  });
});
