// The gateway routes of `serve`: decisions from memory, the nginx auth_request answer, the stream of
// changes, policy reloads audited and replayed after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, ndjson, startTestServer, type TestServer } from '../../test/helpers/serve.js';
import { parsePolicy } from '../act/policy-load.js';
import { PLANS_POLICY as POLICY } from '../../test/helpers/plans-policy.js';

const T0 = Date.UTC(2026, 3, 1);

const accounts = (ts: number): object[] =>
  ['education', 'research', 'startup', 'free', 'reseller', 'paid'].map((plan) => ({ type: 'account', account_id: `a-${plan}`, ts, created_at: ts, plan }));

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function feed(srv: TestServer): Promise<void> {
  const post = await srv.app.inject({ method: 'POST', url: '/v1/records', payload: ndjson(accounts(T0)), headers: { ...bearer('ingest'), 'content-type': 'application/x-ndjson' } });
  expect(post.statusCode).toBe(200);
  const wm = await srv.app.inject({ method: 'POST', url: '/v1/watermark', payload: { ts: new Date(T0 + 20 * 60_000).toISOString() }, headers: bearer('ingest') });
  expect(wm.statusCode).toBe(200);
  await srv.live.drain();
}

const auth = (srv: TestServer, id: string) => srv.app.inject({ method: 'GET', url: '/v1/gateway/auth', headers: { ...bearer('read'), 'x-account-id': id } });

describe('serve: gateway decisions', () => {
  it('answers each account from memory, and the auth_request route with status and parameters', async () => {
    s = await startTestServer({ policy: parsePolicy(POLICY, 'test') });
    await feed(s);
    const d = await s.app.inject({ method: 'GET', url: '/v1/decision/a-research', headers: bearer('read') });
    expect(d.statusCode).toBe(200);
    expect(d.json()).toMatchObject({ account_id: 'a-research', action: 'degrade', rule: 'research-degrade', mark: 'm-research', policy: 'plans@1', params: { max_tokens: 256, thinking: 'off', tools: false } });
    expect((await s.app.inject({ method: 'GET', url: '/v1/decision/nobody', headers: bearer('read') })).json()).toMatchObject({ action: 'allow' });
    expect((await s.app.inject({ method: 'GET', url: '/v1/decision/a-research' })).statusCode).toBe(401);

    const edu = await auth(s, 'a-education');
    expect(edu.statusCode).toBe(403);
    expect(edu.headers['x-dg-action']).toBe('block');
    const research = await auth(s, 'a-research');
    expect(research.statusCode).toBe(204);
    expect(research.headers).toMatchObject({ 'x-dg-action': 'degrade', 'x-dg-max-tokens': '256', 'x-dg-thinking': 'off', 'x-dg-tools': 'false', 'x-dg-mark': 'm-research' });
    const free = await auth(s, 'a-free');
    expect(free.statusCode).toBe(401);
    expect(free.headers['www-authenticate']).toBe('DistillguardStepUp method="phone"');
    // Throttled at 2 a minute: two pass, the third is refused.
    expect([(await auth(s, 'a-startup')).statusCode, (await auth(s, 'a-startup')).statusCode, (await auth(s, 'a-startup')).statusCode]).toEqual([204, 204, 429]);
    // A shadow rule changes nothing the gateway sees.
    expect((await auth(s, 'a-reseller')).statusCode).toBe(204);
    expect((await auth(s, 'a-paid')).headers['x-dg-action']).toBe('allow');
    expect((await s.app.inject({ method: 'GET', url: '/v1/gateway/auth', headers: bearer('read') })).statusCode).toBe(400);

    // Every change is stored in the audit log (and so sent as a signed webhook), shadow ones included.
    await s.gateway!.close();
    const audit = await s.store.audit({ kind: 'action_change', limit: 100 });
    expect(audit.map((e) => `${e.account_id}:${String(e.body.mode)}:${String(e.body.action)}`).sort()).toEqual(
      ['a-education:enforce:block', 'a-free:enforce:step_up', 'a-research:enforce:degrade', 'a-reseller:shadow:hold', 'a-startup:enforce:throttle'],
    );
  });

  it('streams decision changes (server-sent events) and resumes after Last-Event-ID', async () => {
    s = await startTestServer({ policy: parsePolicy(POLICY, 'test') });
    const url = await s.app.listen({ port: 0, host: '127.0.0.1' });
    const ctl = new AbortController();
    const res = await fetch(`${url}/v1/decisions/stream`, { headers: bearer('read'), signal: ctl.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    await feed(s);
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/event: decision/g) ?? []).length < 4) text += new TextDecoder().decode((await reader.read()).value);
    ctl.abort();
    const events = text.split('\n\n').filter((e) => e.includes('event: decision')).map((e) => ({ id: Number(/id: (\d+)/.exec(e)![1]), data: JSON.parse(/data: (.*)/.exec(e)![1]) as { account_id: string; action: string } }));
    expect(events.map((e) => e.data.action).sort()).toEqual(['block', 'degrade', 'step_up', 'throttle']);
    const resumed = await fetch(`${url}/v1/decisions/stream`, { headers: { ...bearer('read'), 'last-event-id': String(events[1].id) } });
    const r2 = resumed.body!.getReader();
    let t2 = '';
    while ((t2.match(/event: decision/g) ?? []).length < 2) t2 += new TextDecoder().decode((await r2.read()).value);
    await r2.cancel();
    expect(t2).toContain(`id: ${events[2].id}\n`);
    expect(t2).not.toContain(`id: ${events[1].id}\n`);
  });

  it('replaces the policy without a restart (analyst), audited with its version, and replays it after a restart', async () => {
    s = await startTestServer({ policy: parsePolicy(POLICY, 'test') });
    await feed(s);
    const bad = await s.app.inject({ method: 'PUT', url: '/v1/policy', payload: POLICY.replace('action: block', 'action: ban'), headers: { ...bearer('analyst'), 'content-type': 'application/yaml' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^policy request body:7:\d+: rules\[0\]\.action: /);
    expect((await s.app.inject({ method: 'PUT', url: '/v1/policy', payload: POLICY, headers: { ...bearer('read'), 'content-type': 'application/yaml' } })).statusCode).toBe(403);

    const next = POLICY.replace('revision: 1', 'revision: 2').replace('plan: [education]', 'plan: [enterprise]');
    const put = await s.app.inject({ method: 'PUT', url: '/v1/policy', payload: next, headers: { ...bearer('analyst'), 'content-type': 'application/yaml' } });
    expect(put.statusCode).toBe(200);
    expect(put.json().version).toMatchObject({ name: 'plans', revision: '2', actor: 'alice' });
    expect((await auth(s, 'a-education')).statusCode).toBe(204); // at once, without new traffic
    const policyNow = await s.app.inject({ method: 'GET', url: '/v1/policy', headers: bearer('read') });
    expect(policyNow.json()).toMatchObject({ version: { revision: '2' }, text: next });
    const audited = await s.store.audit({ kind: 'policy_change', limit: 10 });
    expect(audited.map((e) => [e.actor, e.body.revision])).toEqual([['alice', '2'], ['startup', '1']]);

    // A restart replays the log: the reload applies at the same point, the same file keeps it in force.
    await s.stop();
    const dir = s.dir;
    s = await startTestServer({ dir, policy: parsePolicy(POLICY, 'test') });
    await s.live.drain();
    expect((await auth(s, 'a-education')).statusCode).toBe(204);
    expect((await s.app.inject({ method: 'GET', url: '/v1/decision/a-research', headers: bearer('read') })).json()).toMatchObject({ action: 'degrade', policy: 'plans@2' });
    expect((await s.store.audit({ kind: 'policy_change', limit: 10 })).length).toBe(2);
    const changes = await s.store.audit({ kind: 'action_change', limit: 100 });
    expect(changes.filter((e) => e.account_id === 'a-education').map((e) => e.body.action)).toEqual(['allow', 'block']);
  });
});

describe('serve: actions history, suppressions and backtests for the dashboard', () => {
  it('shows an account its action now and every change; an analyst suppression exempts it at once, audited', async () => {
    s = await startTestServer({ policy: parsePolicy(POLICY, 'test') });
    await feed(s);
    await s.gateway!.close(); // the pending changes are in the audit log
    const before = (await s.app.inject({ method: 'GET', url: '/v1/accounts/a-research/actions', headers: bearer('read') })).json();
    expect(before.current).toMatchObject({ action: 'degrade', rule: 'research-degrade' });
    expect(before.history.map((h: { action: string; mode: string }) => `${h.mode}:${h.action}`)).toEqual(['enforce:degrade']);

    const body = { account_id: 'a-research', rule: 'research-degrade', until: '2030-01-01T00:00:00Z', note: 'contract review' };
    expect((await s.app.inject({ method: 'POST', url: '/v1/suppressions', payload: body, headers: bearer('read') })).statusCode).toBe(403);
    const bad = await s.app.inject({ method: 'POST', url: '/v1/suppressions', payload: { ...body, rule: 'no-such-rule' }, headers: bearer('analyst') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/suppressions\[0\]\.rule: no rule "no-such-rule"/);
    expect((await s.app.inject({ method: 'POST', url: '/v1/suppressions', payload: { ...body, org_id: 'o' }, headers: bearer('analyst') })).statusCode).toBe(400);
    const ok = await s.app.inject({ method: 'POST', url: '/v1/suppressions', payload: body, headers: bearer('analyst') });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().suppressions).toEqual([{ ...body, by: 'alice' }]);
    // In force at once, without new traffic; the other accounts keep theirs.
    expect((await auth(s, 'a-research')).headers['x-dg-action']).toBe('allow');
    expect((await auth(s, 'a-education')).statusCode).toBe(403);
    await s.gateway!.close();
    const after = (await s.app.inject({ method: 'GET', url: '/v1/accounts/a-research/actions', headers: bearer('read') })).json();
    expect(after.history.map((h: { action: string }) => h.action)).toEqual(['allow', 'degrade']);
    expect(after.history[0].suppressed).toEqual(['research-degrade']);
    const versions = (await s.app.inject({ method: 'GET', url: '/v1/policy/history', headers: bearer('read') })).json().versions;
    expect(versions.map((v: { actor: string }) => v.actor)).toEqual(['alice', 'startup']);
    expect(versions[0].sha256).not.toBe(versions[1].sha256);
    expect((await s.app.inject({ method: 'GET', url: '/v1/policy', headers: bearer('read') })).json().suppressions).toEqual([{ ...body, by: 'alice' }]);
  });

  it("backtests the service's own history: the policy in force reproduces what the service did, a second policy is compared account by account", async () => {
    s = await startTestServer({ policy: parsePolicy(POLICY, 'test') });
    await feed(s);
    const lenient = POLICY.replace('name: plans', 'name: lenient').replace('plan: [education]', 'plan: [enterprise]');
    expect((await s.app.inject({ method: 'POST', url: '/v1/policy/backtest', payload: { compare: lenient }, headers: bearer('read') })).statusCode).toBe(403);
    expect((await s.app.inject({ method: 'POST', url: '/v1/policy/backtest', payload: { compare: 'version: 2' }, headers: bearer('analyst') })).statusCode).toBe(400);
    const r = await s.app.inject({ method: 'POST', url: '/v1/policy/backtest', payload: { compare: lenient }, headers: bearer('analyst') });
    expect(r.statusCode, r.body).toBe(200);
    const run = r.json().backtest;
    expect(run.policies).toEqual(['plans@1', 'lenient@1']);
    expect(run.records).toBe(6);
    const [inForce, other] = run.outcome.reports;
    // What the service decided live, account by account, is what the replay of its history decides.
    await s.gateway!.close();
    const live = await s.store.audit({ kind: 'action_change', limit: 100 });
    const liveCounts: Record<string, number> = {};
    for (const e of live) if (e.body.mode === 'enforce') liveCounts[String(e.body.action)] = (liveCounts[String(e.body.action)] ?? 0) + 1;
    expect(Object.fromEntries(Object.entries(inForce.accounts_by_strictest).filter(([, n]) => n !== 0 && true))).toMatchObject(liveCounts);
    expect(inForce.groups['plan:education'].by_strictest.block).toBe(1);
    expect(other.groups['plan:education']?.by_strictest.block ?? 0).toBe(0);
    expect(run.outcome.diff_accounts).toBe(1);
    expect(run.outcome.diff[0]).toMatchObject({ account_id: 'a-education', a: { strictest: 'block' }, b: { strictest: 'allow' } });
    // Kept for the policy page.
    expect((await s.app.inject({ method: 'GET', url: '/v1/policy/backtest', headers: bearer('read') })).json().backtest.finished_at).toBe(run.finished_at);
  });
});
