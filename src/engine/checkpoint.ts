// Checkpoint files: a versioned snapshot of a pipeline's state (the engine and the stages around it,
// src/core/state-graph.ts) with what the caller needs to resume from it (`meta`: e.g. the ingest-log
// batch it covers). One file: a JSON header line, then the state's bytes.
//
//   {"format":"distillguard-checkpoint","version":1,"kinds":…,"config":…,"meta":{…},"bytes":N,"sha256":…[,"enc":{…}]}\n<N bytes>
//
// `kinds` names the class registry and `config` is a digest of the engine configuration: a checkpoint
// written under another registry (another build) or configuration is refused, as is one whose bytes do
// not match their digest (a torn or altered file). Written atomically: a temporary file, fsync, rename,
// fsync of the folder, so a crash leaves the old checkpoint or the new one, never half of one.
// With a key (the ingest log's), the state is sealed with AES-256-GCM under a key derived by HKDF from
// it and a random salt: a checkpoint holds what the log holds (records waiting in the ordering buffer).
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { kindsFingerprint, readStateGraph, writeStateGraph, type StateKinds } from '../core/state-graph.js';

export const CHECKPOINT_FORMAT = 'distillguard-checkpoint';
/** Bumped whenever what a stage keeps changes meaning without changing its fields. */
export const CHECKPOINT_VERSION = 1;
const KEY_INFO = 'distillguard-checkpoint-v1';

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export interface CheckpointSpec {
  kinds: StateKinds;
  /** The configuration the state was built under (compared by digest). */
  config: unknown;
  /** Objects under the root that are wiring, not state (the configuration itself, contexts holding keys). */
  wiring?: readonly object[];
  /** 32-byte key: the state is encrypted at rest. */
  key?: Buffer;
}

export interface Header {
  format: string;
  version: number;
  kinds: string;
  config: string;
  meta: Record<string, unknown>;
  bytes: number;
  sha256: string;
  enc?: { alg: string; kdf: string; salt: string; key_id: string };
}

/** The checkpoint of `root` as bytes (synchronous: the state is one cut, taken between two events). */
export function encodeCheckpoint(root: object, spec: CheckpointSpec, meta: Record<string, unknown>): Buffer {
  const seal = sealParts(writeStateGraph(root, spec.kinds, spec.wiring), spec, meta);
  let r = seal.next();
  while (r.done !== true) r = seal.next();
  return Buffer.concat(r.value);
}

/** Bytes hashed (and encrypted) between two turns of the event loop: a few ms of work. */
const SEAL_CHUNK = 1 << 20;

/**
 * A checkpoint of state bytes written by a StateGraphWriter, sealed (digest, and encryption with a
 * key) a chunk at a time with a turn of the event loop between chunks: the header line and the body,
 * for saveCheckpoint.
 */
export async function sealCheckpoint(state: Buffer, spec: CheckpointSpec, meta: Record<string, unknown>): Promise<Buffer[]> {
  const seal = sealParts(state, spec, meta);
  for (let r = seal.next(); ; r = seal.next()) {
    if (r.done === true) return r.value;
    await new Promise((done) => setImmediate(done));
  }
}

/** Seals the state (see sealCheckpoint), yielding after each chunk; returns the header line and the body. */
function* sealParts(state: Buffer, spec: CheckpointSpec, meta: Record<string, unknown>): Generator<void, Buffer[]> {
  const head: Header = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, kinds: digest(kindsFingerprint(spec.kinds)), config: digest(canonicalJson(spec.config)), meta, bytes: 0, sha256: '' };
  const hash = createHash('sha256');
  let body: Buffer[];
  if (spec.key !== undefined) {
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', derive(spec.key, salt), iv);
    c.setAAD(Buffer.from(CHECKPOINT_FORMAT));
    body = [iv];
    for (let off = 0; off < state.length; off += SEAL_CHUNK) {
      body.push(c.update(state.subarray(off, off + SEAL_CHUNK)));
      yield;
    }
    body.push(c.final(), c.getAuthTag());
    head.enc = { alg: 'aes-256-gcm', kdf: 'hkdf-sha256', salt: salt.toString('base64'), key_id: keyId(spec.key) };
  } else body = [state];
  for (const part of body) {
    for (let off = 0; off < part.length; off += SEAL_CHUNK) {
      hash.update(part.subarray(off, off + SEAL_CHUNK));
      yield;
    }
  }
  head.bytes = body.reduce((n, b) => n + b.length, 0);
  head.sha256 = hash.digest('hex');
  return [Buffer.from(`${JSON.stringify(head)}\n`), ...body];
}

/** Writes a checkpoint file atomically (temporary file, fsync, rename, fsync of the folder); mode 0600. */
export async function saveCheckpoint(path: string, bytes: Buffer | readonly Buffer[]): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    for (const part of Buffer.isBuffer(bytes) ? [bytes] : bytes) {
      let off = 0;
      while (off < part.length) off += (await fh.write(part, off, part.length - off)).bytesWritten;
    }
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  const d = await open(dirname(path), 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** The header of a checkpoint file (its meta), checked for format and version, without reading the state. */
export function checkpointHeader(path: string, file: Buffer): Header {
  const nl = file.indexOf(0x0a);
  let head: Header;
  try {
    head = JSON.parse(file.toString('utf8', 0, nl < 0 ? Math.min(file.length, 4096) : nl)) as Header;
  } catch {
    throw new CheckpointError(`${path} is not a distillguard checkpoint`);
  }
  if (head.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${path} is not a distillguard checkpoint`);
  if (head.version !== CHECKPOINT_VERSION) throw new CheckpointError(`${path} is checkpoint version ${String(head.version)}; this distillguard reads version ${CHECKPOINT_VERSION}`);
  return head;
}

/** The header of a checkpoint file read from its first bytes (the state is not read). */
export async function readCheckpointHeader(path: string): Promise<Header> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 << 10);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return checkpointHeader(path, buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/**
 * Restores the state of a checkpoint file into `root` (built fresh under the same configuration) and
 * returns its meta. Refuses a checkpoint of another version, class registry or configuration, a torn
 * or altered file, and an encrypted one without its key.
 */
export async function loadCheckpoint(path: string, root: object, spec: CheckpointSpec): Promise<Record<string, unknown>> {
  const file = await readFile(path);
  const head = checkpointHeader(path, file);
  if (head.kinds !== digest(kindsFingerprint(spec.kinds))) throw new CheckpointError(`${path} was written by a build whose state is made of other classes; it cannot be restored here`);
  if (head.config !== digest(canonicalJson(spec.config))) throw new CheckpointError(`${path} was written under another engine configuration; it cannot be restored under this one`);
  const start = file.indexOf(0x0a) + 1;
  let body = file.subarray(start);
  if (body.length !== head.bytes) throw new CheckpointError(`${path} holds ${body.length} bytes of state where its header says ${head.bytes}: the file is torn`);
  if (createHash('sha256').update(body).digest('hex') !== head.sha256) throw new CheckpointError(`${path}: the state does not match its checksum; the file is corrupt`);
  if (head.enc !== undefined) {
    if (spec.key === undefined) throw new CheckpointError(`${path} is encrypted: give the ingest log key (--log-key-file)`);
    if (head.enc.key_id !== keyId(spec.key)) throw new CheckpointError(`${path} was encrypted under another key (key id ${head.enc.key_id})`);
    const d = createDecipheriv('aes-256-gcm', derive(spec.key, Buffer.from(head.enc.salt, 'base64')), body.subarray(0, 12));
    d.setAAD(Buffer.from(CHECKPOINT_FORMAT));
    d.setAuthTag(body.subarray(body.length - 16));
    try {
      body = Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]);
    } catch {
      throw new CheckpointError(`${path}: the encrypted state does not authenticate; the file was altered`);
    }
  } else if (spec.key !== undefined) throw new CheckpointError(`${path} is not encrypted, and the ingest log is: refusing plaintext state`);
  readStateGraph(root, body, spec.kinds);
  return head.meta;
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function derive(key: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, salt, KEY_INFO, 32));
}

/** JSON with object keys sorted, so that equal configurations have one digest. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}
