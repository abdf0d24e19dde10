// k-way merge of time-ordered event streams with a binary heap: the whole simulation is a set
// of lazy generators, so memory stays flat however long the window.
import type { SimEvent } from './exchange.js';

interface Head {
  ev: SimEvent;
  it: Iterator<SimEvent>;
}

function less(a: SimEvent, b: SimEvent): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  if (a.order !== b.order) return a.order < b.order;
  return a.key < b.key;
}

export function* merge(streams: readonly Iterator<SimEvent>[]): Generator<SimEvent> {
  const heap: Head[] = [];
  const up = (i: number): void => {
    const h = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h.ev, heap[p].ev)) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = h;
  };
  const down = (i: number): void => {
    const h = heap[i];
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(heap[r].ev, heap[l].ev) ? r : l;
      if (!less(heap[c].ev, h.ev)) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = h;
  };
  for (const it of streams) {
    const n = it.next();
    if (!n.done) {
      heap.push({ ev: n.value, it });
      up(heap.length - 1);
    }
  }
  while (heap.length) {
    const top = heap[0];
    const ev = top.ev;
    yield ev;
    const n = top.it.next();
    if (n.done) {
      const last = heap.pop() as Head;
      if (heap.length) {
        heap[0] = last;
        down(0);
      }
    } else {
      if (n.value.ts < ev.ts) throw new Error(`sim: a ${ev.acct.group} stream went back in time (${n.value.ts} < ${ev.ts})`);
      top.ev = n.value;
      down(0);
    }
  }
}
