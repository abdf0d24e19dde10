// Duplicate exchange ids (contract: "a repeated id is a duplicate, counted and skipped").
//
// Memory grows with the number of distinct exchange ids, so ids are not kept: each is reduced to a
// 64-bit hash (two 32-bit murmur3 lanes with different seeds) stored in an open-addressing table of
// two Uint32Arrays (linear probing, load factor <= 0.75): 8 bytes a slot, about 11-21 bytes an id
// (100 M ids ≈ 1-2 GiB; a JS Set of strings would need several times that, and a Set cannot hold more
// than 2^24 entries anyway).
//
// Collision probability: two different ids share a hash with probability 2^-64, so among n ids the
// chance that any one is wrongly taken for a duplicate is about n² / 2^65: 3e-8 for a million ids,
// 3e-4 for 100 million. The hash is fixed (not keyed), so runs stay deterministic; ids are the
// provider's request ids, not chosen by the client, so crafted collisions are not a concern.

import { murmur3 } from '../sketches/hash.js';

const EMPTY_HI = 0;
const EMPTY_LO = 0;
const MAX_LOAD = 0.75;

export class Deduper {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private count = 0;
  private limit: number;

  constructor(initialCapacity = 1 << 16) {
    let cap = 1024;
    while (cap < initialCapacity) cap *= 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * MAX_LOAD);
  }

  /** Distinct ids remembered. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength;
  }

  /** True when `id` was seen before; otherwise remembers it and returns false. */
  seen(id: string): boolean {
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
      if (a === h1 && b === h2) return true;
      i = (i + 1) & mask;
    }
    hi[i] = h1;
    lo[i] = h2;
    if (++this.count > this.limit) this.grow();
    return false;
  }

  private grow(): void {
    const oldHi = this.hi;
    const oldLo = this.lo;
    const cap = oldHi.length * 2;
    const hi = new Uint32Array(cap);
    const lo = new Uint32Array(cap);
    const mask = cap - 1;
    for (let j = 0; j < oldHi.length; j++) {
      const a = oldHi[j];
      const b = oldLo[j];
      if (a === EMPTY_HI && b === EMPTY_LO) continue;
      let i = b & mask;
      while (hi[i] !== EMPTY_HI || lo[i] !== EMPTY_LO) i = (i + 1) & mask;
      hi[i] = a;
      lo[i] = b;
    }
    this.hi = hi;
    this.lo = lo;
    this.mask = mask;
    this.limit = Math.floor(cap * MAX_LOAD);
  }
}

