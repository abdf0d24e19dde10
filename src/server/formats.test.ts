// Simulated traffic through the server in the gateway formats: account facts as native NDJSON, the
// exchanges as OTLP GenAI spans (development conventions) and as LiteLLM StandardLoggingPayloads,
// going through to verdicts; every flagged account must be a member of a simulated campaign.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../act/signature.js';
import { WebhookDispatcher } from '../act/webhooks.js';
import { bearer, startTestServer, type TestServer } from '../../test/helpers/serve.js';
import { runSimulate } from '../sim/index.js';

type Json = Record<string, unknown>;

let tmp: string;
let lines: Json[];
let truth: { accounts: Record<string, { campaign: string | null }> };
let s: TestServer;
let receiver: Server;
let hooks: WebhookDispatcher;
const delivered: { body: string; sig: string | undefined }[] = [];
const SECRET = 'formats-test-webhook-secret';
beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      delivered.push({ body, sig: req.headers['distillguard-signature'] as string | undefined });
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  tmp = await mkdtemp(join(tmpdir(), 'distillguard-formats-'));
  const sim = await runSimulate({ scenario: 'tiny', scale: 0.6, seed: 5, out: join(tmp, 'sim'), days: 2 });
  lines = (await readFile(sim.path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
  truth = JSON.parse(await readFile(join(tmp, 'sim', 'truth.json'), 'utf8'));
  s = await startTestServer({ dir: join(tmp, 'serve') });
  hooks = new WebhookDispatcher({ store: s.store, urls: [`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`], secret: SECRET });
  s.live.onAudit((fresh) => hooks.enqueue(fresh));
});
afterAll(async () => {
  await hooks.close();
  await new Promise((r) => receiver.close(r));
  await s.close();
  await rm(tmp, { recursive: true, force: true });
});

const text = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((b) => (typeof b === 'object' && b && 'text' in b ? String(b.text) : '')).join('\n') : '';

const kv = (key: string, v: unknown): Json | undefined => {
  if (v === undefined || v === null) return undefined;
  return { key, value: typeof v === 'string' ? { stringValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v } };
};

/** A native exchange as the span an OTel-instrumented gateway would emit. */
function toSpan(e: Json, i: number): Json {
  const req = e.request as Json;
  const client = (e.client ?? {}) as Json;
  const usage = ((e.response as Json | undefined)?.usage ?? {}) as Json;
  const msgs = req.messages as Json[];
  const system = typeof req.system === 'string' ? req.system : msgs.filter((m) => m.role === 'system').map((m) => text(m.content)).join('\n');
  const input = msgs.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, parts: [{ type: 'text', content: text(m.content) }] }));
  const ts = typeof e.ts === 'string' ? Date.parse(e.ts) : (e.ts as number);
  return {
    traceId: i.toString(16).padStart(32, '0'),
    spanId: i.toString(16).padStart(16, '0'),
    name: `chat ${String(e.model)}`,
    kind: 3,
    startTimeUnixNano: `${ts}000000`,
    attributes: [
      kv('gen_ai.operation.name', 'chat'),
      kv('gen_ai.provider.name', typeof req.system === 'string' ? 'anthropic' : 'openai'),
      kv('gen_ai.request.model', e.model),
      kv('gen_ai.request.max_tokens', req.max_tokens ?? req.max_completion_tokens),
      kv('gen_ai.request.temperature', req.temperature),
      kv('gen_ai.input.messages', JSON.stringify(input)),
      system ? kv('gen_ai.system_instructions', JSON.stringify([{ type: 'text', content: system }])) : undefined,
      kv('gen_ai.usage.input_tokens', usage.input_tokens ?? usage.prompt_tokens),
      kv('gen_ai.usage.output_tokens', usage.output_tokens ?? usage.completion_tokens),
      kv('user.id', e.account_id),
      kv('client.address', client.ip),
      kv('user_agent.original', client.user_agent),
    ].filter(Boolean),
  };
}

/** A native exchange as LiteLLM's StandardLoggingPayload for the same call. */
function toLiteLLM(e: Json): Json {
  const req = e.request as Json;
  const { messages, model, ...params } = req;
  const anthropic = typeof req.system === 'string';
  const usage = ((e.response as Json | undefined)?.usage ?? {}) as Json;
  const ts = typeof e.ts === 'string' ? Date.parse(e.ts) : (e.ts as number);
  return {
    id: e.id,
    call_type: anthropic ? 'anthropic_messages' : 'acompletion',
    startTime: ts / 1000,
    endTime: ts / 1000 + 2.5,
    model: model ?? e.model,
    messages,
    model_parameters: params,
    response: { usage },
    prompt_tokens: usage.input_tokens ?? usage.prompt_tokens,
    completion_tokens: usage.output_tokens ?? usage.completion_tokens,
    status: 'success',
    metadata: { user_api_key_user_id: e.account_id, user_api_key_hash: e.key_id, requester_ip_address: (e.client as Json | undefined)?.ip, user_agent: (e.client as Json | undefined)?.user_agent },
  };
}

describe('gateway formats through serve', () => {
  it('judges OTLP spans and LiteLLM payloads into verdicts', async () => {
    // Runs of consecutive lines of one type, in input order (time order is kept); exchange runs
    // alternate between the two formats and are cut at 400.
    const runs: Json[][] = [];
    for (const l of lines) {
      const last = runs[runs.length - 1];
      if (last && last[0].type === l.type && last.length < 400) last.push(l);
      else runs.push([l]);
    }
    let spans = 0;
    let payloads = 0;
    let n = 0;
    for (const run of runs) {
      if (run[0].type === 'account') {
        const r = await s.app.inject({ method: 'POST', url: '/v1/records', payload: run.map((a) => JSON.stringify(a)).join('\n'), headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson' } });
        expect(r.json()).toMatchObject({ rejected: 0 });
      } else if (n++ % 2 === 0) {
        const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'gateway' } }] }, scopeSpans: [{ scope: { name: 'gw' }, spans: run.map((e) => toSpan(e, ++spans)) }] }] };
        const r = await s.app.inject({ method: 'POST', url: '/v1/traces', payload: body, headers: bearer('ingest') });
        expect(r.statusCode).toBe(200);
        expect(r.json(), JSON.stringify(r.json())).toEqual({});
        expect(r.headers['distillguard-receipt']).toMatch(new RegExp(`accepted=${run.length}; duplicates=0; rejected=0`));
      } else {
        const r = await s.app.inject({ method: 'POST', url: '/v1/litellm', payload: run.map(toLiteLLM), headers: bearer('ingest') });
        expect(r.json()).toMatchObject({ accepted: run.length, rejected: 0 });
        payloads += run.length;
      }
    }
    expect(spans).toBeGreaterThan(1000);
    expect(payloads).toBeGreaterThan(1000);
    await s.live.drain();
    await s.live.flush(true);
    const flagged = (await s.app.inject({ method: 'GET', url: '/v1/accounts?verdict=distillation&limit=1000', headers: bearer('read') })).json().accounts as { account_id: string }[];
    expect(flagged.length).toBeGreaterThanOrEqual(5);
    for (const a of flagged) expect(truth.accounts[a.account_id]?.campaign, a.account_id).toBeTruthy();
    const campaigns = (await s.app.inject({ method: 'GET', url: '/v1/campaigns', headers: bearer('read') })).json().campaigns as unknown[];
    expect(campaigns.length).toBeGreaterThan(0);
    const audit = (await s.app.inject({ method: 'GET', url: '/v1/audit?kind=verdict_change&limit=1000', headers: bearer('read') })).json().audit as { account_id: string; body: { to: string } }[];
    for (const a of flagged) expect(audit.some((e) => e.account_id === a.account_id && e.body.to === 'distillation')).toBe(true);
    // Every verdict change went out as a signed webhook.
    await hooks.idle();
    const events = delivered.map((d) => {
      expect(verifySignature(d.body, d.sig, SECRET).ok).toBe(true);
      return JSON.parse(d.body) as { id: string; data: { account_id: string; to: string } };
    });
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(audit.map((e) => (e as unknown as { id: string }).id)));
    for (const a of flagged) expect(events.some((e) => e.data.account_id === a.account_id && e.data.to === 'distillation')).toBe(true);
  });
});
