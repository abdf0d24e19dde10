import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';
import { defaultPolicyPath, loadDefaultPolicy, parsePolicy, withSuppression } from './policy-load.js';

const GOOD = `version: 1
name: test
revision: 3
rules:
  - id: flagged
    when: { verdict: [distillation] }
    action: degrade
    params: { max_tokens: 512, thinking: off }
    mark: { marker: m1 }
  - id: slow
    mode: shadow
    when: { verdict: [suspicious], campaign: { flagged: false } }
    action: throttle
    params: { requests_per_minute: 10, concurrency: 1 }
suppressions:
  - { account_id: acct_1, rule: flagged, until: "2026-05-01T00:00:00Z", by: alice, note: customer under contract review }
`;

function errorOf(text: string): string {
  try {
    parsePolicy(text, 'p.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected the policy to be refused');
}

describe('policy files', () => {
  it('reads a valid policy, with defaults filled in', () => {
    const { policy } = parsePolicy(GOOD, 'p.yaml');
    expect(policy.revision).toBe('3');
    expect(policy.rules[0]).toMatchObject({ id: 'flagged', mode: 'enforce', action: 'degrade', params: { max_tokens: 512, thinking: 'off', tools: true } });
    expect(policy.rules[1].mode).toBe('shadow');
    expect(policy.suppressions).toHaveLength(1);
  });

  it('reads the same policy written as JSON', () => {
    const json = JSON.stringify({ version: 1, name: 'j', revision: 'r1', rules: [{ id: 'b', when: { analyst: ['confirmed'] }, action: 'block' }] });
    expect(parsePolicy(json, 'p.json').policy.rules[0].action).toBe('block');
  });

  it('names the line and field of a bad value', () => {
    const bad = GOOD.replace('requests_per_minute: 10', 'requests_per_minute: -1');
    expect(errorOf(bad)).toMatch(/^policy p\.yaml:14:\d+: rules\[1\]\.params\.requests_per_minute: /);
  });

  it('names the line of an unknown action, a missing parameter and an unknown reason code', () => {
    expect(errorOf(GOOD.replace('action: degrade', 'action: ban'))).toMatch(/^policy p\.yaml:7:\d+: rules\[0\]\.action: /);
    expect(errorOf(GOOD.replace('params: { requests_per_minute: 10, concurrency: 1 }', 'params: { requests_per_minute: 10 }'))).toMatch(/^policy p\.yaml:14:\d+: rules\[1\]\.params.*concurrency/);
    expect(errorOf(GOOD.replace('verdict: [distillation]', 'reasons: [{ code: shared_card }]'))).toMatch(/^policy p\.yaml:6:\d+: rules\[0\]\.when\.reasons\[0\]\.code: /);
  });

  it('refuses unknown fields, duplicate rule ids, suppressions of unknown rules and YAML syntax errors', () => {
    expect(errorOf(GOOD.replace('when: { verdict: [distillation] }', 'when: { verdict: [distillation], colour: red }'))).toMatch(/^policy p\.yaml:6:\d+: rules\[0\]\.when: .*colour/);
    expect(errorOf(GOOD.replace('id: slow', 'id: flagged'))).toMatch(/^policy p\.yaml:10:\d+: rules\[1\]\.id: duplicate rule id "flagged"/);
    expect(errorOf(GOOD.replace('rule: flagged', 'rule: nope'))).toMatch(/^policy p\.yaml:16:\d+: suppressions\[0\]\.rule: no rule "nope"/);
    expect(errorOf(GOOD.replace('rules:', 'rules: [\n'))).toMatch(/^policy p\.yaml:\d+:\d+: /);
    expect(errorOf('version: 2\nname: x\nrevision: 1\nrules: []\n')).toMatch(/^policy p\.yaml:1:\d+: version: /);
  });

  it('refuses a degrade that changes nothing', () => {
    expect(errorOf(GOOD.replace('params: { max_tokens: 512, thinking: off }', 'params: {}'))).toMatch(/degrade changes nothing/);
  });

  it('every error is one line', () => {
    for (const t of [GOOD.replace('action: degrade', 'action: ban'), 'a: [', '- 1\n- 2\n']) expect(errorOf(t)).not.toContain('\n');
  });

  it('ships a valid default policy', async () => {
    const d = await loadDefaultPolicy();
    expect(d.policy.name).toBe('default');
    expect(d.text).toBe(await readFile(defaultPolicyPath(), 'utf8'));
  });
});

describe('withSuppression', () => {
  it('adds an exemption to the text, keeping its comments, and refuses one naming an unknown rule', async () => {
    const base = await loadDefaultPolicy();
    const s = { account_id: 'acct_1', rule: 'distillation-degrade', until: '2026-06-01T00:00:00Z', by: 'alice', note: 'contract review' };
    const once = withSuppression(base, s);
    expect(once.policy.suppressions).toEqual([s]);
    expect(once.text).toContain(base.text.split('\n').find((l) => l.trim().startsWith('#')));
    const twice = withSuppression(once, { ...s, account_id: undefined, org_id: 'org_9', rule: '*' });
    expect(twice.policy.suppressions.map((x) => x.org_id ?? x.account_id)).toEqual(['acct_1', 'org_9']);
    expect(() => withSuppression(base, { ...s, rule: 'no-such-rule' })).toThrow(/suppressions\[0\]\.rule: no rule "no-such-rule"/);
  });
});
