import { describe, expect, it } from 'vitest';
import { familyTradecraft, PhraseFamilies } from './phrase-families.js';

const rule = { capacity: 64, minCoCarriers: 5, coShare: 0.2 };

/** `n` accounts from `first` each carry `phrases` together. */
function carry(f: PhraseFamilies, first: number, n: number, phrases: number[]): void {
  for (let a = first; a < first + n; a++) f.record(a, phrases);
}

describe('PhraseFamilies', () => {
  it('joins phrases that enough accounts carry together, not fewer', () => {
    const f = new PhraseFamilies(rule);
    carry(f, 0, 4, [11, 22]);
    expect(f.root(11)).not.toBe(f.root(22));
    carry(f, 4, 1, [11, 22]);
    expect(f.root(11)).toBe(f.root(22));
    expect(f.phrases(11)).toBe(2);
  });

  it('needs a share of the accounts carrying either (Jaccard): on both sides of it', () => {
    const f = new PhraseFamilies(rule);
    carry(f, 0, 30, [1]);
    carry(f, 1000, 30, [2]);
    // 14 carry both, of the 74 carrying either: 0.19 < 0.2.
    carry(f, 2000, 14, [1, 2]);
    expect(f.root(1)).not.toBe(f.root(2));
    // 15 of the 75 carrying either: 0.2.
    carry(f, 3000, 1, [1, 2]);
    expect(f.root(1)).toBe(f.root(2));
  });

  it('a few accounts carrying a popular snippet and a kit’s phrase do not join them, nor a small phrase to a large family', () => {
    const f = new PhraseFamilies(rule);
    carry(f, 0, 100, [1]);
    carry(f, 1000, 300, [2]);
    carry(f, 2000, 40, [1, 2]);
    expect(f.root(1)).not.toBe(f.root(2));
    // Phrase 3: 6 accounts, 5 of them also carrying phrase 1 (140 carriers).
    carry(f, 3000, 5, [1, 3]);
    carry(f, 4000, 1, [3]);
    expect(f.root(3)).not.toBe(f.root(1));
  });

  it('chains: a kit of many phrases, each account carrying a few, is one family', () => {
    const f = new PhraseFamilies(rule);
    const kit = [101, 102, 103, 104, 105, 106];
    for (let a = 0; a < 60; a++) f.record(a, [kit[a % 6], kit[(a + 1) % 6], kit[(a + 3) % 6]]);
    const roots = new Set(kit.map((h) => f.root(h)));
    expect(roots.size).toBe(1);
    expect(f.phrases(101)).toBe(6);
  });

  it('counts an account once per phrase and per pair, however often it is recorded', () => {
    const f = new PhraseFamilies(rule);
    for (let k = 0; k < 50; k++) f.record(7, [31, 32]);
    expect(f.carriersOf(31)).toBe(1);
    expect(f.root(31)).not.toBe(f.root(32));
  });

  it('holds at most its capacity of phrases; the rest stay families of their own', () => {
    const f = new PhraseFamilies({ ...rule, capacity: 2 });
    carry(f, 0, 10, [1, 2, 3]);
    expect(f.root(1)).toBe(f.root(2));
    expect(f.root(3)).toBe(3);
    expect(f.phrases(3)).toBe(1);
    expect(() => new PhraseFamilies({ ...rule, capacity: 1 })).toThrow(/capacity/);
  });
});

describe('familyTradecraft', () => {
  const r = { minPhrases: 3, minAccounts: 5, ownedShare: 0.3, maxShare: 0.1, minUses: 2.5 };
  const owned = { accounts: 100, uses: 300, population: 5000, inside: 60, phrases: 4 };
  it('a group owning a kit used more than once per account', () => expect(familyTradecraft(owned, r)).toBe(true));
  it('not a lone phrase', () => expect(familyTradecraft({ ...owned, phrases: 2 }, r)).toBe(false));
  it('not when most of its users are outside the group', () => {
    expect(familyTradecraft({ ...owned, inside: 30 }, r)).toBe(true);
    expect(familyTradecraft({ ...owned, inside: 29 }, r)).toBe(false);
  });
  it('not when common outside the group', () => {
    expect(familyTradecraft({ ...owned, accounts: 2000, inside: 1500, population: 8000, uses: 6000 }, r)).toBe(true);
    expect(familyTradecraft({ ...owned, accounts: 2000, inside: 1000, population: 8000, uses: 6000 }, r)).toBe(false);
  });
  it('not one-off text', () => {
    expect(familyTradecraft({ ...owned, uses: 250 }, r)).toBe(true);
    expect(familyTradecraft({ ...owned, uses: 249 }, r)).toBe(false);
  });
  it('not shared by too few', () => expect(familyTradecraft({ ...owned, accounts: 4, inside: 4, uses: 40 }, r)).toBe(false));
});
