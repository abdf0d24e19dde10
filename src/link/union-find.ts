// Union-find over account indexes with member lists per root. Links only ever grow: evidence once
// seen stays seen, which is what keeps verdicts online-honest (no back-dating, no retraction). The one
// exception is an analyst's decision (split): it applies from its event time, like a record.
// Per account it costs one 4-byte parent; member lists exist only for sets that were ever joined.

export class UnionFind {
  private parent = new Int32Array(1024);
  /** Accounts with a parent slot (the rest are their own roots, not yet seen). */
  private size = 0;
  private readonly members = new Map<number, number[]>();

  find(a: number): number {
    this.ensure(a);
    const parent = this.parent;
    let r = a;
    while (parent[r] !== r) r = parent[r];
    while (parent[a] !== r) {
      const next = parent[a];
      parent[a] = r;
      a = next;
    }
    return r;
  }

  /** Joins the sets of a and b; returns the surviving root (the larger set's). */
  union(a: number, b: number): number {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return ra;
    const ma = this.membersOf(ra);
    const mb = this.membersOf(rb);
    if (ma.length < mb.length) [ra, rb] = [rb, ra];
    let big = this.members.get(ra);
    if (big === undefined) this.members.set(ra, (big = [ra]));
    for (const m of this.membersOf(rb)) big.push(m);
    this.members.delete(rb);
    this.parent[rb] = ra;
    return ra;
  }

  /**
   * Takes `out` (members of one set, not all of them) out of their set into a set of their own; the
   * rest stay one set. Every member's parent is reset (a path may run through an account taken out).
   * Returns the roots of the rest and of `out`.
   */
  split(out: readonly number[]): [rest: number, out: number] {
    const root = this.find(out[0]);
    const leaving = new Set(out);
    const all = this.membersOf(root);
    const rest = all.filter((m) => !leaving.has(m));
    if (rest.length === 0 || rest.length + leaving.size !== all.length) throw new RangeError('union-find: split takes some, not all, members of one set');
    this.members.delete(root);
    const parts: number[][] = [rest, [...leaving]];
    for (const part of parts) {
      const r = part[0];
      for (const m of part) this.parent[m] = r;
      if (part.length > 1) this.members.set(r, part);
    }
    return [rest[0], parts[1][0]];
  }

  /** The members of root's set (a new one-element list for an account never joined: not kept). */
  membersOf(root: number): number[] {
    this.ensure(root);
    return this.members.get(root) ?? [root];
  }

  private ensure(a: number): void {
    if (a < this.size) return;
    if (a >= this.parent.length) {
      let cap = this.parent.length;
      while (cap <= a) cap *= 2;
      const grown = new Int32Array(cap);
      grown.set(this.parent);
      this.parent = grown;
    }
    for (let i = this.size; i <= a; i++) this.parent[i] = i;
    this.size = a + 1;
  }
}
