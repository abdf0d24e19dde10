// Space-saving top-k over numeric keys (Metwally et al. 2005): bounded memory, exact for heavy hitters.
// Used per account for IP prefixes, client fingerprints, templates and models: never a list of every value.

export class TopK {
  readonly keys: Float64Array;
  readonly counts: Uint32Array;
  /** Count each slot inherited from the key it replaced: its count is over by at most this. */
  readonly errors: Uint32Array;
  size = 0;

  constructor(readonly capacity: number) {
    this.keys = new Float64Array(capacity);
    this.counts = new Uint32Array(capacity);
    this.errors = new Uint32Array(capacity);
  }

  /** Adds one occurrence of key; returns true when the key is new to the table. */
  add(key: number): boolean {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      if (this.keys[i] === key) {
        this.counts[i]++;
        return false;
      }
    }
    if (n < this.capacity) {
      this.keys[n] = key;
      this.counts[n] = 1;
      this.errors[n] = 0;
      this.size = n + 1;
      return true;
    }
    // Replace the minimum; the newcomer inherits its count (the space-saving overestimate).
    let min = 0;
    for (let i = 1; i < n; i++) if (this.counts[i] < this.counts[min]) min = i;
    this.keys[min] = key;
    this.errors[min] = this.counts[min];
    this.counts[min]++;
    return true;
  }

  count(key: number): number {
    for (let i = 0; i < this.size; i++) if (this.keys[i] === key) return this.counts[i];
    return 0;
  }

  /** Occurrences of slot i that are certain (count minus the inherited error). */
  guaranteed(i: number): number {
    return this.counts[i] - this.errors[i];
  }

  /** Keys seen at least minCount times for certain, heaviest first. */
  heavy(minCount: number): number[] {
    const idx: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.counts[i] - this.errors[i] >= minCount) idx.push(i);
    idx.sort((a, b) => this.counts[b] - this.counts[a] || this.keys[a] - this.keys[b]);
    return idx.map((i) => this.keys[i]);
  }

  top(): { key: number; count: number } | undefined {
    if (this.size === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.size; i++) if (this.counts[i] > this.counts[best]) best = i;
    return { key: this.keys[best], count: this.counts[best] };
  }
}
