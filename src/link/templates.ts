// Online template clustering: near-duplicate prompt scaffolds (numbers, names, payloads masked) are mapped
// to one template id with MinHash + LSH, the way Drain assigns log lines to templates as they arrive.
// A prompt contributes two windows, its head and its tail, because pipelines wrap varying payloads in
// fixed text at the start or the end; a whole-prompt signature would be dominated by the payload.
import { lshParams, bandKeys, type LshParams } from '../sketches/lsh.js';
import { MinHasher } from '../sketches/minhash.js';
import { Scaffolder } from '../sketches/normalize.js';
import { shingleHashes } from '../sketches/shingle.js';
import { murmur3 } from '../sketches/hash.js';
import { BucketTable } from './bucket-table.js';
import type { EngineConfig } from '../config/schema.js';

/** Words per window; windows shorter than MIN_WORDS carry too little to be a template. */
const WINDOW_WORDS = 12;
const MIN_WORDS = 6;

/**
 * What template assignment computes from a prompt alone: pure, so decode workers compute it off the
 * engine's thread. `keys` holds each window's LSH band keys (`bands` per window, head first).
 */
export interface TemplateSketch {
  /** Hash of the whole masked prompt (numbers and names masked): the item asked. */
  item: number;
  /** 0, 1 or 2 scaffold windows: head, then tail. */
  windows: string[];
  salts: number[];
  keys: Float64Array;
}

const HEAD_SALT = 0x68656164;
const TAIL_SALT = 0x7461696c;
/** Slots of a sketcher's memory of recent windows (a power of two). */
const SEEN_SLOTS = 8192;

/** Scaffold windows → MinHash → LSH band keys, with its own scratch buffers (one per thread). */
export class TemplateSketcher {
  private readonly hasher: MinHasher;
  readonly params: LshParams;
  private readonly scaffolder = new Scaffolder();
  private readonly shingles = new Uint32Array(WINDOW_WORDS + 8);
  private readonly sig: Uint32Array;
  readonly shingleSize: number;
  // Band keys of recent windows. Pipelines repeat their scaffolds: 91% of the windows of the bench
  // input's first 60k lines had been seen before, and a window's keys depend on its text and salt
  // alone, so a seen window skips shingling, MinHash and banding. Direct-mapped by the window's hash
  // (a newer window takes its slot): fixed size, nothing allocated on a hit.
  private readonly seenText: string[] = new Array<string>(SEEN_SLOTS).fill('');
  private readonly seenSalt = new Int32Array(SEEN_SLOTS);
  private readonly seenKeys: Float64Array;

  constructor(cfg: EngineConfig['template']) {
    this.hasher = new MinHasher({ numPerm: cfg.numPerm, seed: cfg.seed });
    this.params = lshParams(cfg.threshold, cfg.numPerm);
    this.sig = this.hasher.newSignature();
    this.shingleSize = cfg.shingle;
    this.seenKeys = new Float64Array(SEEN_SLOTS * this.params.bands);
  }

  newSketch(): TemplateSketch {
    return { item: 0, windows: [], salts: [], keys: new Float64Array(2 * this.params.bands) };
  }

  /** Fills `out` (default: a new sketch) from the prompt. */
  sketch(prompt: string, out: TemplateSketch = this.newSketch()): TemplateSketch {
    out.windows.length = 0;
    out.salts.length = 0;
    const scaffold = this.scaffolder.scaffold(prompt);
    out.item = murmur3(scaffold, 0x6974656d);
    // A scaffold separates words by single spaces: windows are cut by position, no word arrays.
    // Counting stops at the space after the head window: beyond it, only "more words" matters.
    let words = 1;
    let headEnd = scaffold.length;
    for (let i = scaffold.indexOf(' '); i >= 0; i = scaffold.indexOf(' ', i + 1)) {
      words++;
      if (words > WINDOW_WORDS) {
        headEnd = i;
        break;
      }
    }
    if (words < MIN_WORDS) return out;
    this.window(scaffold.slice(0, headEnd), HEAD_SALT, out);
    if (words > WINDOW_WORDS) {
      let tailStart = scaffold.length;
      for (let k = 0; k < WINDOW_WORDS; k++) tailStart = scaffold.lastIndexOf(' ', tailStart - 1);
      this.window(scaffold.slice(tailStart + 1), TAIL_SALT, out);
    }
    return out;
  }

  private window(window: string, salt: number, out: TemplateSketch): void {
    const bands = this.params.bands;
    const at = out.windows.length * bands;
    const slot = murmur3(window, salt) & (SEEN_SLOTS - 1);
    const seen = this.seenKeys;
    if (this.seenSalt[slot] === salt && this.seenText[slot] === window) {
      for (let b = 0, from = slot * bands; b < bands; b++) out.keys[at + b] = seen[from + b];
    } else {
      const n = shingleHashes(window, this.shingles, this.shingleSize, salt);
      const sig = this.hasher.signature(this.shingles, n, this.sig);
      const keys = out.keys.subarray(at, at + bands);
      bandKeys(sig, this.params, keys);
      this.seenText[slot] = flat(window);
      this.seenSalt[slot] = salt;
      seen.set(keys, slot * bands);
    }
    out.windows.push(window);
    out.salts.push(salt);
  }
}

/** A copy of `s` that does not share (and keep alive) the string it was sliced from: the scaffold. */
function flat(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

export class TemplateIndex {
  private readonly sketcher: TemplateSketcher;
  private readonly scratch: TemplateSketch;
  private readonly buckets = new BucketTable();
  private nextId = 0;
  readonly shingleSize: number;

  /** `onCreate` sees each new template's first scaffold window (shareable fingerprints, peer matching). */
  constructor(
    cfg: EngineConfig['template'],
    private readonly onCreate?: (id: number, window: string, salt: number) => void,
  ) {
    this.sketcher = new TemplateSketcher(cfg);
    this.scratch = this.sketcher.newSketch();
    this.shingleSize = cfg.shingle;
  }

  get size(): number {
    return this.nextId;
  }

  /**
   * Fills `out` with the template ids of the prompt's head and tail windows (0, 1 or 2 ids; may be
   * equal); returns the hash of the whole masked prompt (numbers and names masked): the item asked.
   */
  assign(prompt: string, out: number[]): number {
    return this.assignSketch(this.sketcher.sketch(prompt, this.scratch), out);
  }

  /** `assign` from a sketch computed elsewhere (a decode worker with the same configuration). */
  assignSketch(sk: TemplateSketch, out: number[]): number {
    out.length = 0;
    const bands = this.sketcher.params.bands;
    for (let w = 0; w < sk.windows.length; w++) out.push(this.assignWindow(sk.keys, w * bands, bands, sk.windows[w], sk.salts[w]));
    return sk.item;
  }

  /** The lowest template id any band bucket already names, or a new one; every bucket then names it. */
  private assignWindow(keys: Float64Array, from: number, bands: number, window: string, salt: number): number {
    let id = -1;
    for (let b = from; b < from + bands; b++) {
      const t = this.buckets.get(keys[b]);
      if (t >= 0 && (id < 0 || t < id)) id = t;
    }
    if (id < 0) {
      id = this.nextId++;
      this.onCreate?.(id, window, salt);
    }
    for (let b = from; b < from + bands; b++) this.buckets.put(keys[b], id);
    return id;
  }
}
