// Shareable prompt-template fingerprints: a keyed MinHash signature of one scaffold window.
//
// The engine clusters prompts by the MinHash of their scaffold's head and tail windows (link/templates.ts)
// under a local seed. What we share is a second signature of the same window whose permutations are
// seeded from the community key: peers holding the key compute the same signature for the same scaffold
// and compare slot by slot; without the key nobody can sign a guessed prompt to test it against ours.
// The signature says nothing readable about the prompt (minima of keyed 32-bit hashes of shingles).
import { estimateJaccard, MinHasher, type MinHashAlgorithm } from '../sketches/minhash.js';
import { shingleHashes } from '../sketches/shingle.js';
import { scaffoldText } from '../sketches/normalize.js';
import type { Keyring } from './keyring.js';

export const FINGERPRINT_VERSION = 1;
export const FINGERPRINT_PARAMS = { algorithm: 'oph' as MinHashAlgorithm, numPerm: 64, shingleK: 3 } as const;
/** Which window of a prompt's scaffold; the salt is the one link/templates.ts shingles that window with. */
export const WINDOW_SALT = { head: 0x68656164, tail: 0x7461696c } as const;
export type WindowName = keyof typeof WINDOW_SALT;
/** Estimated Jaccard similarity from which two fingerprints name one template. */
export const MATCH_SIMILARITY = 0.6;

export interface TemplateFingerprint {
  keyId: string;
  window: WindowName;
  version: number;
  /** numPerm minima, then the params id (sketches/minhash layout). */
  signature: Uint32Array;
}

const WINDOW_WORDS = 12;
const MIN_WORDS = 6;

/** The head and tail windows of a prompt's scaffold, cut as the engine cuts them. */
export function scaffoldWindows(prompt: string): { window: WindowName; text: string }[] {
  const words = scaffoldText(prompt).split(' ').filter((w) => w !== '');
  if (words.length < MIN_WORDS) return [];
  const out: { window: WindowName; text: string }[] = [{ window: 'head', text: words.slice(0, WINDOW_WORDS).join(' ') }];
  if (words.length > WINDOW_WORDS) out.push({ window: 'tail', text: words.slice(-WINDOW_WORDS).join(' ') });
  return out;
}

export class TemplateFingerprinter {
  private readonly hashers = new Map<string, MinHasher>();
  private readonly shingles = new Uint32Array(256);

  constructor(private readonly keyring: Keyring) {}

  private hasher(keyId: string): MinHasher {
    let h = this.hashers.get(keyId);
    if (!h) {
      h = new MinHasher({ ...FINGERPRINT_PARAMS, seed: this.keyring.templateSeed(keyId) });
      this.hashers.set(keyId, h);
    }
    return h;
  }

  /** Fingerprint of a scaffold window (already scaffolded text, as the engine holds it). */
  sign(windowText: string, window: WindowName, keyId = this.keyring.current.id): TemplateFingerprint {
    const h = this.hasher(keyId);
    const n = shingleHashes(windowText, this.shingles, FINGERPRINT_PARAMS.shingleK, WINDOW_SALT[window]);
    return { keyId, window, version: FINGERPRINT_VERSION, signature: h.signature(this.shingles, n) };
  }

  /** Parameters key of the signatures made under `keyId` (version, algorithm, size, keyed params id). */
  paramsKey(keyId = this.keyring.current.id): string {
    return this.hasher(keyId).paramsKey;
  }
}

/** Compact text form used in campaign indicators: `keyId:window:v1:hex`. */
export function encodeFingerprint(fp: TemplateFingerprint): string {
  const bytes = Buffer.alloc(fp.signature.length * 4);
  fp.signature.forEach((v, i) => bytes.writeUInt32LE(v, i * 4));
  return `${fp.keyId}:${fp.window}:v${fp.version}:${bytes.toString('hex')}`;
}

export function decodeFingerprint(s: string): TemplateFingerprint | undefined {
  const m = /^([A-Za-z0-9._-]{1,64}):(head|tail):v(\d+):([0-9a-f]+)$/.exec(s);
  if (!m) return undefined;
  const bytes = Buffer.from(m[4], 'hex');
  if (bytes.length !== (FINGERPRINT_PARAMS.numPerm + 1) * 4) return undefined;
  const signature = new Uint32Array(FINGERPRINT_PARAMS.numPerm + 1);
  for (let i = 0; i < signature.length; i++) signature[i] = bytes.readUInt32LE(i * 4);
  return { keyId: m[1], window: m[2] as WindowName, version: Number(m[3]), signature };
}

/** Similarity of two fingerprints; 0 when they were made under different keys, windows or versions. */
export function fingerprintSimilarity(a: TemplateFingerprint, b: TemplateFingerprint): number {
  if (a.keyId !== b.keyId || a.window !== b.window || a.version !== b.version) return 0;
  if (a.signature[a.signature.length - 1] !== b.signature[b.signature.length - 1]) return 0;
  return estimateJaccard(a.signature, b.signature);
}
