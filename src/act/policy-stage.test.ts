// The act stage on a churning farm: a first generation is caught, and the replacements it registers
// afterwards on the same cards are acted on at sign-up; online honesty holds for actions; organic
// accounts that share nothing with the operation are never acted on.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import type { CanonicalRecord } from '../core/records.js';
import { DAY } from '../core/time.js';
import { Engine } from '../engine/engine.js';
import { T0 } from '../../test/helpers/records.js';
import { churningFarm } from '../../test/helpers/churning-farm.js';
import { parsePolicy, loadDefaultPolicy } from './policy-load.js';
import type { Policy } from './policy-schema.js';
import { PolicyStage, type ActionChange } from './policy-stage.js';

interface Run {
  changes: ActionChange[];
  stage: PolicyStage;
  engine: Engine;
}

function run(recs: CanonicalRecord[], policy: Policy): Run {
  const engine = new Engine(buildEngineConfig({}));
  const stage = new PolicyStage(engine, policy);
  const changes: ActionChange[] = [];
  stage.onAction((c) => changes.push(c));
  for (const rec of recs) {
    engine.push(rec);
    stage.push(rec);
  }
  engine.finish();
  return { changes, stage, engine };
}

const key = (c: ActionChange): string => JSON.stringify([c.accountId, c.action, c.from, c.at, c.rule, c.mode, c.params, c.mark]);

describe('the act stage on a churning farm (default policy)', () => {
  const recs = churningFarm(11, true);
  let policy: Policy;
  let full: Run;
  beforeAll(async () => {
    policy = (await loadDefaultPolicy()).policy;
    full = run(recs, policy);
  });

  it('acts on the farm and on none of the organic accounts', () => {
    const acted = new Set(full.changes.filter((c) => c.mode === 'enforce' && c.action !== 'allow').map((c) => c.accountId));
    expect([...acted].filter((a) => a.startsWith('u'))).toEqual([]);
    expect([...acted].filter((a) => a.startsWith('g')).length).toBeGreaterThanOrEqual(20);
  });

  it('acts on replacement accounts at sign-up, before their first exchange, with reason linked_at_signup', () => {
    const firstAction = Math.min(...full.changes.filter((c) => c.mode === 'enforce' && c.action === 'degrade').map((c) => c.at));
    const later = recs.filter((r) => r.kind === 'account' && r.accountId.startsWith('g') && r.ts > firstAction);
    expect(later.length).toBeGreaterThanOrEqual(8);
    for (const r of later) {
      const s = full.engine.observer.accounts.get(r.accountId)!;
      expect(full.stage.firstServedAction(s.idx), r.accountId).toBe('degrade');
      const atSignup = full.changes.find((c) => c.accountId === r.accountId && c.mode === 'enforce')!;
      expect(atSignup.at).toBe(r.ts);
      expect(atSignup.rule).toBe('linked-at-signup');
      expect(atSignup.reasons.find((x) => x.code === 'linked_at_signup')?.detail).toMatchObject({ via: 'payment' });
    }
  });

  it('counts every exchange under the action in force when it was served', () => {
    let served = 0;
    for (const a of full.stage.served) for (const n of a) served += n;
    expect(served).toBe(recs.filter((r) => r.kind === 'exchange').length);
    const degraded = full.stage.served[3].reduce((x, y) => x + y, 0);
    expect(degraded).toBeGreaterThan(0);
  });

  it('keeps a ledger of the marks served, from the action that asked for them', () => {
    const marked = full.changes.filter((c) => c.mode === 'enforce' && c.mark);
    expect(marked.length).toBeGreaterThan(0);
    for (const c of marked) expect(full.stage.marks.some((m) => m.accountId === c.accountId && m.marker === c.mark && m.from === c.at)).toBe(true);
  });

  it('deciding only accounts whose inputs changed gives exactly the changes and marks of deciding every account every time', () => {
    // A suppression makes the outcome depend on event time alone, so this policy is decided every time
    // (src/act/decided-from.ts); it exempts an account that does not exist, so it decides the same.
    const always = { ...policy, suppressions: [{ account_id: 'nobody', rule: '*', until: new Date(T0 + 400 * DAY).toISOString(), by: 'test', note: 'forces a decision every time' }] };
    const every = run(recs, always);
    expect(full.changes.length).toBeGreaterThan(20);
    expect(full.changes).toEqual(every.changes);
    expect(full.stage.marks).toEqual(every.stage.marks);
    expect(full.stage.served).toEqual(every.stage.served);
  });

  it('online honesty: a prefix ending at T gives exactly the action changes the full run made up to T', () => {
    const times = [...new Set(full.changes.map((c) => c.at))].sort((a, b) => a - b);
    const cuts = times.filter((_, i) => i % Math.max(1, Math.floor(times.length / 6)) === 0);
    expect(cuts.length).toBeGreaterThan(3);
    for (const T of cuts) {
      const prefix = run(recs.filter((r) => r.ts <= T), policy);
      const want = full.changes.filter((c) => c.at <= T).map(key);
      const got = prefix.changes.filter((c) => c.at <= T).map(key);
      expect(got, `cut at ${new Date(T).toISOString()}`).toEqual(want);
    }
  });
});

describe('policy semantics in the stage', () => {
  const recs = churningFarm(11, true);
  const base = `version: 1
name: t
revision: 1
rules:
  - id: flagged
    when: { verdict: [distillation] }
    action: block
`;

  it('a shadow rule is logged as shadow and changes nothing enforced', () => {
    const p = parsePolicy(`${base}  - id: watch\n    mode: shadow\n    when: { verdict: [suspicious, distillation] }\n    action: hold\n`, 't').policy;
    const r = run(recs, p);
    const shadow = r.changes.filter((c) => c.mode === 'shadow');
    expect(shadow.length).toBeGreaterThan(0);
    expect(shadow.every((c) => c.rule === 'watch' || c.rule === 'flagged' || c.rule === null)).toBe(true);
    expect(r.changes.filter((c) => c.mode === 'enforce').every((c) => c.action === 'block' && c.rule === 'flagged')).toBe(true);
  });

  it('a suppression exempts an account from a rule until its date', () => {
    const until = new Date(T0 + 30 * DAY).toISOString();
    const p = parsePolicy(`${base}suppressions:\n  - { account_id: g0a1, rule: flagged, until: "${until}", by: alice, note: test }\n`, 't').policy;
    const r = run(recs, p);
    expect(r.changes.some((c) => c.accountId === 'g0a1' && c.mode === 'enforce' && c.action === 'block')).toBe(false);
    expect(r.changes.some((c) => c.accountId === 'g0a0' && c.action === 'block')).toBe(true);
  });

  it('a reloaded policy applies at once, from the time of the reload', () => {
    const engine = new Engine(buildEngineConfig({}));
    const stage = new PolicyStage(engine, parsePolicy(base.replace('verdict: [distillation]', 'analyst: [confirmed]'), 't').policy);
    const changes: ActionChange[] = [];
    stage.onAction((c) => changes.push(c));
    const half = recs.filter((x) => x.ts < T0 + 3 * DAY);
    for (const rec of half) {
      engine.push(rec);
      stage.push(rec);
    }
    expect(changes).toEqual([]);
    stage.replace(parsePolicy(base, 't').policy, engine.now);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.at === engine.now && c.action === 'block')).toBe(true);
  });
});
