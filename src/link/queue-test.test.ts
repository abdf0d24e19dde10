import { describe, expect, it } from 'vitest';
import { fmix32 } from '../sketches/hash.js';
import { lshParams } from '../sketches/lsh.js';
import { MinHasher } from '../sketches/minhash.js';
import { corpusSkipReason, loadPromptCorpus } from '../sketches/prompt-corpus.js';
import { Rng } from '../sim/rng.js';
import { itemKeys } from './item-spread.js';
import { numberPrint, phraseHashes } from './phrase-frequency.js';
import { binomialTail, dealtMembers, groupShape, itemRank, memberReadings, NO_LOOK, OpenerItems, QueueTest, type LookState, type MemberOpeners, type QueueTestRule } from './queue-test.js';

const BANDS = 4;
const RULE: QueueTestRule = { alpha: 0.01, looks: 8, lookMs: 0, draws: 1000, poolRatio: 0, matchSent: true, minOpeners: 16, minMembers: 5, minBackground: 64, classMin: 3, classFreshMax: 0.5, maxRepeat: 0.3 };
const none = (): boolean => false;
const DAY = 86_400_000;

/** Item `item`'s keys as one sender words it: `kept` of its bands as everyone words it, the others the sender's own. */
function opener(r: Rng, item: number, kept = BANDS): Uint32Array {
  const out = new Uint32Array(BANDS);
  for (let b = 0; b < BANDS; b++) out[b] = b < kept ? fmix32((item * 16 + b + 1) >>> 0) : r.u32();
  return out;
}

function member(r: Rng, items: readonly number[], kept = BANDS): MemberOpeners {
  const keys = new Uint32Array(8 * BANDS);
  items.forEach((it, i) => keys.set(opener(r, it, kept), i * BANDS));
  return { keys, n: items.length };
}

/**
 * A population's accounts: each asks `n` questions, one in five one of 40 popular questions (everyone
 * asks those now and then), the others its own. Unrelated accounts' openers cross by chance this way.
 */
function organic(r: Rng, account: number, n = 8): number[] {
  return Array.from({ length: n }, (_, k) => (r.chance(0.2) ? r.below(40) : 1_000_000 + account * 100 + k));
}

/** A background sample of `accounts` organic accounts (ids from 10,000). */
function background(r: Rng, accounts: number): OpenerItems {
  const bg = new OpenerItems(8, BANDS);
  for (let a = 0; a < accounts; a++) for (const it of organic(r, 10_000 + a)) bg.add(10_000 + a, opener(r, it));
  return bg;
}

describe('groupShape: how a group of accounts spreads over items (exact)', () => {
  it('a queue: 20 items each to two of 10 accounts; a class: 10 accounts, the same 4 items; unrelated people: no item shared', () => {
    const r = new Rng('shape');
    // Item i to accounts i mod 10 and the next one.
    const q: number[][] = Array.from({ length: 10 }, () => []);
    for (let i = 0; i < 20; i++) {
      q[i % 10].push(i);
      q[(i + 1) % 10].push(i);
    }
    const queue = groupShape(q.map((items) => member(r, items, 2)), BANDS);
    expect(queue.openers).toBe(40);
    expect(queue.cross).toBe(40);
    expect(queue.repeat).toBe(0);
    expect(queue.fresh).toBe(0.5);
    expect(queue.accountsPerItem).toBe(1.5);
    const cls = groupShape(Array.from({ length: 10 }, () => member(r, [1, 2, 3, 4], 2)), BANDS);
    expect(cls.cross).toBe(40);
    expect(cls.accountsPerItem).toBe(5.5);
    expect(cls.fresh).toBe(0.1);
    const unrelated = groupShape(Array.from({ length: 10 }, (_, a) => member(r, [a * 10, a * 10 + 1, a * 10 + 2, a * 10 + 3])), BANDS);
    expect(unrelated).toMatchObject({ cross: 0, accountsPerItem: 1, fresh: 1, repeat: 0 });
    // An account asking its own item again: a repeat, not a crossing.
    const again = groupShape([member(r, [7, 7, 8]), member(r, [9])], BANDS);
    expect(again).toMatchObject({ openers: 4, cross: 0, repeat: 0.25 });
  });
});

describe('QueueTest: items crossing accounts beyond what the population shows, at a stated rate', () => {
  it('benign groups drawn like the background are rarely called crossing (at most alpha over the looks); a fixed bar would call many', () => {
    const r = new Rng('benign');
    const t = new QueueTest(RULE, background(r, 400), 512);
    let called = 0;
    let overFixedBar = 0;
    for (let g = 0; g < 200; g++) {
      const members = Array.from({ length: 10 }, (_, m) => member(r, organic(r, g * 100 + m, 4)));
      const res = t.test(members, 1, none)!;
      if (res.crossing) called++;
      // Popular questions make unrelated accounts' openers cross now and then: a bar of "two openers cross" is passed often.
      if (res.cross >= 2) overFixedBar++;
    }
    // The level of one look is alpha / looks = 0.00125: 0.25 of 200 expected.
    expect(called).toBeLessThanOrEqual(2);
    expect(overFixedBar).toBeGreaterThan(40);
  });

  it("a work queue's group (each item to two accounts, the background's popular questions mixed in) is crossing, and a queue", () => {
    const r = new Rng('queue');
    const t = new QueueTest(RULE, background(r, 400), 512);
    const items: number[][] = Array.from({ length: 10 }, () => []);
    let next = 5_000_000;
    for (let k = 0; k < 20; k++) {
      const a = r.below(10);
      const b = (a + 1 + r.below(9)) % 10;
      items[a].push(next);
      items[b].push(next++);
    }
    // A fifth of each account's openers are popular questions as the background asks them (cover).
    for (const list of items) if (r.chance(0.5)) list.push(r.below(40));
    const res = t.test(items.map((l) => member(r, l.slice(0, 8), 2)), 1, none)!;
    expect(res.p).toBeLessThanOrEqual(res.level);
    expect(res.crossing).toBe(true);
    expect(res.spread).toBe('queue');
    expect(res.cross).toBeGreaterThan(res.nullMax);
  });

  it('a class (10 students, the same 4 problems) is a class, not a queue, though its items cross', () => {
    const r = new Rng('class');
    const t = new QueueTest(RULE, background(r, 400), 512);
    const res = t.test(Array.from({ length: 10 }, () => member(r, [90_001, 90_002, 90_003, 90_004], 2)), 1, none)!;
    expect(res.crossing).toBe(true);
    expect(res.spread).toBe('class');
  });

  it('accounts that cross but mostly repeat their own items are not a queue', () => {
    const r = new Rng('repeat');
    const t = new QueueTest(RULE, background(r, 400), 512);
    // Each of 10 accounts asks its own item three times, and the next account's once.
    const res = t.test(Array.from({ length: 10 }, (_, a) => member(r, [70_000 + a, 70_000 + a, 70_000 + a, 70_000 + ((a + 1) % 10)])), 1, none)!;
    expect(res.crossing).toBe(true);
    expect(res.repeat).toBeGreaterThan(RULE.maxRepeat);
    expect(res.spread).not.toBe('queue');
  });

  it('looks at 16 openers, then when they double or, with new openers, lookMs later; none after crossing or `looks` looks; too few members or background accounts: no answer; too few draws refused', () => {
    const r = new Rng('looks');
    const t = new QueueTest(RULE, background(r, 400), 512);
    expect([t.due(NO_LOOK, 15, 0), t.due(NO_LOOK, 16, 0)]).toEqual([false, true]);
    const one: LookState = { looks: 1, openers: 16, at: 0, crossing: false };
    // Openers only (lookMs 0): the next look at twice as many, however long after.
    expect([t.due(one, 31, 1e12), t.due(one, 32, 0)]).toEqual([false, true]);
    const daily = new QueueTest({ ...RULE, lookMs: DAY }, background(r, 400), 512);
    expect([daily.due(one, 17, DAY - 1), daily.due(one, 17, DAY), daily.due(one, 16, 5 * DAY), daily.due(one, 32, 1)]).toEqual([false, true, false, true]);
    expect(daily.due({ ...one, crossing: true }, 1000, 9 * DAY)).toBe(false);
    expect(daily.due({ ...one, looks: RULE.looks }, 1000, 9 * DAY)).toBe(false);
    expect(t.test(Array.from({ length: 4 }, (_, a) => member(r, [a, a + 1, a + 2, a + 3])), 0, none)).toBeUndefined();
    const small = new QueueTest(RULE, background(r, 40), 512);
    expect(small.test(Array.from({ length: 10 }, (_, a) => member(r, [a, a + 1])), 0, none)).toBeUndefined();
    // Accounts under suspicion are not background: excluding all leaves none.
    expect(t.test(Array.from({ length: 10 }, (_, a) => member(r, [a, a + 1])), 0, () => true)).toBeUndefined();
    expect(() => new QueueTest({ ...RULE, draws: 500 }, new OpenerItems(8, BANDS), 512)).toThrow(/draws/);
  });

  it('draws stop once the level is out of reach (a benign group: a few draws, not crossing); a crossing group is judged on every draw', () => {
    const r = new Rng('early');
    const t = new QueueTest(RULE, background(r, 400), 512);
    const benign = t.test(Array.from({ length: 10 }, (_, m) => member(r, organic(r, 500 + m, 4))), 0, none)!;
    expect(benign.crossing).toBe(false);
    expect(benign.draws).toBeLessThan(RULE.draws);
    expect(benign.p).toBeGreaterThan(benign.level);
    const q: number[][] = Array.from({ length: 10 }, () => []);
    for (let i = 0; i < 40; i++) {
      q[i % 10].push(6_000_000 + i);
      q[(i + 1) % 10].push(6_000_000 + i);
    }
    const queue = t.test(q.map((l) => member(r, l.slice(0, 8), 2)), 0, none)!;
    expect(queue.crossing).toBe(true);
    expect(queue.draws).toBe(RULE.draws);
  });

  it("over a group's life: a queue whose copies are days apart is missed by looks spent on its first openers, found by looks spread in event time; benign groups looked at daily are rarely ever called crossing", () => {
    const r = new Rng('life');
    const bg = background(r, 400);
    const MEMBERS = 60;
    const PER_DAY = 10;
    const DAYS = 12;
    /** A group's life: each day every member sends PER_DAY openers (item(member, day, k)); looks at six times a day as due. The first day a look found it crossing (-1: never). */
    const life = (rule: QueueTestRule, item: (m: number, day: number, k: number) => number): number => {
      const t = new QueueTest(rule, bg, 512);
      const store = new OpenerItems(8, BANDS);
      let last = NO_LOOK;
      for (let day = 0; day < DAYS; day++) {
        for (let slot = 0; slot < 6; slot++) {
          for (let m = 0; m < MEMBERS; m++) for (let k = (slot * PER_DAY) / 6; k < ((slot + 1) * PER_DAY) / 6; k++) store.add(m, opener(r, item(m, day, Math.floor(k)), 2));
          const now = day * DAY + ((slot + 1) * DAY) / 6;
          let total = 0;
          const members: MemberOpeners[] = [];
          for (let m = 0; m < MEMBERS; m++) {
            total += store.seen(m);
            members.push({ keys: store.keysOf(m)!, n: store.count(m) });
          }
          if (!t.due(last, total, now)) continue;
          const res = t.test(members, last.looks, none)!;
          last = { looks: last.looks + 1, openers: total, at: now, crossing: res.crossing };
          if (res.crossing) return day;
        }
      }
      return -1;
    };
    // One pipeline: on day d member m sends the payloads dealt to it that day, and the second copies of
    // those dealt to member m + 1 four days before (a pass over the set days apart).
    const dealt = (m: number, day: number, k: number): number => 8_000_000 + (day * MEMBERS + m) * PER_DAY + k;
    // One in five openers is cover: popular questions as the background asks them.
    const queue = (m: number, day: number, k: number): number => (r.chance(0.2) ? r.below(40) : k % 2 === 0 || day < 4 ? dealt(m, day, k) : dealt((m + 1) % MEMBERS, day - 4, k - 1));
    const looks = { ...RULE, looks: 32, draws: 3200 };
    // Openers only: 600 a day, the first look at 100; its 8 looks (100 ... 12,800 openers) come ever later, and one finds it late if at all.
    const openersOnly = life({ ...looks, looks: 8, draws: 1000 }, queue);
    const found = life({ ...looks, lookMs: DAY }, queue);
    expect(openersOnly === -1 || openersOnly > found).toBe(true);
    expect(found).toBeGreaterThanOrEqual(4);
    expect(found).toBeLessThanOrEqual(6);
    // Unrelated accounts asking as the background asks: over a life of up to 32 looks, at most alpha of them ever called crossing (1 of 100 expected).
    let ever = 0;
    for (let g = 0; g < 100; g++) {
      const own = (m: number, day: number, k: number): number => (r.chance(0.2) ? r.below(40) : 20_000_000 + ((g * MEMBERS + m) * DAYS + day) * PER_DAY + k);
      if (life({ ...looks, lookMs: DAY }, own) >= 0) ever++;
    }
    expect(ever).toBeLessThanOrEqual(3);
  });

  it('poolRatio: a large group is tested on as many of its members as leave the background several accounts per member, so the null varies', () => {
    const r = new Rng('pool');
    const bg = background(r, 400);
    const q: number[][] = Array.from({ length: 150 }, () => []);
    for (let i = 0; i < 600; i++) {
      q[i % 150].push(7_000_000 + i);
      q[(i + 1) % 150].push(7_000_000 + i);
    }
    for (const l of q) if (r.chance(0.3)) l.push(r.below(40));
    const group = q.map((l) => member(r, l.slice(0, 8), 2));
    // Half the background (200 accounts) allows all 150; a pool of 4 per member allows 100 (400 accounts with 8 openers).
    const all = new QueueTest(RULE, bg, 512).test(group, 0, none)!;
    const pooledRes = new QueueTest({ ...RULE, poolRatio: 4 }, bg, 512).test(group, 0, none)!;
    expect(all.members).toBe(150);
    expect(pooledRes.members).toBe(100);
    expect(pooledRes.crossing).toBe(true);
    expect(pooledRes.spread).toBe('queue');
    // Members with fewer openers need fewer: a pool of 4 per member among 400 accounts.
    const few = Array.from({ length: 150 }, (_, m) => member(r, organic(r, 900 + m, 2)));
    expect(new QueueTest({ ...RULE, poolRatio: 4 }, bg, 512).test(few, 0, none)?.members).toBe(100);
    expect(new QueueTest({ ...RULE, poolRatio: 8 }, bg, 512).test(few, 0, none)?.members).toBe(50);
  });

  it('keeps k openers per account, a uniform sample of all it sent, and room for `capacity` background accounts', () => {
    const r = new Rng('store');
    const bg = new OpenerItems(8, BANDS);
    for (let i = 0; i < 8; i++) bg.add(1, opener(r, i));
    expect([bg.count(1), bg.seen(1)]).toEqual([8, 8]);
    expect(bg.keysOf(1)!.subarray(7 * BANDS, 8 * BANDS)).toEqual(opener(r, 7));
    // 300 accounts sending 100 openers each (opener i asks item i): the kept ones fall evenly over the ten tenths of what they sent.
    const store = new OpenerItems(8, BANDS);
    const tenths = new Array<number>(10).fill(0);
    for (let a = 0; a < 300; a++) {
      for (let i = 0; i < 100; i++) store.add(a, opener(r, i));
      const keys = store.keysOf(a)!;
      for (let j = 0; j < store.count(a); j++) for (let i = 0; i < 100; i++) if (keys[j * BANDS] === opener(r, i)[0]) tenths[Math.floor(i / 10)]++;
    }
    expect(tenths.reduce((x, y) => x + y, 0)).toBe(2400);
    for (const t of tenths) expect(t).toBeGreaterThan(180);
    for (const t of tenths) expect(t).toBeLessThan(300);
    expect(store.added).toBe(30_000);
    const t = new QueueTest(RULE, bg, 2);
    bg.add(2, opener(r, 1));
    expect([t.holds(1), t.holds(2), t.holds(3)]).toEqual([true, true, false]);
  });

  it('coordinated: keeps the k lowest-ranked items (the same rank everywhere), so an item a heavier account keeps, a lighter one that sent it keeps too', () => {
    const r = new Rng('coordinated');
    const store = new OpenerItems(8, BANDS, true);
    for (let i = 0; i < 100; i++) store.add(1, opener(r, i));
    for (let i = 0; i < 400; i++) store.add(2, opener(r, i));
    const lowest = (n: number): number[] =>
      Array.from({ length: n }, (_, i) => i)
        .sort((x, y) => itemRank(opener(r, x), BANDS) - itemRank(opener(r, y), BANDS))
        .slice(0, 8)
        .sort((x, y) => x - y);
    const kept = (idx: number): number[] => {
      const keys = store.keysOf(idx)!;
      return Array.from({ length: 8 }, (_, j) => Array.from({ length: 400 }, (_, i) => i).find((i) => opener(r, i)[0] === keys[j * BANDS])!).sort((x, y) => x - y);
    };
    expect(kept(1)).toEqual(lowest(100));
    expect(kept(2)).toEqual(lowest(400));
    for (const i of kept(2)) if (i < 100) expect(kept(1)).toContain(i);
    expect([store.count(2), store.seen(2), store.added]).toEqual([8, 400, 500]);
  });

  it("an item two accounts share: a uniform sample's crossings fall as the accounts send more (8 / openers); the coordinated sample's do not", () => {
    const r = new Rng('decay');
    const share = (n: number, coordinated: boolean): number => {
      let cross = 0;
      let kept = 0;
      for (let pair = 0; pair < 100; pair++) {
        const store = new OpenerItems(8, BANDS, coordinated);
        // Half of what each sends the other sends too (the same payload, another day); the rest its own.
        const base = 100_000_000 + pair * 10_000;
        for (let i = 0; i < n; i++) store.add(0, opener(r, i < n / 2 ? base + i : base + 5_000 + i));
        for (let i = 0; i < n; i++) store.add(1, opener(r, i < n / 2 ? base + i : base + 7_500 + i));
        cross += memberReadings([store.openersOf(0)!, store.openersOf(1)!], BANDS)[0].cross;
        kept += store.count(0);
      }
      return cross / kept;
    };
    expect(share(40, false)).toBeGreaterThan(0.07);
    expect(share(640, false)).toBeLessThan(0.03);
    const light = share(40, true);
    const heavy = share(640, true);
    expect(light).toBeGreaterThan(0.35);
    expect(heavy).toBeGreaterThan(0.35);
    expect(Math.abs(light - heavy)).toBeLessThan(0.15);
  });
});

/**
 * A population where half of what everyone asks comes from one large public pool of 3,000 prompts (the
 * rest its own): a heavy account has sent more of the pool than a light one. Background: 500 accounts,
 * one in `heavyEvery` heavy (200-500 openers), the others 4-63.
 */
function poolAsk(r: Rng, account: number, k: number): number {
  return r.chance(0.5) ? r.below(3000) : 1_000_000 + account * 1000 + k;
}

function poolBackground(r: Rng, coordinated: boolean, heavyEvery = 4): OpenerItems {
  const bg = new OpenerItems(8, BANDS, coordinated);
  for (let a = 0; a < 500; a++) {
    const n = a % heavyEvery === 0 ? 200 + r.below(300) : 4 + r.below(60);
    for (let k = 0; k < n; k++) bg.add(10_000 + a, opener(r, poolAsk(r, 10_000 + a, k)));
  }
  return bg;
}

describe('heavy histories: the decay of the uniform sample, and why the coordinated one is off', () => {
  const M = 40;
  const N = 300;
  /** 40 accounts of 300 openers each, dealt a payload set (each item to two of them, reworded), a fifth of their openers cover from the pool. */
  const queue = (r: Rng, coordinated: boolean): MemberOpeners[] => {
    const store = new OpenerItems(8, BANDS, coordinated);
    const lists: number[][] = Array.from({ length: M }, () => []);
    for (let next = 30_000_000; lists.some((l) => l.length < N); next++) {
      const a = next % M;
      lists[a].push(next);
      lists[(a + 1 + (next % 7)) % M].push(next);
    }
    for (let m = 0; m < M; m++) for (const it of lists[m].slice(0, N)) store.add(m, opener(r, r.chance(0.2) ? r.below(3000) : it, 2));
    return Array.from({ length: M }, (_, m) => store.openersOf(m)!);
  };
  /** Groups of 40 unrelated accounts of `n` openers each, asking as the population asks: how many of `groups` are called crossing. */
  const benign = (r: Rng, t: QueueTest, coordinated: boolean, n: number, groups: number): number => {
    let called = 0;
    for (let g = 0; g < groups; g++) {
      const own = new OpenerItems(8, BANDS, coordinated);
      for (let m = 0; m < M; m++) for (let k = 0; k < n; k++) own.add(m, opener(r, poolAsk(r, 100_000 + g * 100 + m, k)));
      if (t.test(Array.from({ length: M }, (_, m) => own.openersOf(m)!), 0, none)?.crossing) called++;
    }
    return called;
  };

  it('uniform (the default): calibrated at any traffic, but a queue of heavy accounts is missed', () => {
    const r = new Rng('uniform-heavy');
    const t = new QueueTest(RULE, poolBackground(r, false), 512);
    expect(t.test(queue(r, false), 0, none)!.crossing).toBe(false);
    expect(benign(r, t, false, 20, 20)).toBeLessThanOrEqual(1);
    expect(benign(r, t, false, N, 20)).toBeLessThanOrEqual(1);
  });

  it('coordinated: heavy unrelated accounts drawing from the pool are called crossing beyond alpha, matched on openers kept or on traffic; where the background has many accounts of their traffic, the heavy queue is not crossing', () => {
    const r = new Rng('coordinated-heavy');
    // One background account in ten heavy: matched on openers kept or on traffic, heavy groups are called (0.00125 a look: 0 of 20 expected).
    const thin = poolBackground(r, true, 10);
    for (const matchSent of [false, true]) {
      const t = new QueueTest({ ...RULE, matchSent }, thin, 512);
      expect(benign(r, t, true, 20, 20)).toBeLessThanOrEqual(1);
      expect(benign(r, t, true, N, 20)).toBeGreaterThan(5);
    }
    // One in four, matched on traffic: fewer heavy groups called, still more than alpha allows (2 of 20 at this seed), and its
    // heavy accounts, drawing from the pool, cross as much as the queue's: the queue is not crossing.
    const sent = new QueueTest({ ...RULE, matchSent: true }, poolBackground(r, true, 4), 512);
    expect(benign(r, sent, true, N, 20)).toBeGreaterThanOrEqual(1);
    expect(sent.test(queue(r, true), 0, none)!.crossing).toBe(false);
  });
});

describe('a queue verdict links a member on its own openers (dealtMembers)', () => {
  it("a group of 30 queue accounts and 20 students of one course (whose 6 problems are items the queue also deals): called a queue, and only the queue's accounts shown dealt", () => {
    const r = new Rng('mixed');
    const t = new QueueTest(RULE, background(r, 400), 512);
    const store = new OpenerItems(8, BANDS);
    let next = 40_000_000;
    for (let n = 0; n < 5 * 30; n++) {
      const a = next % 30;
      const b = (a + 1 + (next % 5)) % 30;
      store.add(a, opener(r, next, 2));
      store.add(b, opener(r, next++, 2));
    }
    // 30 queue accounts, each item dealt to two of them (10 openers each); the course's problems: 6 of the items the queue
    // deals (a public set both use); each of 20 students sends all 6, and 4 questions of its own.
    const course = [40_000_000, 40_000_001, 40_000_002, 40_000_003, 40_000_004, 40_000_005];
    for (let s = 100; s < 120; s++) {
      for (const it of course) store.add(s, opener(r, it, 2));
      for (let k = 0; k < 4; k++) store.add(s, opener(r, 60_000_000 + s * 100 + k));
    }
    const ids = [...Array.from({ length: 30 }, (_, m) => m), ...Array.from({ length: 20 }, (_, s) => 100 + s)];
    const group = ids.map((m) => store.openersOf(m)!);
    const res = t.test(group, 0, none)!;
    expect(res.crossing).toBe(true);
    expect(res.spread).toBe('queue');
    const shown = dealtMembers(group, res, BANDS, 0.05, RULE.classMin);
    const queueShown = shown.slice(0, 30).filter(Boolean).length;
    expect(queueShown).toBeGreaterThanOrEqual(20);
    expect(shown.slice(30).filter(Boolean).length).toBe(0);
    // Without the course's spread over many members (classMin out of reach), students crossing on the queue's items would pass.
    const loose = dealtMembers(group, res, BANDS, 0.05, 1_000);
    expect(loose.slice(30).filter(Boolean).length).toBeGreaterThan(0);
  });
});

const skip = corpusSkipReason();
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)('QueueTest on real prompts', () => {
  const hasher = new MinHasher({ seed: 'shared-pipelines-items', numPerm: 16 });
  const lsh = lshParams(0.5, 16);
  const hashes = new Uint32Array(2048);
  const band = new Float64Array(lsh.bands);
  /** A prompt's item keys as the engine reads them (one 4-gram in 8); undefined when it has no sampled phrase. */
  const keysOf = (text: string): Uint32Array | undefined => {
    const out = new Uint32Array(lsh.bands);
    return itemKeys(hasher, lsh, phraseHashes(text, [], undefined, 3), numberPrint(text), hashes, band, out) ? out : undefined;
  };
  const add = (store: OpenerItems | MemberOpeners[], idx: number, texts: readonly string[]): void => {
    const m: MemberOpeners = { keys: new Uint32Array(8 * lsh.bands), n: 0 };
    for (const t of texts) {
      const k = keysOf(t);
      if (!k || m.n >= 8) continue;
      if (store instanceof OpenerItems) store.add(idx, k);
      else m.keys.set(k, m.n * lsh.bands);
      m.n++;
    }
    if (!(store instanceof OpenerItems)) store.push(m);
  };
  /** A light rewording: one word dropped. */
  const reword = (r: Rng, text: string): string => {
    const w = text.split(' ');
    w.splice(r.below(w.length), 1);
    return w.join(' ');
  };
  // The describe body runs even when skipped (test collection): load nothing then.
  const organic = skip === undefined ? loadPromptCorpus('organic-sharegpt')!.map((p) => p.text) : [];
  const math = skip === undefined ? loadPromptCorpus('distill-math')!.map((p) => p.text) : [];

  it('background: accounts asking real ShareGPT prompts; benign groups of the same kind rarely crossing; a queue dealing GSM8K-style problems, reworded, to two accounts each, crossing', () => {
    const r = new Rng('real');
    // Prompts drawn with replacement from 2,861: two accounts asking the same real prompt is the chance crossing the null must know.
    const ask = (): string => organic[r.below(organic.length)];
    const bg = new OpenerItems(8, lsh.bands);
    for (let a = 0; a < 500; a++) add(bg, a, Array.from({ length: 8 }, ask));
    const t = new QueueTest(RULE, bg, 512);
    let called = 0;
    for (let g = 0; g < 60; g++) {
      const members: MemberOpeners[] = [];
      for (let m = 0; m < 12; m++) add(members, 0, Array.from({ length: 1 + r.below(6) }, ask));
      if (t.test(members, 2, none)?.crossing) called++;
    }
    expect(called).toBeLessThanOrEqual(1);
    // 12 accounts, 30 problems each reworded to two of them, the rest of their openers real chat prompts.
    const lists: string[][] = Array.from({ length: 12 }, () => []);
    for (let i = 0; i < 30; i++) {
      const a = r.below(12);
      lists[a].push(reword(r, math[i]));
      lists[(a + 1 + r.below(11)) % 12].push(reword(r, math[i]));
    }
    for (const l of lists) l.push(ask());
    const members: MemberOpeners[] = [];
    for (const l of lists) add(members, 0, l);
    const res = t.test(members, 2, none)!;
    expect(res.crossing).toBe(true);
    expect(res.spread).toBe('queue');
    // A course: 15 students, each 5 of the same 8 problems in their own words (one word dropped): a class.
    const students: MemberOpeners[] = [];
    for (let s = 0; s < 15; s++) add(students, 0, Array.from({ length: 5 }, (_, k) => reword(r, math[100 + ((s + k) % 8)])));
    expect(t.test(students, 2, none)!.spread).toBe('class');
  });
});

describe("a member's own crossings (a member dealt from the queue)", () => {
  it('counts per member the openers whose item another member sent; binomial tail against the chance of a crossing', () => {
    const r = new Rng('members');
    // Members 0 and 1 share items 1 and 2; member 2 asks its own; member 3 repeats its own item 9 (no crossing).
    const x = memberReadings([member(r, [1, 2, 3]), member(r, [1, 2]), member(r, [4, 5]), member(r, [9, 9])], BANDS);
    expect(x.map((m) => m.cross)).toEqual([2, 2, 0, 0]);
    expect(x.map((m) => m.holders)).toEqual([2, 2, 0, 0]);
    expect(binomialTail(5, 0, 0.1)).toBe(1);
    expect(binomialTail(5, 6, 0.1)).toBe(0);
    expect(binomialTail(5, 1, 0.1)).toBeCloseTo(1 - 0.9 ** 5, 12);
    expect(binomialTail(5, 2, 0.1)).toBeCloseTo(1 - 0.9 ** 5 - 5 * 0.1 * 0.9 ** 4, 12);
    // At a chance of 0.05 per opener, 3 of 5 crossing is beyond 0.01; 1 of 5 is not.
    expect(binomialTail(5, 3, 0.05)).toBeLessThan(0.01);
    expect(binomialTail(5, 1, 0.05)).toBeGreaterThan(0.2);
  });
});
