// A payload set and a queue walking it. One operator's pipeline deals its set to its accounts so
// each item goes to few of them; an evaluation team deals a benchmark across its keys; a course or
// a tutoring app hands the same items to every student. Items are regenerated from their index
// (a forked stream per item), so a set of 100,000 items costs no memory. With prompt corpora the set
// is the corpus's harvesting items, each once (from a place in the corpus of the set's own), then
// generated items: a set never repeats a corpus item, so each item still goes to few accounts.
import { cut } from './corpus.js';
import type { Ctx } from './ctx.js';
import type { Rng } from './rng.js';
import { payload } from './text.js';
import type { PayloadKind } from './text.js';

export const ITEM_KINDS: readonly (readonly [PayloadKind, number])[] = [['math', 25], ['coding', 25], ['reasoning', 20], ['agentic', 10], ['planning', 20]];

export class ItemSet {
  private readonly corpusOffset: number;

  constructor(
    private readonly ctx: Ctx,
    private readonly base: Rng,
    readonly size: number,
    private readonly kinds: readonly (readonly [PayloadKind, number])[] = ITEM_KINDS,
  ) {
    if (size < 1) throw new Error('sim: an item set needs at least one item');
    const corpus = ctx.texts.corpora?.distill;
    this.corpusOffset = corpus ? base.fork('offset').below(corpus.length) : 0;
  }

  /** Item `i` (mod size): the same text every time it is asked for. */
  item(i: number): string {
    const j = ((i % this.size) + this.size) % this.size;
    const corpus = this.ctx.texts.corpora?.distill;
    if (corpus && j < corpus.length) return corpus[(this.corpusOffset + j) % corpus.length].text;
    const r = this.base.fork(j);
    return cut(payload(r, r.weighted(this.kinds)), this.ctx.p.traffic.maxPromptChars);
  }
}

/** A central queue over an item set: each call hands out the next item; after a full pass it starts again. */
export class WorkQueue {
  private cursor = 0;

  constructor(
    readonly items: ItemSet,
    private readonly offset = 0,
  ) {}

  next(): string {
    return this.items.item(this.offset + this.cursor++);
  }

  /** Items handed out so far. */
  get handedOut(): number {
    return this.cursor;
  }
}
