import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimulate } from '../sim/index.js';
import { replayChecking } from '../../test/helpers/replay.js';
import type { Engine } from '../engine/engine.js';
import { buildEngineConfig } from '../config/schema.js';
import { mulberry32 } from '../core/prng.js';
import { HOUR } from '../core/time.js';
import type { AccountEvent } from '../core/records.js';
import type { AccountState } from '../observe/account-state.js';
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
  const index = new GroupIndex(WINDOW);
  const suspicion = new Map<Group, number>();
  const judged = { suspicion: (g: Group) => suspicion.get(g) ?? 0 };
  const card = (): Group => index.get('payment:card-1')!;
  /** Observes an account record, telling the index when its identity changed (as the engine does). */
  const observe = (ev: AccountEvent): AccountState => {
    const { account: s, identityChanged } = obs.observer.observeAccount(ev);
    if (identityChanged) index.profileChanged(s.idx);
    return s;
  };
  /** Updates the account's groups, noting the moves update returns. */
  const update = (s: AccountState): void => {
    const { left, joined } = index.update(s, judged);
    for (const g of left) joins.push(`-${s.idx} ${g.key} (${g.members.size})`);
    for (const g of joined) joins.push(`+${s.idx} ${g.key} (${g.members.size})`);
  };

  it('links a second account to a key that had one member', () => {
    const a = observe(account('a', T0, { paymentFingerprint: 'card-1' }));
    update(a);
    expect(card().members.size).toBe(1);
    expect([...card().members]).toEqual([a.idx]);
    expect(index.refs(a.idx)).toEqual([card()]);
    const b = observe(account('b', T0 + HOUR, { paymentFingerprint: 'card-1', createdAt: T0 }));
    update(b);
    expect([...card().members]).toEqual([a.idx, b.idx]);
    expect(card().members.has(a.idx) && card().members.has(b.idx)).toBe(true);
    expect(index.groupsOf(b.idx)).toEqual(['payment:card-1', `signup_cohort:${Math.floor(T0 / WINDOW)}`]);
    expect(index.refs(b.idx).map((g) => g.key)).toEqual(index.groupsOf(b.idx));
    expect(joins).toEqual([`+${a.idx} payment:card-1 (1)`, `+${b.idx} payment:card-1 (2)`, `+${b.idx} signup_cohort:${Math.floor(T0 / WINDOW)} (1)`]);
  });

  it('moves an account when its profile changes, and drops a key nobody holds', () => {
    joins.length = 0;
    const b = obs.accounts.get('b')!;
    update(b); // nothing changed: same groups
    expect(joins).toEqual([]);
    observe(account('b', T0 + 2 * HOUR, { paymentFingerprint: 'card-2' }));
    update(b);
    expect(joins).toEqual([`-${b.idx} payment:card-1 (1)`, `+${b.idx} payment:card-2 (1)`]);
    expect([...card().members]).toEqual([obs.accounts.get('a')!.idx]);
    expect(index.groupsOf(b.idx)).toEqual(['payment:card-2', `signup_cohort:${Math.floor(T0 / WINDOW)}`]);
    observe(account('b', T0 + 3 * HOUR, { paymentFingerprint: 'card-3' }));
    update(b);
    expect(index.get('payment:card-2')).toBeUndefined();
  });

  it('keeps an anchored group when its last member leaves, and makes anchors only on use', () => {
    const g = card();
    expect(index.anchored(g)).toBe(false);
    g.dirty = false;
    expect(g.dirty).toBe(false);
    index.anchors(g).push(5);
    expect(index.anchored(g)).toBe(true);
    const a = obs.accounts.get('a')!;
    observe(account('a', T0 + 3 * HOUR, { paymentFingerprint: 'card-1b' }));
    update(a);
    expect(index.get('payment:card-1')).toBe(g);
    expect(g.members.size).toBe(0);
  });

  it('gives a dropped group\'s slot to a new group only after the judgement, and says which slots it freed', () => {
    const b = obs.accounts.get('b')!;
    const old = index.get('payment:card-3')!;
    observe(account('b', T0 + 4 * HOUR, { paymentFingerprint: 'card-4' }));
    update(b);
    expect(index.get('payment:card-3')).toBeUndefined();
    observe(account('b', T0 + 4 * HOUR + 1, { paymentFingerprint: 'card-4b' }));
    update(b);
    expect(index.get('payment:card-4b')!.slot).not.toBe(old.slot); // not before the judgement is over
    const freed = index.releaseDropped();
    expect(freed).toContain(old.slot);
    expect(index.releaseDropped()).toEqual([]);
    observe(account('b', T0 + 5 * HOUR, { paymentFingerprint: 'card-5' }));
    update(b);
    expect(freed).toContain(index.get('payment:card-5')!.slot);
  });

  it('keeps its own slots: a second index starts from slot 0', () => {
    const other = new GroupIndex(WINDOW);
    const c = observe(account('c', T0 + 6 * HOUR, { paymentFingerprint: 'card-9' }));
    other.update(c, judged);
    expect(other.get('payment:card-9')!.slot).toBe(0);
  });

  it('joins a hot template group from first use: suspicious and shared, as the judge found it', () => {
    const hot = new GroupIndex(WINDOW);
    const users = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((id, i) => {
      const s = observe(account(id, T0 + 7 * HOUR + i, {}));
      const tr = s.startTraffic();
      tr.exchanges = 3;
      for (let k = 0; k < 3; k++) tr.templates.add(77);
      return s;
    });
    for (const s of users.slice(0, 5)) hot.update(s, judged);
    const g = hot.get('template:77')!;
    expect(g.members.size).toBe(5);
    const newcomer = observe(account('h7', T0 + 8 * HOUR, {}));
    const tr = newcomer.startTraffic();
    tr.exchanges = 1;
    tr.templates.add(77);
    hot.update(newcomer, judged);
    expect(g.members.has(newcomer.idx)).toBe(false); // one use of an ordinary template
    suspicion.set(g, 0.6);
    hot.update(newcomer, judged);
    expect(g.members.has(newcomer.idx)).toBe(true); // one use of a suspicious, shared one
  });
});

describe('GroupIndex through a simulated world', () => {
  it("keeps each account's groups the map's groups of its keys, and each group's members the accounts that hold it, as keys change", async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'dg-groups-'));
    try {
      const input = (await runSimulate({ scenario: 'tiny', scale: 1, seed: 3, out: join(tmp, 'sim'), days: 2 })).path;
      let before = new Map<number, readonly Group[]>();
      let movedKeeping = 0;
      let checks = 0;
      const check = (e: Engine): void => {
        const index = e.linker.groups;
        const now = new Map<number, readonly Group[]>();
        const holders = new Map<Group, number[]>();
        for (let idx = 0; idx < e.observer.list.length; idx++) {
          const refs = index.refs(idx);
          now.set(idx, refs);
          for (const g of refs) {
            expect(index.get(g.key), g.key).toBe(g);
            if (!holders.has(g)) holders.set(g, []);
            holders.get(g)!.push(idx);
          }
          const was = before.get(idx);
          // Moved between groups while keeping some: the kept keys' groups came from its own list.
          if (was !== undefined && was !== refs && refs.some((g) => was.includes(g)) && refs.some((g) => !was.includes(g))) movedKeeping++;
        }
        for (const g of index.groups.values()) expect([...g.members].sort((a, b) => a - b), g.key).toEqual(holders.get(g) ?? []);
        before = now;
        checks++;
      };
      await replayChecking(input, 1000, check);
      expect(checks).toBeGreaterThan(10);
      expect(movedKeeping).toBeGreaterThan(100);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
