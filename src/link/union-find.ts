// Union-find over account indexes with member lists per root. Links only ever grow: evidence once
// seen stays seen, which is what keeps verdicts online-honest (no back-dating, no retraction).

export class UnionFind {
  private readonly parent: number[] = [];
  private readonly members: (number[] | undefined)[] = [];

  find(a: number): number {
    this.ensure(a);
    let r = a;
    while (this.parent[r] !== r) r = this.parent[r];
    while (this.parent[a] !== r) {
      const next = this.parent[a];
      this.parent[a] = r;
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
    const big = (this.members[ra] ??= [ra]);
    for (const m of this.membersOf(rb)) big.push(m);
    this.members[rb] = undefined;
    this.parent[rb] = ra;
    return ra;
  }

  /** The members of root's set (a new one-element list for an account never joined: not kept). */
  membersOf(root: number): number[] {
    this.ensure(root);
    return this.members[root] ?? [root];
  }

  private ensure(a: number): void {
    while (this.parent.length <= a) this.parent.push(this.parent.length);
  }
}
