import { describe, expect, it } from 'vitest';
import { lshParams } from '../sketches/lsh.js';
import { MinHasher } from '../sketches/minhash.js';
import { Rng } from '../sim/rng.js';
import { DEFAULT_SPREAD, ItemSpread } from './item-spread.js';

const hasher = new MinHasher({ seed: 'item-spread-test', numPerm: 16 });
const lsh = lshParams(0.5, 16);

/** Item `i`'s phrases as one sender words it: 20 phrases of the item, 3 of them replaced by the sender's wording. */
function worded(r: Rng, i: number): number[] {
  const out = Array.from({ length: 20 }, (_, k) => (i * 1000 + k) >>> 0);
  for (let k = 0; k < 3; k++) out[r.below(20)] = r.u32();
  return out;
}

function spread(send: (r: Rng, s: ItemSpread) => void): ItemSpread {
  const s = new ItemSpread(hasher, lsh);
  send(new Rng('spread'), s);
  return s;
}

describe('item spread of a candidate group', () => {
  it('one work queue: each of 600 items reworded to two of 30 accounts, no account repeating itself', () => {
    const s = spread((r, sp) => {
      for (let i = 0; i < 600; i++) {
        const a = r.below(30);
        sp.observe(a, worded(r, i));
        sp.observe((a + 1 + r.below(29)) % 30, worded(r, i));
      }
    });
    const st = s.stats();
    expect(st.accountsPerItem).toBeGreaterThanOrEqual(DEFAULT_SPREAD.queueMin);
    expect(st.accountsPerItem).toBeLessThan(DEFAULT_SPREAD.classMin);
    expect(s.spread()).toBe('queue');
  });

  it('a class: 30 students asking the same 20 items is not a queue', () => {
    const s = spread((r, sp) => {
      for (let a = 0; a < 30; a++) for (let i = 0; i < 20; i++) sp.observe(a, worded(r, i));
    });
    expect(s.stats().accountsPerItem).toBeGreaterThanOrEqual(DEFAULT_SPREAD.classMin);
    expect(s.spread()).toBe('class');
  });

  it('unrelated people asking unrelated things share no item', () => {
    const s = spread((r, sp) => {
      for (let a = 0; a < 30; a++) for (let i = 0; i < 20; i++) sp.observe(a, worded(r, a * 100 + i));
    });
    expect(s.stats().accountsPerItem).toBeLessThan(DEFAULT_SPREAD.queueMin);
    expect(s.spread()).toBe('unrelated');
  });

  it('accounts that mostly repeat their own items are not a queue handing out new ones', () => {
    const s = spread((r, sp) => {
      for (let a = 0; a < 30; a++) {
        for (let k = 0; k < 20; k++) sp.observe(a, worded(r, a * 10 + (k % 4) + (k % 3 === 0 ? 1000 : 0)));
        sp.observe((a + 1) % 30, worded(r, a * 10));
      }
    });
    expect(s.stats().repeat).toBeGreaterThan(DEFAULT_SPREAD.maxRepeat);
    expect(s.spread()).not.toBe('queue');
  });

  it('says nothing before enough exchanges, and ignores prompts with no item phrases', () => {
    const s = spread((r, sp) => {
      for (let i = 0; i < 50; i++) sp.observe(i % 5, worded(r, i >> 1));
      sp.observe(1, []);
    });
    expect(s.stats().exchanges).toBe(50);
    expect(s.spread()).toBe('unknown');
  });

  it('sampled 1 item key in 8: the same verdicts on an eighth of the load, so a fixed sketch follows more traffic', () => {
    // Sampling keeps fewer of the bands an item is recognised on: accounts per item reads lower (the pipeline
    // rule, src/config/pipelines.ts, sets queueMin for the sampled sketch).
    const rule = { ...DEFAULT_SPREAD, minExchanges: 100, queueMin: 1.05 };
    const run = (send: (r: Rng, s: ItemSpread) => void): ItemSpread => {
      const s = new ItemSpread(hasher, lsh, rule, 18, 3);
      send(new Rng('sampled'), s);
      return s;
    };
    const queue = run((r, sp) => {
      for (let i = 0; i < 2400; i++) {
        const a = r.below(30);
        sp.observe(a, worded(r, i));
        sp.observe((a + 1 + r.below(29)) % 30, worded(r, i));
      }
    });
    const cls = run((r, sp) => {
      for (let a = 0; a < 30; a++) for (let i = 0; i < 60; i++) sp.observe(a, worded(r, i));
    });
    const unrelated = run((r, sp) => {
      for (let a = 0; a < 30; a++) for (let i = 0; i < 80; i++) sp.observe(a, worded(r, a * 1000 + i));
    });
    // About 1 - (7/8)^bands of the exchanges have a sampled band: far fewer counted than sent.
    expect(queue.stats().exchanges).toBeLessThan(0.6 * 4800);
    expect(queue.stats().accountsPerItem).toBeGreaterThan(1.05);
    expect(queue.spread()).toBe('queue');
    expect(cls.spread()).toBe('class');
    expect(unrelated.spread()).toBe('unrelated');
  });

  it("a template generator's items differ by their numbers: one item is the same words and the same numbers", () => {
    // 30 accounts, 600 payloads from 3 word templates (the same phrases, digits masked), each payload
    // to two accounts. By words alone they are 3 items asked by everyone (a class); with their numbers, a queue.
    const send = (numbered: boolean): ItemSpread =>
      spread((r, sp) => {
        for (let i = 0; i < 600; i++) {
          const a = r.below(30);
          sp.observe(a, worded(r, i % 3), numbered ? 1 + i : 0);
          sp.observe((a + 1 + r.below(29)) % 30, worded(r, i % 3), numbered ? 1 + i : 0);
        }
      });
    expect(send(false).spread()).toBe('class');
    expect(send(true).spread()).toBe('queue');
  });

  it('many accounts per item is a class only when most openers ask items others asked before (classFreshMax)', () => {
    // 30 accounts: a share of their openers go to 5 popular items every account asks, the rest to new
    // items dealt once each. The mean accounts per item is high either way; the fresh share decides.
    const send = (popularOf4: number): ItemSpread =>
      spread((r, sp) => {
        let next = 1000;
        for (let k = 0; k < 40; k++) for (let a = 0; a < 30; a++) sp.observe(a, worded(r, k % 4 < popularOf4 ? k % 5 : next++));
      });
    const cls = send(4); // every opener a popular item: a class
    const mostlyPopular = send(3); // three in four popular: few new items
    const mostlyNew = send(1); // one in four popular: a queue covering new items, a few texts reaching everyone
    expect(cls.stats().accountsPerItem).toBeGreaterThanOrEqual(DEFAULT_SPREAD.classMin);
    expect(cls.stats().fresh).toBeLessThan(DEFAULT_SPREAD.classFreshMax);
    expect(cls.spread()).toBe('class');
    expect(mostlyPopular.stats().accountsPerItem).toBeGreaterThanOrEqual(DEFAULT_SPREAD.classMin);
    expect(mostlyPopular.stats().fresh).toBeLessThan(DEFAULT_SPREAD.classFreshMax);
    expect(mostlyPopular.spread()).toBe('class');
    expect(mostlyNew.stats().accountsPerItem).toBeGreaterThanOrEqual(DEFAULT_SPREAD.classMin);
    expect(mostlyNew.stats().fresh).toBeGreaterThanOrEqual(DEFAULT_SPREAD.classFreshMax);
    expect(mostlyNew.spread()).toBe('queue');
  });
});
