// A stage's state as bytes and back: the object graph under a root (class instances, plain objects,
// arrays, Maps, Sets, typed arrays and the buffers they view, shared references and cycles) written
// with V8's structured serializer, and restored *into* a freshly built root of the same configuration.
//
// Why into a fresh root: the graph holds wiring that is not state (the configuration, listeners and
// hooks, closures over sibling stages). Those are rebuilt by the constructor, and the restore keeps the
// fresh object at the same path wherever one exists (so a listener that closes over a stage still sees
// that very stage, now filled with the restored state). Functions are never written: a function in
// the graph must have a counterpart at the same path in the fresh root.
//
// Classes are named by an explicit registry (`StateKinds`): an instance of a class that is not listed
// is refused when writing, not silently turned into a plain object. Module-level sentinels (a shared
// empty instance compared by identity) are listed too and restored as themselves.
import { deserialize, serialize } from 'node:v8';

/** A class, by its prototype (its constructor may be private). */
type Ctor = { readonly prototype: unknown; readonly name: string };

/** The classes a state graph may hold and the module-level objects it may point to, by identity. */
export interface StateKinds {
  classes: readonly Ctor[];
  constants: readonly object[];
  /** Classes whose instances are wiring, not state (a TextDecoder, a RegExp): kept from the fresh root like functions. */
  opaque?: readonly Ctor[];
  /** Fields of a class that are caches of wiring (a closure made on first use): not written, left as the fresh object has them. */
  transient?: readonly (readonly [Ctor, readonly string[]])[];
}

/** Several stages' kinds as one registry. */
export function joinKinds(...all: StateKinds[]): StateKinds {
  return { classes: all.flatMap((k) => k.classes), constants: all.flatMap((k) => k.constants), opaque: all.flatMap((k) => k.opaque ?? []), transient: all.flatMap((k) => k.transient ?? []) };
}

/** Names the registry, so that a state written under another one is refused before it is read. */
export function kindsFingerprint(kinds: StateKinds): string {
  return [...kinds.classes.map((c) => c.name), '|', ...(kinds.opaque ?? []).map((c) => c.name), '|', String(kinds.constants.length)].join(',');
}

export class StateGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateGraphError';
  }
}

// Tags of the written form: an object with `$c` is a class instance (>= 0, index in the registry) or one
// of these. FN: a function, an opaque object or a wiring object, taken from the fresh root.
const FN = -1;
const CONSTANT = -2;
const NULL_PROTO = -3;
const VIEW = -4;
const PLAIN = -5;
const TRANSIENT = -6;

const BUFFER = 99;
const VIEWS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array] as const;

interface Tagged {
  $c: number;
  [k: string]: unknown;
}

/**
 * Writes the graph under `root` (its own fields; `root` itself is paired on restore). `wiring`: objects
 * that are not state (the configuration, a decode context holding a key), written as references to
 * the fresh root's objects at the same path, never as their contents.
 */
export function writeStateGraph(root: object, kinds: StateKinds, wiring: readonly object[] = []): Buffer {
  const w = new StateGraphWriter(root, kinds, wiring);
  w.copy(Object.keys(root));
  return w.finish();
}

/**
 * The same written form, taken in parts so that a large state need not hold the thread for the whole
 * walk: `copy` copies some of the root's fields now, whole (a later change to them is not seen; their
 * array buffers are copied too); `step` goes on copying the other fields until a deadline. What is
 * copied by steps must not change until `finish` (the caller holds it still), which turns the copy
 * into bytes in one synchronous call: v8's serializer cannot be cut.
 */
export class StateGraphWriter {
  private readonly classIndex: Map<object, number>;
  private readonly opaque: Set<object>;
  private readonly wires: Set<object>;
  private readonly transient: Map<object, ReadonlySet<string>>;
  private readonly constIndex: Map<object, number>;
  private readonly memo = new Map<object, unknown>();
  private readonly work: [object, Record<string, unknown> | unknown[] | Map<unknown, unknown> | Set<unknown>][] = [];
  private readonly top: Tagged = { $c: PLAIN };
  private readonly pendingKeys: string[];
  /** True while copying fields that may change after the copy: array buffers are copied, not shared. */
  private copyBuffers = false;

  constructor(
    private readonly root: object,
    kinds: StateKinds,
    wiring: readonly object[] = [],
  ) {
    this.classIndex = new Map<object, number>(kinds.classes.map((c, i) => [c.prototype as object, i]));
    this.opaque = new Set<object>([...(kinds.opaque ?? []).map((c) => c.prototype as object)]);
    this.wires = new Set<object>(wiring);
    this.transient = new Map<object, ReadonlySet<string>>((kinds.transient ?? []).map(([c, fields]) => [c.prototype as object, new Set(fields)]));
    this.constIndex = new Map<object, number>(kinds.constants.map((c, i) => [c, i]));
    this.memo.set(root, this.top);
    this.pendingKeys = Object.keys(root).reverse();
    for (const k of Object.keys(root)) this.top[k] = undefined; // the written fields in the root's order, whichever is copied first

  }

  /** Copies these fields of the root now, whole (everything they reach that is not copied yet). */
  copy(keys: readonly string[]): void {
    this.copyBuffers = true;
    for (const k of keys) {
      const i = this.pendingKeys.indexOf(k);
      if (i < 0) continue;
      this.pendingKeys.splice(i, 1);
      this.top[k] = this.field(k);
      this.drain(Infinity);
    }
    this.copyBuffers = false;
  }

  /** Copies more of the other fields until `deadline` (performance.now()); true once all is copied. */
  step(deadline: number): boolean {
    for (;;) {
      if (!this.drain(deadline)) return false;
      const k = this.pendingKeys.pop();
      if (k === undefined) return true;
      this.top[k] = this.field(k);
    }
  }

  /** The bytes of the copy (copies what is left first). */
  finish(): Buffer {
    this.step(Infinity);
    return serialize(this.top);
  }

  /** A field of the root, as the queue writes an object's fields (its class's transient ones as such). */
  private field(k: string): unknown {
    const skip = this.transient.get(Object.getPrototypeOf(this.root) as object);
    return skip?.has(k) ? { $c: TRANSIENT } : this.mirror((this.root as Record<string, unknown>)[k]);
  }

  /** Works through the queue; false when the deadline came first (the clock is read every 64 items). */
  private drain(deadline: number): boolean {
    const work = this.work;
    let n = 0;
    while (work.length > 0) {
      if ((++n & 63) === 0 && performance.now() > deadline) return false;
      const [src, dst] = work.pop()!;
      if (Array.isArray(dst)) {
        const a = src as unknown[];
        dst.length = a.length;
        for (let i = 0; i < a.length; i++) dst[i] = this.mirror(a[i]);
      } else if (dst instanceof Map) for (const [k, x] of src as Map<unknown, unknown>) dst.set(this.mirror(k), this.mirror(x));
      else if (dst instanceof Set) for (const x of src as Set<unknown>) dst.add(this.mirror(x));
      else {
        const skip = this.transient.get(Object.getPrototypeOf(src) as object);
        for (const key of Object.keys(src)) (dst as Record<string, unknown>)[key] = skip?.has(key) ? { $c: TRANSIENT } : this.mirror((src as Record<string, unknown>)[key]);
      }
    }
    return true;
  }

  private mirror(v: unknown): unknown {
    if (typeof v === 'function') return { $c: FN };
    if (typeof v !== 'object' || v === null) return v;
    const seen = this.memo.get(v);
    if (seen !== undefined) return seen;
    const root = this.root;
    let out: unknown;
    const k = this.constIndex.get(v);
    if (k !== undefined) out = { $c: CONSTANT, k };
    else if (this.wires.has(v) || this.opaque.has(Object.getPrototypeOf(v) as object)) out = { $c: FN };
    else if (ArrayBuffer.isView(v)) {
      if (v instanceof DataView) throw new StateGraphError(`a DataView at ${pathTo(root, v)} cannot be written`);
      const t = Buffer.isBuffer(v) ? BUFFER : VIEWS.findIndex((c) => Object.getPrototypeOf(v) === c.prototype);
      if (t < 0) throw new StateGraphError(`a ${v.constructor.name} at ${pathTo(root, v)} cannot be written (only plain typed arrays)`);
      out = { $c: VIEW, t, b: this.mirror(v.buffer), o: v.byteOffset, n: (v as Uint8Array).length };
    } else if (v instanceof ArrayBuffer) out = this.copyBuffers ? v.slice(0) : v;
    else if (Array.isArray(v)) {
      const a: unknown[] = [];
      this.work.push([v, a]);
      out = a;
    } else if (v instanceof Map) {
      const m = new Map();
      this.work.push([v, m]);
      out = m;
    } else if (v instanceof Set) {
      const s = new Set();
      this.work.push([v, s]);
      out = s;
    } else {
      const proto = Object.getPrototypeOf(v) as object | null;
      const tag = proto === Object.prototype ? PLAIN : proto === null ? NULL_PROTO : this.classIndex.get(proto);
      if (tag === undefined) throw new StateGraphError(`an instance of ${(v as object).constructor?.name ?? 'an unknown class'} at ${pathTo(root, v)} is not a registered state class`);
      if (Object.isFrozen(v)) throw new StateGraphError(`a frozen object at ${pathTo(root, v)} must be registered as a constant`);
      const o: Tagged = { $c: tag };
      this.work.push([v, o]);
      out = o;
    }
    this.memo.set(v, out);
    return out;
  }
}

/**
 * Restores a graph written by `writeStateGraph` into `root` (built fresh, with the configuration and
 * wiring of the one that wrote it). Objects that exist in the fresh graph at the same path are filled
 * in place; the rest are made. A fresh object with a field the written one lacks means the writer was
 * another build: refused.
 */
export function readStateGraph(root: object, bytes: Buffer, kinds: StateKinds): void {
  let top: unknown;
  try {
    top = deserialize(bytes);
  } catch (e) {
    throw new StateGraphError(`unreadable state: ${(e as Error).message}`);
  }
  if (!isTagged(top) || top.$c !== PLAIN) throw new StateGraphError('unreadable state: no root object');
  const memo = new Map<unknown, unknown>();
  const work: { m: object; target: object; fresh: unknown; path: string }[] = [];

  const restore = (m: unknown, fresh: unknown, path: string): unknown => {
    if (typeof m !== 'object' || m === null) return m;
    const seen = memo.get(m);
    if (seen !== undefined) return seen;
    let target: object;
    if (m instanceof ArrayBuffer) target = m;
    else if (Array.isArray(m)) target = Array.isArray(fresh) ? fresh : [];
    else if (m instanceof Map) target = fresh instanceof Map ? fresh : new Map();
    else if (m instanceof Set) target = fresh instanceof Set ? fresh : new Set();
    else if (isTagged(m)) {
      const c = m.$c;
      if (c === FN) {
        if (typeof fresh !== 'function' && (typeof fresh !== 'object' || fresh === null)) throw new StateGraphError(`${path}: a function or wiring object with no counterpart in the fresh state`);
        return fresh;
      }
      if (c === TRANSIENT) return fresh;
      if (c === CONSTANT) {
        const k = kinds.constants[m.k as number];
        if (k === undefined) throw new StateGraphError(`${path}: unknown constant ${String(m.k)}`);
        target = k;
      } else if (c === VIEW) {
        const View = m.t === BUFFER ? undefined : VIEWS[m.t as number];
        const buf = restore(m.b, undefined, `${path}.buffer`);
        if ((View === undefined && m.t !== BUFFER) || !(buf instanceof ArrayBuffer)) throw new StateGraphError(`${path}: malformed typed array`);
        target = View === undefined ? Buffer.from(buf, m.o as number, m.n as number) : new View(buf, m.o as number, m.n as number);
      } else {
        const proto = c === PLAIN ? Object.prototype : c === NULL_PROTO ? null : (kinds.classes[c]?.prototype as object | undefined);
        if (proto === undefined) throw new StateGraphError(`${path}: unknown class ${c}`);
        const paired = typeof fresh === 'object' && fresh !== null && Object.getPrototypeOf(fresh) === proto;
        target = paired ? fresh : (Object.create(proto) as object);
        memo.set(m, target);
        work.push({ m, target, fresh: paired ? fresh : undefined, path });
        return target;
      }
      memo.set(m, target);
      return target;
    } else throw new StateGraphError(`${path}: unreadable value`);
    memo.set(m, target);
    if (target !== m) work.push({ m, target, fresh: target === fresh ? fresh : undefined, path });
    return target;
  };

  memo.set(top, root);
  work.push({ m: top, target: root, fresh: root, path: 'state' });
  while (work.length > 0) {
    const { m, target, fresh, path } = work.pop()!;
    if (Array.isArray(m)) {
      const old = fresh as unknown[] | undefined;
      const items = m.map((x, i) => restore(x, old?.[i], `${path}[${i}]`));
      const a = target as unknown[];
      a.length = 0;
      for (const x of items) a.push(x);
    } else if (m instanceof Map) {
      const old = fresh as Map<unknown, unknown> | undefined;
      const items = [...m].map(([k, x]) => [restore(k, undefined, `${path} key`), restore(x, old?.get(k), `${path}.get(${String(k)})`)] as const);
      const t = target as Map<unknown, unknown>;
      t.clear();
      for (const [k, x] of items) t.set(k, x);
    } else if (m instanceof Set) {
      const items = [...m].map((x) => restore(x, undefined, `${path} item`));
      const t = target as Set<unknown>;
      t.clear();
      for (const x of items) t.add(x);
    } else {
      const fields = m as Record<string, unknown>;
      const t = target as Record<string, unknown>;
      if (typeof fresh === 'object' && fresh !== null) {
        // A class's fields are the build's: one the state lacks means another build wrote it. A plain
        // object below the root is data whose keys vary with it (a policy's optional fields): the
        // written keys are the object's, and a key only the fresh one has is dropped, unless it holds
        // wiring (a function), which the state would then lack.
        const plain = fields.$c === PLAIN || fields.$c === NULL_PROTO;
        for (const key of Object.keys(fresh)) {
          if (key in fields) continue;
          const v = (fresh as Record<string, unknown>)[key];
          if (plain && target !== root && !isWiring(v)) delete t[key];
          else throw new StateGraphError(`${path}.${key}: this build has the field and the state does not (written by another version)`);
        }
      }
      const old = fresh as Record<string, unknown> | undefined;
      for (const key of Object.keys(fields)) {
        if (key === '$c') continue;
        t[key] = restore(fields[key], old?.[key], `${path}.${key}`);
      }
    }
  }
}

/** A function, or an object other than plain data (plain objects, arrays, Maps, Sets, buffers) that may hold one. */
function isWiring(v: unknown, seen = new Set<object>()): boolean {
  if (typeof v === 'function') return true;
  if (typeof v !== 'object' || v === null || seen.has(v)) return false;
  seen.add(v);
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return false;
  const items = Array.isArray(v) ? v : v instanceof Map ? [...v.values()] : v instanceof Set ? [...v] : undefined;
  if (items !== undefined) return items.some((x) => isWiring(x, seen));
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto !== Object.prototype && proto !== null) return true;
  return Object.values(v).some((x) => isWiring(x, seen));
}

function isTagged(v: unknown): v is Tagged {
  return typeof v === 'object' && v !== null && typeof (v as Tagged).$c === 'number' && Object.getPrototypeOf(v) === Object.prototype;
}

/** For an error message: a path from root to target (a breadth-first search, run only on failure). */
function pathTo(root: object, target: object): string {
  const seen = new Set<object>([root]);
  let level: [object, string][] = [[root, 'state']];
  while (level.length > 0) {
    const next: [object, string][] = [];
    for (const [o, p] of level) {
      const kids: [unknown, string][] =
        o instanceof Map ? [...o].map(([k, v]) => [v, `${p}.get(${String(k)})`]) : o instanceof Set ? [...o].map((v) => [v, `${p} item`]) : ArrayBuffer.isView(o) ? [] : Object.entries(o).map(([k, v]) => [v, `${p}.${k}`]);
      for (const [v, q] of kids) {
        if (v === target) return q;
        if (typeof v === 'object' && v !== null && !seen.has(v)) {
          seen.add(v);
          next.push([v, q]);
        }
      }
    }
    level = next;
  }
  return '(unreachable)';
}
