import { describe, expect, it } from 'vitest';
import { PipelineSchema } from '../config/pipelines.js';
import { CountMin, numberPrint, PhraseFrequency, phraseHashes } from './phrase-frequency.js';

const [OP_PHRASE] = phraseHashes('lay out each inference');

/** A population of `n` ordinary accounts, each with `prompts` prompts of its own words. */
function background(f: PhraseFrequency, n: number, prompts: number, from = 0): void {
  for (let a = from; a < from + n; a++) {
    for (let p = 0; p < prompts; p++) f.observe(a, `user ${a} asks question ${p} about topic t${a}x${p} in words w${a}y${p} z${a}q${p}`, p === 0);
  }
}

describe('phrase hashes', () => {
  it('are the distinct word 4-grams of a prompt, digits masked, case ignored', () => {
    const a = phraseHashes('Lay out each inference. Lay out each inference!');
    expect(a).toHaveLength(4); // "lay out each inference", "out each inference lay", "each inference lay out", "inference lay out each"
    expect(phraseHashes('She has 17 apples and pears')).toEqual(phraseHashes('she has 23 APPLES and pears'));
    expect(phraseHashes('She has 17 apples and pears')).not.toEqual(phraseHashes('She has 17 apples and plums'));
    expect(phraseHashes('too short')).toHaveLength(1);
    expect(phraseHashes('')).toEqual([]);
  });

  it('sampled by hash keep the same phrases in every text, about one in 2^bits', () => {
    const text = Array.from({ length: 800 }, (_, i) => `w${i.toString(36)}`).join(' ');
    const all = phraseHashes(text);
    const kept = phraseHashes(text, [], undefined, 3);
    expect(kept.length).toBeGreaterThan(all.length / 8 - 40);
    expect(kept.length).toBeLessThan(all.length / 8 + 40);
    expect(kept.every((h) => all.includes(h))).toBe(true);
    // The same phrase is kept, or dropped, wherever it occurs.
    const other = phraseHashes(`prefix words here ${text.slice(0, 2000)}`, [], undefined, 3);
    for (const h of phraseHashes(text.slice(0, 2000))) if (kept.includes(h)) expect(other).toContain(h);
  });
});

describe('number fingerprint', () => {
  it('tells apart two texts of one template by their numbers, whatever the order of their sentences', () => {
    const a = 'Ann buys 7 boxes of pens with 23 pens in each box. How many pens does Ann have?';
    expect(numberPrint(a)).toBe(numberPrint('How many pens does Ann have? Ann buys 7 boxes of pens with 23 pens in each box.'));
    expect(numberPrint(a)).toBe(numberPrint('Ann buys 23 boxes of pens with 7 pens in each box. How many pens does Ann have?'));
    expect(numberPrint(a)).not.toBe(numberPrint('Ann buys 4 boxes of pens with 61 pens in each box. How many pens does Ann have?'));
    // 7 and 23 are two numbers, not one 723; a repeated number counts each time.
    expect(numberPrint('7 and 23')).not.toBe(numberPrint('723'));
    expect(numberPrint('7 and 7')).not.toBe(numberPrint('7'));
    // A number at the very end counts; a text without numbers has none.
    expect(numberPrint('pens 7')).toBe(numberPrint('7 pens'));
    expect(numberPrint('no numbers here')).toBe(0);
    expect(numberPrint('')).toBe(0);
  });
});

describe('count-min sketch', () => {
  it('never under-counts and stays near the truth when sparse', () => {
    const cm = new CountMin(12, 4);
    for (let k = 0; k < 500; k++) cm.add(k * 7919, (k % 5) + 1);
    for (let k = 0; k < 500; k++) {
      expect(cm.estimate(k * 7919)).toBeGreaterThanOrEqual((k % 5) + 1);
      expect(cm.estimate(k * 7919)).toBeLessThanOrEqual((k % 5) + 3);
    }
    expect(() => new CountMin(30, 4)).toThrow(/bad shape/);
  });
});

describe('tradecraft phrases', () => {
  it('a phrase a pipeline puts in most prompts of 20 accounts out of 400 is tradecraft', () => {
    const f = new PhraseFrequency();
    background(f, 380, 5);
    for (let a = 1000; a < 1020; a++) for (let p = 0; p < 12; p++) f.observe(a, `item ${a}-${p} reworded r${a}k${p}. Lay out each inference before answering.`, p === 0);
    expect(f.stats(OP_PHRASE)).toMatchObject({ accounts: 20, uses: 240, population: 400 });
    expect(f.tradecraft(OP_PHRASE)).toBe(true);
  });

  it('the same phrase pasted a few times by many unrelated users is not (used occasionally)', () => {
    const f = new PhraseFrequency();
    background(f, 380, 5);
    for (let a = 1000; a < 1020; a++) for (let p = 0; p < 12; p++) f.observe(a, p < 2 ? `my question ${a}-${p}. Lay out each inference before answering.` : `my own words ${a} q${p} here now`, p === 0);
    expect(f.stats(OP_PHRASE).accounts).toBe(20);
    expect(f.tradecraft(OP_PHRASE)).toBe(false);
  });

  it("at the pipelines' default (phraseMinUses 4), a phrase in 5 prompts of each of 20 accounts is systematic; in 3, occasional", () => {
    // Learned early: 5 uses each is a pipeline's first days; a library snippet pasted now and then averages fewer.
    const p = PipelineSchema.parse({});
    const rule = { minAccounts: p.phraseMinAccounts, maxAccountShare: p.phraseMarkShare, minUsesPerAccount: p.phraseMinUses };
    const seen = (uses: number): boolean => {
      const f = new PhraseFrequency(rule);
      background(f, 380, 5);
      for (let a = 1000; a < 1020; a++) for (let q = 0; q < 12; q++) f.observe(a, q < uses ? `item ${a}-${q}. Lay out each inference before answering.` : `my own words ${a} q${q} here now`, q === 0);
      return f.tradecraft(OP_PHRASE);
    };
    expect(seen(5)).toBe(true);
    expect(seen(4)).toBe(true);
    expect(seen(3)).toBe(false);
  });

  it('reused (how accounts ask, not an item): shared by >= minAccounts and written >= minUses times per writer', () => {
    // A snippet in 2 prompts of each of 20 accounts: reused at 2, not at 3. An item's words, each asked once by 20 accounts: not reused.
    const f = new PhraseFrequency();
    background(f, 380, 5);
    for (let a = 1000; a < 1020; a++) for (let p = 0; p < 12; p++) f.observe(a, p < 2 ? `my question ${a}-${p}. Lay out each inference before answering.` : `my own words ${a} q${p} here now`, p === 0);
    expect([f.reused(OP_PHRASE, 2), f.reused(OP_PHRASE, 3)]).toEqual([true, false]);
    const [ITEM] = phraseHashes('how many marbles remain');
    for (let a = 2000; a < 2020; a++) f.observe(a, 'A jar holds marbles: how many marbles remain after the draw?', true);
    expect(f.stats(ITEM).accounts).toBe(20);
    expect(f.reused(ITEM, 2)).toBe(false);
    // Written often by 4 accounts only: not shared enough to say (minAccounts 5).
    for (let a = 3000; a < 3004; a++) for (let p = 0; p < 6; p++) f.observe(a, `q${a}x${p}: state every premise first`, p === 0);
    expect(f.reused(phraseHashes('state every premise first')[0], 2)).toBe(false);
  });

  it('the same systematic phrase on too many of the active accounts is common language, not tradecraft', () => {
    const f = new PhraseFrequency();
    background(f, 60, 5);
    for (let a = 1000; a < 1040; a++) for (let p = 0; p < 12; p++) f.observe(a, `item ${a}-${p}. Lay out each inference before answering.`, p === 0);
    expect(f.stats(OP_PHRASE).accounts / f.stats(OP_PHRASE).population).toBeGreaterThan(0.2);
    expect(f.tradecraft(OP_PHRASE)).toBe(false);
  });

  it("a group's phrase is judged outside the group: rare there and mostly the group's own", () => {
    const f = new PhraseFrequency();
    background(f, 60, 5);
    // 40 of 100 accounts: common in the population, but not outside the 40 (0 of 60 there).
    for (let a = 1000; a < 1040; a++) for (let p = 0; p < 12; p++) f.observe(a, `item ${a}-${p}. Lay out each inference before answering.`, p === 0);
    expect(f.tradecraftOf(OP_PHRASE, 40, 0.1, 0.3)).toBe(true);
    // A group holding 10 of its 40 users: most of them are outside (25% of the other 90) and it is not the group's own.
    expect(f.tradecraftOf(OP_PHRASE, 10, 0.1, 0.3)).toBe(false);
    expect(f.tradecraftOf(OP_PHRASE, 10, 0.5, 0.3)).toBe(false);
    expect(f.tradecraftOf(OP_PHRASE, 10, 0.5, 0.2)).toBe(true);
  });

  it('one or a few accounts repeating a phrase is a habit, not shared text', () => {
    const f = new PhraseFrequency();
    background(f, 380, 5);
    for (let a = 1000; a < 1004; a++) for (let p = 0; p < 30; p++) f.observe(a, `item ${a}-${p}. Lay out each inference before answering.`, p === 0);
    expect(f.stats(OP_PHRASE).accounts).toBe(4);
    expect(f.tradecraft(OP_PHRASE)).toBe(false);
    f.observe(2000, 'Lay out each inference before answering.', true);
    expect(f.tradecraft(OP_PHRASE)).toBe(true); // the fifth account: 121 uses over 5 accounts
  });

  it('counts an account once per phrase however often it repeats it, in fixed memory', () => {
    const f = new PhraseFrequency(undefined, { widthBits: 12, pairBits: 16 });
    const bytes = f.bytes;
    for (let p = 0; p < 50; p++) f.observe(7, 'lay out each inference', p === 0);
    expect(f.stats(OP_PHRASE)).toMatchObject({ accounts: 1, uses: 50, population: 1 });
    background(f, 200, 3, 10);
    expect(f.bytes).toBe(bytes);
  });

  it('learns the same from phrase hashes (computed by a decode worker) as from the text', () => {
    const byText = new PhraseFrequency();
    const byHash = new PhraseFrequency();
    for (let a = 0; a < 40; a++) {
      for (let p = 0; p < 10; p++) {
        const text = `${a < 6 ? 'lay out each inference. ' : ''}user ${a} asks about t${a}x${p}`;
        byText.observe(a, text, p === 0);
        byHash.observeHashes(a, phraseHashes(text), p === 0);
      }
    }
    expect(byHash.stats(OP_PHRASE)).toEqual(byText.stats(OP_PHRASE));
    expect(byHash.tradecraft(OP_PHRASE)).toBe(true);
    expect(byHash.common(OP_PHRASE, 0.1)).toBe(true); // 6 of 40 accounts
    expect(byHash.common(OP_PHRASE, 0.2)).toBe(false);
  });
});
