// Space-saving top-k over numeric keys (Metwally et al. 2005): bounded memory, exact for heavy hitters.
// Used per account for IP prefixes, client fingerprints, templates and models: never a list of every value.
//
// The slots may live in arrays shared with an account's other sketches (one buffer per account instead
// of three typed arrays per table: see account-state.ts), and may start with fewer rooms than the
// capacity: a table outgrows them into arrays of its own, so what it keeps does not depend on either.

export class TopK {
  size = 0;
  /** Keys at keys[keyBase + i]; counts at counts[countBase + i], inherited errors at counts[countBase + room + i]. */
  private keys: Float64Array;
  private counts: Uint32Array;
  private keyBase: number;
  private countBase: number;
  /** Slots available where the table lives now (≤ capacity). */
  private room: number;

  /** Own arrays, or `room` slots of shared ones: `keyAt` in `keys`, `2 * room` from `countAt` in `counts`. */
  constructor(
    readonly capacity: number,
    keys?: Float64Array,
    keyAt = 0,
    counts?: Uint32Array,
    countAt = 0,
    room = capacity,
  ) {
    this.room = Math.min(room, capacity);
    this.keys = keys ?? new Float64Array(this.room);
    this.counts = counts ?? new Uint32Array(2 * this.room);
    this.keyBase = keys ? keyAt : 0;
    this.countBase = counts ? countAt : 0;
  }

  /** The key of slot i (0 ≤ i < size). */
  key(i: number): number {
    return this.keys[this.keyBase + i];
  }

  /** The (over-)count of slot i. */
  slotCount(i: number): number {
    return this.counts[this.countBase + i];
  }

  /** Adds one occurrence of key; returns true when the key is new to the table. */
  add(key: number): boolean {
    const n = this.size;
    const keys = this.keys;
    const k0 = this.keyBase;
    const counts = this.counts;
    const c0 = this.countBase;
    for (let i = 0; i < n; i++) {
      if (keys[k0 + i] === key) {
        counts[c0 + i]++;
        return false;
      }
    }
    if (n < this.capacity) {
      if (n === this.room) this.outgrow();
      this.keys[this.keyBase + n] = key;
      this.counts[this.countBase + n] = 1;
      this.counts[this.countBase + this.room + n] = 0;
      this.size = n + 1;
      return true;
    }
    // Replace the minimum; the newcomer inherits its count (the space-saving overestimate).
    let min = 0;
    for (let i = 1; i < n; i++) if (counts[c0 + i] < counts[c0 + min]) min = i;
    keys[k0 + min] = key;
    counts[c0 + this.room + min] = counts[c0 + min];
    counts[c0 + min]++;
    return true;
  }

  /** Moves the slots into arrays of their own, with room for the whole capacity. */
  private outgrow(): void {
    const n = this.size;
    const keys = new Float64Array(this.capacity);
    const counts = new Uint32Array(2 * this.capacity);
    for (let i = 0; i < n; i++) {
      keys[i] = this.keys[this.keyBase + i];
      counts[i] = this.counts[this.countBase + i];
      counts[this.capacity + i] = this.counts[this.countBase + this.room + i];
    }
    this.keys = keys;
    this.counts = counts;
    this.keyBase = 0;
    this.countBase = 0;
    this.room = this.capacity;
  }

  count(key: number): number {
    for (let i = 0; i < this.size; i++) if (this.keys[this.keyBase + i] === key) return this.counts[this.countBase + i];
    return 0;
  }

  /** Occurrences of slot i that are certain (count minus the inherited error). */
  guaranteed(i: number): number {
    const c = this.countBase + i;
    return this.counts[c] - this.counts[c + this.room];
  }

  /** Keys seen at least minCount times for certain, heaviest first. */
  heavy(minCount: number): number[] {
    const idx: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.guaranteed(i) >= minCount) idx.push(i);
    if (idx.length === 0) return idx;
    idx.sort((a, b) => this.slotCount(b) - this.slotCount(a) || this.key(a) - this.key(b));
    return idx.map((i) => this.key(i));
  }

  top(): { key: number; count: number } | undefined {
    if (this.size === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.size; i++) if (this.slotCount(i) > this.slotCount(best)) best = i;
    return { key: this.key(best), count: this.slotCount(best) };
  }
}
