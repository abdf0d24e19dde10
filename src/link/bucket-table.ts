// A fixed-size, two-way set-associative table from LSH band keys to template ids.
// Memory stays constant however many distinct prompts arrive: a window seen once is eventually
// overwritten, while a scaffold that keeps recurring keeps its slots (the way with fewer hits is evicted).

export class BucketTable {
  private readonly tags: Uint32Array;
  private readonly ids: Int32Array;
  private readonly hits: Uint16Array;
  /** Insertion order, to evict the older of two equally cold entries. */
  private readonly stamps: Uint32Array;
  private clock = 0;
  private readonly mask: number;

  constructor(log2Sets = 20) {
    const slots = 2 << log2Sets;
    this.tags = new Uint32Array(slots);
    this.ids = new Int32Array(slots).fill(-1);
    this.hits = new Uint16Array(slots);
    this.stamps = new Uint32Array(slots);
    this.mask = (1 << log2Sets) - 1;
  }

  /** Template id stored for the key, or -1; counts a hit. */
  get(key: number): number {
    const tag = mix(key);
    const base = (tag & this.mask) << 1;
    for (let w = 0; w < 2; w++) {
      const s = base + w;
      if (this.ids[s] >= 0 && this.tags[s] === tag) {
        if (this.hits[s] < 0xffff) this.hits[s]++;
        return this.ids[s];
      }
    }
    return -1;
  }

  /** Stores key → id unless present; evicts the way with fewer hits. */
  put(key: number, id: number): void {
    const tag = mix(key);
    const base = (tag & this.mask) << 1;
    let victim = base;
    for (let w = 0; w < 2; w++) {
      const s = base + w;
      if (this.ids[s] >= 0 && this.tags[s] === tag) return;
      if (this.ids[s] < 0) {
        victim = s;
        break;
      }
      if (this.hits[s] < this.hits[victim]) victim = s;
    }
    if (this.ids[victim] >= 0) {
      // Equally cold ways: evict the older entry, so one-off windows all cycle out.
      const other = victim === base ? base + 1 : base;
      if (this.hits[other] === this.hits[victim] && this.stamps[other] < this.stamps[victim]) victim = other;
      // Age rather than evict at once, so a recurring scaffold survives a burst of one-off prompts.
      this.hits[victim] >>= 1;
      if (this.hits[victim] > 0) return;
    }
    this.stamps[victim] = ++this.clock;
    this.tags[victim] = tag;
    this.ids[victim] = id;
    this.hits[victim] = 1;
  }
}

/** Any numeric band key (up to 53 bits) to a well-mixed 32-bit tag. */
function mix(key: number): number {
  let h = (key >>> 0) ^ Math.floor(key / 4294967296);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
