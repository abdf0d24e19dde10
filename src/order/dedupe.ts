// Duplicate exchange ids (contract: "a repeated id is a duplicate, counted and skipped").
//
// Bounded by the lateness window. A record older than the lateness bound (the watermark: newest ts −
// max lateness, or the per-source release point) is rejected as late before it reaches the deduper,
// so an id needs remembering only while the record accepted with it could still be accepted again:
// while that record's ts >= the bound. An entry whose ts has fallen behind the bound is forgotten
// exactly: a lookup treats it as absent (whether or not a sweep has removed it yet), so what counts as
// a duplicate depends only on the accepted records and the bound, never on when the table was swept —
// a replay of the same accepted records (serve's ingest log) decides the same. Memory is the ids of
// one lateness window, not of every exchange ever seen.
//
// Ids are not kept: each is reduced to a 64-bit hash (two 32-bit murmur3 lanes with different seeds)
// stored with its record's ts in an open-addressing table (linear probing, load factor <= 0.75):
// 16 bytes a slot. When the table fills, expired entries are swept out in one rebuild (amortized
// O(1) an id), and the table grows, or shrinks, to at most half full with the live ids.
//
// Collision probability: two different ids share a hash with probability 2^-64, so among n ids of
// one window the chance that any one is wrongly taken for a duplicate is about n² / 2^65. The hash
// is fixed (not keyed), so runs stay deterministic; ids are the provider's request ids, not chosen by
// the client, so crafted collisions are not a concern.

import { murmur3 } from '../sketches/hash.js';

const EMPTY_HI = 0;
const EMPTY_LO = 0;
const MAX_LOAD = 0.75;

export class Deduper {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private ts: Float64Array;
  private mask: number;
  /** Occupied slots, expired entries not yet swept included. */
  private count = 0;
  private limit: number;
  private readonly minCapacity: number;

  constructor(initialCapacity = 1 << 16) {
    let cap = 1024;
    while (cap < initialCapacity) cap *= 2;
    this.minCapacity = cap;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.ts = new Float64Array(cap);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * MAX_LOAD);
  }

  /** Ids held (expired ones not yet swept included). */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength + this.ts.byteLength;
  }

  /**
   * True when `id` was remembered with a ts at or after `bound` (a record that could still be
   * accepted); otherwise remembers it with `ts` and returns false. `bound` never goes back.
   */
  seen(id: string, ts: number, bound: number): boolean {
    let h1 = murmur3(id, 0x9e3779b9);
    const h2 = murmur3(id, 0x85ebca6b);
    // (0, 0) marks an empty slot; map that one hash value elsewhere.
    if (h1 === EMPTY_HI && h2 === EMPTY_LO) h1 = 1;
    const hi = this.hi;
    const lo = this.lo;
    const mask = this.mask;
    let i = h2 & mask;
    for (;;) {
      const a = hi[i];
      const b = lo[i];
      if (a === EMPTY_HI && b === EMPTY_LO) break;
      if (a === h1 && b === h2) {
        if (this.ts[i] >= bound) return true;
        // Its record is behind the bound: forgotten, and this one takes the slot.
        this.ts[i] = ts;
        return false;
      }
      i = (i + 1) & mask;
    }
    hi[i] = h1;
    lo[i] = h2;
    this.ts[i] = ts;
    if (++this.count > this.limit) this.sweep(bound);
    return false;
  }

  /** Rebuilds the table without the entries behind `bound`, at most half full with the rest. */
  private sweep(bound: number): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    const oldTs = this.ts;
    let live = 0;
    for (let j = 0; j < oldHi.length; j++) if ((oldHi[j] !== EMPTY_HI || oldLo[j] !== EMPTY_LO) && oldTs[j] >= bound) live++;
    let cap = this.minCapacity;
    while (live > cap * 0.5) cap *= 2; // at most half full: the next sweep is a quarter of the table away
    const hi = new Uint32Array(cap);
    const lo = new Uint32Array(cap);
    const ts = new Float64Array(cap);
    const mask = cap - 1;
    for (let j = 0; j < oldHi.length; j++) {
      const a = oldHi[j];
      const b = oldLo[j];
      if ((a === EMPTY_HI && b === EMPTY_LO) || oldTs[j] < bound) continue;
      let i = b & mask;
      while (hi[i] !== EMPTY_HI || lo[i] !== EMPTY_LO) i = (i + 1) & mask;
      hi[i] = a;
      lo[i] = b;
      ts[i] = oldTs[j];
    }
    this.hi = hi;
    this.lo = lo;
    this.ts = ts;
    this.mask = mask;
    this.count = live;
    this.limit = Math.floor(cap * MAX_LOAD);
  }
}
