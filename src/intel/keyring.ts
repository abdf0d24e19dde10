// The community keyring: secrets shared by the members of one trust group, each with a public key id.
//
// Identifiers are shared as keyed hashes (HMAC-SHA-256) under the current key, the way CIRCL's private
// search sets do: a member holding the key can test the values it already has; an outsider can neither
// reverse a hash nor test guesses. Keys rotate: the newest (or the one named `current`) hashes what we
// export; every key in the ring is still accepted when matching what peers sent under older keys.
// Template fingerprints use MinHash permutations seeded from the same key for the same reason.
import { createHmac } from 'node:crypto';
import { normalizeEmail } from '../sketches/keyed-hash.js';
import { CommunityKeysSchema, type CommunityKeysConfig } from '../config/intel.js';


/** Kinds of identifier shared as keyed hashes; the kind is hashed in, so one value never matches across kinds. */
export type HashedKind = 'email' | 'payment_fingerprint';

export interface KeyedValue {
  keyId: string;
  hash: string;
}

/** How each identifier is normalized before hashing: equivalent spellings must hash alike. */
export function normalizeIdentifier(kind: HashedKind, value: string): string {
  if (kind === 'email') return normalizeEmail(value);
  return value.trim(); // processor fingerprints are case-sensitive tokens
}

export class Keyring {
  readonly current: { id: string; secret: string };
  private readonly byId = new Map<string, string>();

  constructor(readonly config: CommunityKeysConfig) {
    for (const k of config.keys) this.byId.set(k.id, k.secret);
    const id = config.current ?? config.keys[config.keys.length - 1].id;
    this.current = { id, secret: this.byId.get(id)! };
  }

  static parse(input: unknown): Keyring {
    return new Keyring(CommunityKeysSchema.parse(input));
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  has(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  /** HMAC-SHA-256 (hex) of `kind:normalized value` under key `keyId` (default: the current key). */
  hash(kind: HashedKind, value: string, keyId = this.current.id): KeyedValue {
    const secret = this.byId.get(keyId);
    if (secret === undefined) throw new RangeError(`unknown community key id ${keyId}`);
    return { keyId, hash: hmacHex(secret, `${kind}:${normalizeIdentifier(kind, value)}`) };
  }

  /** The value's hash under every key in the ring (for matching peers' hashes made under older keys). */
  hashAll(kind: HashedKind, value: string): KeyedValue[] {
    return this.ids.map((id) => this.hash(kind, value, id));
  }

  /** Seed of the template-fingerprint MinHash permutations under key `keyId`. */
  templateSeed(keyId = this.current.id): Uint8Array {
    const secret = this.byId.get(keyId);
    if (secret === undefined) throw new RangeError(`unknown community key id ${keyId}`);
    return createHmac('sha256', secret).update('distillguard/template-fingerprint').digest();
  }
}

function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

/** `keyId:hash`, the form keyed values take in campaign indicators. */
export function formatKeyed(v: KeyedValue): string {
  return `${v.keyId}:${v.hash}`;
}

export function parseKeyed(s: string): KeyedValue | undefined {
  const i = s.lastIndexOf(':');
  if (i <= 0 || !/^[0-9a-f]{64}$/.test(s.slice(i + 1))) return undefined;
  return { keyId: s.slice(0, i), hash: s.slice(i + 1) };
}
