// Online template clustering: near-duplicate prompt scaffolds (numbers, names, payloads masked) are mapped
// to one template id with MinHash + LSH, the way Drain assigns log lines to templates as they arrive.
// A prompt contributes two windows, its head and its tail, because pipelines wrap varying payloads in
// fixed text at the start or the end; a whole-prompt signature would be dominated by the payload.
import { lshParams, bandKeys, type LshParams } from '../sketches/lsh.js';
import { MinHasher } from '../sketches/minhash.js';
import { scaffoldText } from '../sketches/normalize.js';
import { shingleHashes } from '../sketches/shingle.js';
import { murmur3 } from '../sketches/hash.js';
import { BucketTable } from './bucket-table.js';
import type { EngineConfig } from '../config/schema.js';

/** Words per window; windows shorter than MIN_WORDS carry too little to be a template. */
const WINDOW_WORDS = 12;
const MIN_WORDS = 6;

export class TemplateIndex {
  private readonly hasher: MinHasher;
  private readonly params: LshParams;
  private readonly buckets = new BucketTable();
  private readonly shingles = new Uint32Array(WINDOW_WORDS + 8);
  private readonly keys: Float64Array;
  private nextId = 0;
  /** Sees each new template's first scaffold window (shareable fingerprints, peer matching). */
  onCreate: ((id: number, window: string, salt: number) => void) | undefined;
  private readonly sig: Uint32Array;
  readonly shingleSize: number;

  constructor(cfg: EngineConfig['template']) {
    this.hasher = new MinHasher({ numPerm: cfg.numPerm, seed: cfg.seed });
    this.params = lshParams(cfg.threshold, cfg.numPerm);
    this.sig = this.hasher.newSignature();
    this.keys = new Float64Array(this.params.bands);
    this.shingleSize = cfg.shingle;
  }

  get size(): number {
    return this.nextId;
  }

  /** Hash of the whole masked prompt of the latest `assign` (numbers and names masked): the item asked. */
  lastItem = 0;

  /** Template ids of the prompt's head and tail windows (0, 1 or 2 ids; may be equal). */
  assign(prompt: string, out: number[]): number[] {
    out.length = 0;
    const scaffold = scaffoldText(prompt);
    this.lastItem = murmur3(scaffold, 0x6974656d);
    // scaffoldText separates words by single spaces: windows are cut by position, no word arrays.
    let words = 1;
    let headEnd = scaffold.length;
    for (let i = scaffold.indexOf(' '); i >= 0; i = scaffold.indexOf(' ', i + 1)) {
      if (words === WINDOW_WORDS) headEnd = i;
      words++;
    }
    if (words < MIN_WORDS) return out;
    out.push(this.assignWindow(scaffold.slice(0, headEnd), 0x68656164));
    if (words > WINDOW_WORDS) {
      let tailStart = scaffold.length;
      for (let k = 0; k < WINDOW_WORDS; k++) tailStart = scaffold.lastIndexOf(' ', tailStart - 1);
      out.push(this.assignWindow(scaffold.slice(tailStart + 1), 0x7461696c));
    }
    return out;
  }

  private assignWindow(window: string, salt: number): number {
    const n = shingleHashes(window, this.shingles, this.shingleSize, salt);
    const sig = this.hasher.signature(this.shingles, n, this.sig);
    bandKeys(sig, this.params, this.keys);
    let id = -1;
    for (const key of this.keys) {
      const t = this.buckets.get(key);
      if (t >= 0 && (id < 0 || t < id)) id = t;
    }
    if (id < 0) {
      id = this.nextId++;
      this.onCreate?.(id, window, salt);
    }
    for (const key of this.keys) this.buckets.put(key, id);
    return id;
  }
}
