import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import { mulberry32 } from '../core/prng.js';
import { HOUR } from '../core/time.js';
import { Observed } from '../../test/helpers/observe.js';
import { account, T0 } from '../../test/helpers/records.js';
import { GroupIndex, MemberSet, type Group } from './groups.js';

describe('MemberSet', () => {
  it('answers as a Set of the same insertions and deletions would, in the same order', () => {
    const ops: [op: 'add' | 'delete', idx: number][] = [
      ['delete', 3], ['add', 3], ['add', 3], ['delete', 4], ['add', 7], ['add', 3], ['delete', 3], ['add', 0],
      ['delete', 7], ['delete', 0], ['add', 5], ['add', 3], ['add', 5],
    ];
    const mine = new MemberSet();
    const set = new Set<number>();
    for (const [op, idx] of ops) {
      expect(op === 'add' ? mine.add(idx) : mine.delete(idx)).toEqual(op === 'add' ? mine : set.delete(idx));
      if (op === 'add') set.add(idx);
      expect([...mine]).toEqual([...set]);
      expect(mine.size).toBe(set.size);
      for (const probe of [0, 3, 4, 5, 7, -1]) expect(mine.has(probe)).toBe(set.has(probe));
    }
  });

  it('stays a Set through long lists, gaps, compaction and its membership index', () => {
    const rand = mulberry32(11);
    const mine = new MemberSet();
    const set = new Set<number>();
    for (let step = 0; step < 6000; step++) {
      const idx = Math.floor(rand() * 300);
      const r = rand();
      // Grows for a while, then mostly shrinks (many gaps), then grows again.
      const grow = step < 2000 || step > 4500 ? 0.7 : 0.2;
      if (r < grow) {
        if (set.has(idx)) mine.add(idx);
        else mine.join(idx); // GroupIndex's way in: known not to be a member
        set.add(idx);
      } else expect(mine.delete(idx)).toBe(set.delete(idx));
      if (step % 97 === 0) {
        expect([...mine]).toEqual([...set]);
        for (let probe = -1; probe < 300; probe += 7) expect(mine.has(probe)).toBe(set.has(probe));
      }
      expect(mine.size).toBe(set.size);
    }
    expect([...mine]).toEqual([...set]);
  });
});

describe('GroupIndex', () => {
  const WINDOW = 2 * HOUR;
  const obs = new Observed(buildEngineConfig());
  const joins: string[] = [];
  const index = new GroupIndex(WINDOW, undefined, {
    join: (g, idx) => joins.push(`+${idx} ${g.key} (${g.members.size})`),
    leave: (g, idx) => joins.push(`-${idx} ${g.key} (${g.members.size})`),
  });
  const card = (): Group => index.get('payment:card-1')!;

  it('links a second account to a key that had one member', () => {
    const a = obs.account(account('a', T0, { paymentFingerprint: 'card-1' }));
    index.update(a);
    expect(card().members.size).toBe(1);
    expect([...card().members]).toEqual([a.idx]);
    expect(index.refs(a.idx)).toEqual([card()]);
    const b = obs.account(account('b', T0 + HOUR, { paymentFingerprint: 'card-1', createdAt: T0 }));
    index.update(b);
    expect([...card().members]).toEqual([a.idx, b.idx]);
    expect(card().members.has(a.idx) && card().members.has(b.idx)).toBe(true);
    expect(index.groupsOf(b.idx)).toEqual(['payment:card-1', `signup_cohort:${Math.floor(T0 / WINDOW)}`]);
    expect(index.refs(b.idx).map((g) => g.key)).toEqual(index.groupsOf(b.idx));
    expect(joins).toEqual([`+${a.idx} payment:card-1 (1)`, `+${b.idx} payment:card-1 (2)`, `+${b.idx} signup_cohort:${Math.floor(T0 / WINDOW)} (1)`]);
  });

  it('moves an account when its profile changes, and drops a key nobody holds', () => {
    joins.length = 0;
    const b = obs.accounts.get('b')!;
    index.update(b); // nothing changed: same groups
    expect(joins).toEqual([]);
    obs.account(account('b', T0 + 2 * HOUR, { paymentFingerprint: 'card-2' }));
    index.update(b);
    expect(joins).toEqual([`-${b.idx} payment:card-1 (2)`, `+${b.idx} payment:card-2 (1)`]);
    expect([...card().members]).toEqual([obs.accounts.get('a')!.idx]);
    expect(index.groupsOf(b.idx)).toEqual(['payment:card-2', `signup_cohort:${Math.floor(T0 / WINDOW)}`]);
    obs.account(account('b', T0 + 3 * HOUR, { paymentFingerprint: 'card-3' }));
    index.update(b);
    expect(index.get('payment:card-2')).toBeUndefined();
  });

  it('keeps what a group of one never wrote off the group', () => {
    const g = card();
    expect(g.detail).toEqual({});
    expect(g.agg).toBeUndefined();
    expect(g.anchored).toBe(false);
    g.lockstep = true;
    g.dirty = false;
    expect([g.lockstep, g.dirty, g.loadBalanced]).toEqual([true, false, false]);
    g.anchors.push(5);
    expect(g.anchored).toBe(true);
  });

  it('gives a dropped group\'s number slot to a new group only after the judgement, reset', () => {
    const b = obs.accounts.get('b')!;
    const old = index.get('payment:card-3')!;
    index.setSuspicion(old, 0.8);
    index.setNextEval(old, T0 + 5 * HOUR);
    obs.account(account('b', T0 + 4 * HOUR, { paymentFingerprint: 'card-4' }));
    index.update(b);
    expect(index.get('payment:card-3')).toBeUndefined();
    // Still readable as it was until released (a dirty list of this judgement may hold it).
    expect([index.suspicion(old), index.nextEval(old)]).toEqual([0.8, T0 + 5 * HOUR]);
    index.releaseDropped();
    obs.account(account('b', T0 + 5 * HOUR, { paymentFingerprint: 'card-5' }));
    index.update(b);
    const fresh = index.get('payment:card-5')!;
    expect(fresh.slot).toBe(old.slot);
    expect([index.suspicion(fresh), index.nextEval(fresh)]).toEqual([0, -Infinity]);
    index.setSuspicion(fresh, 0.3);
    expect(index.suspicion(index.get('payment:card-1')!)).toBe(0);
  });

  it('keeps its own slots: a second index starts from slot 0 and writes nothing of the first', () => {
    const other = new GroupIndex(WINDOW);
    const c = obs.account(account('c', T0 + 6 * HOUR, { paymentFingerprint: 'card-9' }));
    other.update(c);
    const g = other.get('payment:card-9')!;
    expect(g.slot).toBe(0);
    other.setSuspicion(g, 0.9);
    for (const mine of index.groups.values()) expect(index.suspicion(mine)).toBeLessThan(0.9);
  });
});
