// The state graph codec on small graphs: what it keeps (sharing, cycles, views of one buffer, Maps,
// Sets, sentinels by identity, the fresh root's wiring) and what it refuses, with the path named.
import { describe, expect, it } from 'vitest';
import { readStateGraph, StateGraphError, writeStateGraph, type StateKinds } from './state-graph.js';

class Node {
  next: Node | undefined = undefined;
  constructor(public value: number) {}
}

const EMPTY = new Node(-1);

class Holder {
  nodes: Node[] = [];
  byName = new Map<string, Node>();
  tags = new Set<string>();
  buf = new ArrayBuffer(16);
  lo = new Uint32Array(this.buf, 0, 2);
  hi = new Float64Array(this.buf, 8, 1);
  key = Buffer.from('secret-key');
  cache: { f: () => number } | undefined = undefined;
  empty: Node = EMPTY;
  constructor(readonly onChange: () => void) {}
}

const KINDS: StateKinds = { classes: [Node, Holder], constants: [EMPTY], transient: [[Holder, ['cache']]] };

function sample(): Holder {
  const h = new Holder(() => undefined);
  const a = new Node(1);
  const b = new Node(2);
  a.next = b;
  b.next = a; // a cycle
  h.nodes.push(a, b, a); // shared
  h.byName.set('a', a);
  h.tags.add('x');
  h.lo[1] = 7;
  h.hi[0] = 2.5;
  h.cache = { f: () => 1 };
  return h;
}

describe('state graph', () => {
  it('restores into a fresh root: sharing, cycles, views of one buffer, maps, sets, constants; wiring stays the fresh one', () => {
    const bytes = writeStateGraph(sample(), KINDS);
    const onChange = (): void => undefined;
    const fresh = new Holder(onChange);
    const lo = fresh.lo;
    readStateGraph(fresh, bytes, KINDS);
    expect(fresh.onChange).toBe(onChange);
    expect(fresh.cache).toBeUndefined(); // transient: the fresh root's
    expect(fresh.nodes[0]).toBe(fresh.nodes[2]);
    expect(fresh.nodes[0]).toBeInstanceOf(Node);
    expect(fresh.nodes[0].next!.next).toBe(fresh.nodes[0]);
    expect(fresh.byName.get('a')).toBe(fresh.nodes[0]);
    expect([...fresh.tags]).toEqual(['x']);
    expect(fresh.empty).toBe(EMPTY);
    expect(fresh.lo).not.toBe(lo);
    expect(fresh.lo.buffer).toBe(fresh.hi.buffer);
    expect(fresh.lo.buffer).toBe(fresh.buf);
    fresh.lo[0] = 9;
    expect(new Uint32Array(fresh.buf)[0]).toBe(9);
    expect(fresh.hi[0]).toBe(2.5);
    expect(Buffer.isBuffer(fresh.key) && fresh.key.toString()).toBe('secret-key');
  });

  it('refuses an unregistered class and a frozen object that is no constant, naming where', () => {
    class Stray {}
    const h = sample();
    (h.byName as Map<string, unknown>).set('stray', new Stray());
    expect(() => writeStateGraph(h, KINDS)).toThrow(/instance of Stray at state\.byName\.get\(stray\) is not a registered state class/);
    const g = sample();
    (g as unknown as { frozen: unknown }).frozen = Object.freeze({ a: 1 });
    expect(() => writeStateGraph(g, KINDS)).toThrow(/frozen object at state\.frozen must be registered as a constant/);
  });

  it('refuses a state without a field this build has, and a function with no counterpart', () => {
    const old = sample() as unknown as Record<string, unknown>;
    delete old.tags;
    expect(() => readStateGraph(new Holder(() => undefined), writeStateGraph(old, KINDS), KINDS)).toThrow(/state\.tags: this build has the field and the state does not/);
    const h = sample();
    h.byName.set('fn', Object.assign(new Node(3), { hook: () => 1 }));
    expect(() => readStateGraph(new Holder(() => undefined), writeStateGraph(h, KINDS), KINDS)).toThrow(StateGraphError);
    expect(() => readStateGraph(new Holder(() => undefined), Buffer.from('not a state'), KINDS)).toThrow(/unreadable state/);
  });

  it('a plain data object takes the written keys: one only the fresh object has is dropped (a policy without an optional field the fresh one had); one holding a function is still refused', () => {
    const rule = (extra: Record<string, unknown>): Node => Object.assign(new Node(0), { rule: { id: 'r', when: { verdict: ['x'] }, ...extra } });
    const written = sample();
    written.byName.set('r', rule({}));
    const fresh = new Holder(() => undefined);
    fresh.byName.set('r', rule({ description: 'only the fresh one has it', when: { verdict: ['y'], analyst: ['confirmed'] } }));
    readStateGraph(fresh, writeStateGraph(written, KINDS), KINDS);
    expect((fresh.byName.get('r') as unknown as { rule: unknown }).rule).toEqual({ id: 'r', when: { verdict: ['x'] } });
    const wired = new Holder(() => undefined);
    wired.byName.set('r', rule({ hook: () => 1 }));
    expect(() => readStateGraph(wired, writeStateGraph(written, KINDS), KINDS)).toThrow(/get\(r\)\.rule\.hook: this build has the field and the state does not/);
  });
});
