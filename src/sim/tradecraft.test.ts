import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';
import { phraseBook, place, reword, vary } from './tradecraft.js';

describe('tradecraft text', () => {
  it('one author writes the same book from the same stream; another author writes another', () => {
    const n = { elicit: 4, format: 2, followups: 3 };
    const a = phraseBook(new Rng('op-a'), n);
    expect(phraseBook(new Rng('op-a'), n)).toEqual(a);
    expect([a.elicit.length, a.format.length, a.followups.length]).toEqual([4, 2, 3]);
    const b = phraseBook(new Rng('op-b'), n);
    const shared = a.elicit.filter((x) => b.elicit.includes(x)).length + a.followups.filter((x) => b.followups.includes(x)).length;
    expect(shared).toBeLessThanOrEqual(1);
  });

  it('varies a phrase a little: most of its words survive', () => {
    const r = new Rng('vary');
    const phrase = 'Lay out every inference you make before answering.';
    const words = new Set(phrase.toLowerCase().replace(/[.,]/g, '').split(' '));
    const outs = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const v = vary(r, phrase, 0.6);
      outs.add(v);
      const kept = v.toLowerCase().replace(/[.,]/g, '').split(' ').filter((w) => words.has(w)).length;
      expect(kept).toBeGreaterThanOrEqual(words.size - 3);
    }
    expect(outs.size).toBeGreaterThan(5);
    expect(vary(r, phrase, 0)).toBe(phrase);
  });

  it('rewords an item so repeats differ, keeping its numbers', () => {
    const r = new Rng('reword');
    const item = 'A tank fills in 4 hours with pipe A and in 12 hours with pipe B. Pipe C drains it in 13 hours. Find how long it takes to fill with all three open.';
    const outs = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const s = reword(r, item);
      outs.add(s);
      for (const num of ['4', '12', '13']) expect(s).toMatch(new RegExp(`\\b${num}\\b`));
    }
    expect(outs.size).toBeGreaterThan(20);
  });

  it('places phrases before, after or inside the text', () => {
    const r = new Rng('place');
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const s = place(r, 'First sentence here. Second sentence here. Third one.', ['PHRASE']);
      expect(s).toContain('PHRASE');
      seen.add(s.startsWith('PHRASE') ? 'before' : s.endsWith('PHRASE') ? 'after' : 'inside');
    }
    expect([...seen].sort()).toEqual(['after', 'before', 'inside']);
  });
});
