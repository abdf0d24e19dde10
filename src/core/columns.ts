// Growable typed columns keyed by a dense index (an account's index, a group's slot): the way a stage
// keeps one number per account or group without adding a field to another stage's object. A double in
// an object field costs a boxed heap number (~16 bytes) once any instance held a fraction; in a column
// it costs its 8 bytes. Reads past the end give the column's fill value (an index not yet written).

type Typed = Float64Array | Uint8Array | Uint32Array | Int32Array;

abstract class Column<T extends Typed> {
  protected data: T;

  constructor(
    protected readonly fill: number,
    capacity: number,
  ) {
    this.data = this.make(capacity);
    if (fill !== 0) this.data.fill(fill);
  }

  protected abstract make(length: number): T;

  get(i: number): number {
    return i < this.data.length ? this.data[i] : this.fill;
  }

  set(i: number, v: number): void {
    if (i >= this.data.length) this.grow(i);
    this.data[i] = v;
  }

  /** Grows by half (not doubling: a column per account is a share of the peak memory). */
  private grow(i: number): void {
    const grown = this.make(Math.max(i + 1, Math.ceil(this.data.length * 1.5)));
    grown.set(this.data);
    if (this.fill !== 0) grown.fill(this.fill, this.data.length);
    this.data = grown;
  }
}

export class F64Column extends Column<Float64Array> {
  constructor(fill = 0, capacity = 1024) {
    super(fill, capacity);
  }
  protected make(length: number): Float64Array {
    return new Float64Array(length);
  }
}

export class U8Column extends Column<Uint8Array> {
  constructor(fill = 0, capacity = 1024) {
    super(fill, capacity);
  }
  protected make(length: number): Uint8Array {
    return new Uint8Array(length);
  }
}

export class U32Column extends Column<Uint32Array> {
  constructor(fill = 0, capacity = 1024) {
    super(fill, capacity);
  }
  protected make(length: number): Uint32Array {
    return new Uint32Array(length);
  }
}

export class I32Column extends Column<Int32Array> {
  constructor(fill = 0, capacity = 1024) {
    super(fill, capacity);
  }
  protected make(length: number): Int32Array {
    return new Int32Array(length);
  }
}
