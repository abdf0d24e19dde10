import { describe, expect, it } from 'vitest';
import { Texts } from './corpus.js';
import type { Corpora } from './corpus.js';
import type { Ctx } from './ctx.js';
import { DEFAULTS } from './params.js';
import { Rng } from './rng.js';
import { ItemSet, WorkQueue } from './work-queue.js';

const ctxWith = (corpora: Corpora | null): Ctx => ({ p: DEFAULTS, texts: new Texts(corpora, 1500, 0.01) }) as unknown as Ctx;

describe('payload item sets and work queues', () => {
  it('an item is the same text every time; the set wraps around', () => {
    const set = new ItemSet(ctxWith(null), new Rng('items'), 50);
    expect(set.item(7)).toBe(set.item(7));
    expect(set.item(57)).toBe(set.item(7));
    expect(new Set(Array.from({ length: 50 }, (_, i) => set.item(i))).size).toBeGreaterThan(45);
  });

  it('with a corpus: each corpus item once, from the set\u2019s own place in it, then generated items', () => {
    const distill = Array.from({ length: 30 }, (_, i) => ({ text: `corpus item ${i}` }));
    const corpora: Corpora = { dir: 'x', organic: [{ text: 'hi' }], distill, math: [], withAnswers: [] };
    const a = new ItemSet(ctxWith(corpora), new Rng('op-a'), 100);
    const b = new ItemSet(ctxWith(corpora), new Rng('op-b'), 100);
    const first = Array.from({ length: 30 }, (_, i) => a.item(i));
    expect(new Set(first).size).toBe(30);
    expect(first.every((t) => t.startsWith('corpus item'))).toBe(true);
    expect(a.item(30).startsWith('corpus item')).toBe(false);
    expect(Array.from({ length: 30 }, (_, i) => b.item(i))).not.toEqual(first);
  });

  it('a queue hands out consecutive items from its offset', () => {
    const set = new ItemSet(ctxWith(null), new Rng('items'), 10);
    const q = new WorkQueue(set, 3);
    expect([q.next(), q.next()]).toEqual([set.item(3), set.item(4)]);
    expect(q.handedOut).toBe(2);
  });
});
