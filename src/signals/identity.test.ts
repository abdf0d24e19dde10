import { DEFAULT_SCORING } from '../config/scoring.js';
import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import type { AccountEvent, Plan, Verification } from '../core/records.js';
import type { Reason } from '../core/reasons.js';
import { DAY } from '../core/time.js';
import type { AccountState } from '../observe/account-state.js';
import { Observed } from '../../test/helpers/observe.js';
import { account, T0 } from '../../test/helpers/records.js';
import { fraudSignupPath } from './identity.js';

const obs = new Observed(buildEngineConfig());
let seq = 0;

/** A new account's state after its account records, one a day. */
function profile(...events: Partial<AccountEvent>[]): AccountState {
  const id = `acct${seq++}`;
  events.forEach((e, i) => obs.account(account(id, T0 + i * DAY, e)));
  return obs.accounts.get(id)!;
}

function reasons(s: AccountState): Reason[] {
  const out: Reason[] = [];
  fraudSignupPath.evaluate(s, { now: T0 + 10 * DAY, scoring: DEFAULT_SCORING }, out);
  return out;
}

describe('fraud_signup_path', () => {
  it('emits for the programs often abused, without strong verification', () => {
    for (const plan of ['education', 'research', 'startup'] as Plan[]) {
      for (const verification of ['none', 'email', 'phone'] as Verification[]) {
        expect(reasons(profile({ createdAt: T0, plan, verification })), `${plan}/${verification}`).toEqual([
          { code: 'fraud_signup_path', weight: 0.15, detail: { plan, verification } },
        ]);
      }
    }
  });

  it('takes its plans and weight from the configuration (--config {"scoring": {"identity": ...}})', () => {
    const { scoring } = buildEngineConfig({ scoring: { identity: { abusedPlans: ['free'], fraudPathWeight: 0.25 } } });
    const evaluate = (s: AccountState): Reason[] => {
      const out: Reason[] = [];
      fraudSignupPath.evaluate(s, { now: T0 + 10 * DAY, scoring }, out);
      return out;
    };
    expect(evaluate(profile({ plan: 'free' }))).toEqual([{ code: 'fraud_signup_path', weight: 0.25, detail: { plan: 'free', verification: 'none' } }]);
    // A plan that is not one: a clear error naming the option.
    expect(() => buildEngineConfig({ scoring: { identity: { abusedPlans: ['trial' as 'free'] } } })).toThrow(/abusedPlans/);
    expect(evaluate(profile({ plan: 'education' }))).toEqual([]);
  });

  it('reports verification "none" when the provider never said', () => {
    expect(reasons(profile({ plan: 'startup' }))[0]?.detail).toEqual({ plan: 'startup', verification: 'none' });
  });

  it('does not emit when identity or business verification backs the program', () => {
    for (const verification of ['id', 'business'] as Verification[]) {
      expect(reasons(profile({ plan: 'education', verification })), verification).toEqual([]);
    }
  });

  it('does not emit for other plans, or with no plan known', () => {
    for (const plan of ['free', 'paid', 'enterprise', 'reseller'] as Plan[]) {
      expect(reasons(profile({ plan, verification: 'none' })), plan).toEqual([]);
    }
    expect(reasons(profile({ verification: 'none', createdAt: T0 }))).toEqual([]);
  });

  it('follows later account records: verifying the account, or leaving the program, clears it', () => {
    expect(reasons(profile({ plan: 'research', verification: 'email' }, { verification: 'id' }))).toEqual([]);
    expect(reasons(profile({ plan: 'research', verification: 'email' }, { plan: 'paid' }))).toEqual([]);
    expect(reasons(profile({ plan: 'paid', verification: 'email' }, { plan: 'startup' }))).toHaveLength(1);
    // A record that says nothing about the plan or verification leaves them as they were.
    expect(reasons(profile({ plan: 'startup', verification: 'phone' }, { country: 'SG' }))).toHaveLength(1);
  });
});
