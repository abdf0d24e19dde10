// Ingest bodies read into shared memory. An NDJSON batch is decoded on the decode workers, in pieces
// (src/engine/decode-pool.ts): a body in an ordinary Buffer is copied once more into a buffer per
// piece to be transferred, on the thread that runs HTTP and the engine (about 1 ms a megabyte, most of
// it first-touch page faults of the new buffers). Read into a SharedArrayBuffer instead, as fastify's
// own `parseAs: 'buffer'` reads into an ordinary one (the chunks copied once, at the end), the
// workers read their pieces where they are. Limits and errors are fastify's: over `bodyLimit` (by
// Content-Length, or as it arrives) 413 FST_ERR_CTP_BODY_TOO_LARGE; fewer or more bytes than
// Content-Length 400 FST_ERR_CTP_INVALID_CONTENT_LENGTH; a stream error 400.
import type { FastifyRequest } from 'fastify';
import fastify from 'fastify';

type Done = (err: Error | null, body?: Buffer) => void;

const { FST_ERR_CTP_BODY_TOO_LARGE, FST_ERR_CTP_INVALID_CONTENT_LENGTH } = fastify.errorCodes;

/**
 * A content-type parser (addContentTypeParser's function form) giving the body as a Buffer: over a
 * SharedArrayBuffer for the requests `inShared` picks, an ordinary one (as `parseAs: 'buffer'`) for
 * the others.
 */
export function sharedBodyParser(limit: number, inShared: (req: FastifyRequest) => boolean = () => true, pool?: SharedBodyPool): (req: FastifyRequest, payload: NodeJS.ReadableStream, done: Done) => void {
  return (req, payload, done) => {
    const contentLength = Number(req.headers['content-length']);
    if (contentLength > limit) return done(new FST_ERR_CTP_BODY_TOO_LARGE());
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (): void => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onEnd);
    };
    const onData = (chunk: Buffer | string): void => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += b.length;
      const encoded = (payload as { receivedEncodedLength?: number }).receivedEncodedLength ?? 0;
      if (received > limit || encoded > limit) {
        stop();
        return done(new FST_ERR_CTP_BODY_TOO_LARGE());
      }
      chunks.push(b);
    };
    function onEnd(err?: Error & { statusCode?: number }): void {
      stop();
      if (err != null) {
        if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
        return done(err);
      }
      const encoded = (payload as { receivedEncodedLength?: number }).receivedEncodedLength;
      if (!Number.isNaN(contentLength) && (encoded || received) !== contentLength) return done(new FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      done(null, inShared(req) ? sharedConcat(chunks, received, pool) : Buffer.concat(chunks, received));
    }
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onEnd);
    payload.resume();
  };
}

/**
 * The chunks back to back in one Buffer of their length over a SharedArrayBuffer: its own, of exactly
 * that length, or one lent by `pool` (maybe longer; the Buffer is a view of its start).
 */
export function sharedConcat(chunks: readonly Buffer[], length: number, pool?: SharedBodyPool): Buffer {
  const out = pool === undefined ? Buffer.from(new SharedArrayBuffer(length)) : pool.lend(length);
  let at = 0;
  for (const c of chunks) at += c.copy(out, at);
  return out;
}

/**
 * SharedArrayBuffers for ingest bodies, used again once a body is done with. A new one is zero-filled
 * and its pages are touched for the first time as the body is copied in: making it cost about as much
 * as the copy (sharedConcat was 2.2 s of self time and half of 4.4 s of copies in 210 s of serve's
 * main thread under a scale-2 burst). And a shared buffer is freed only once every thread that saw it
 * (the decode workers) has collected its garbage, so under a burst freed bodies piled up in the RSS.
 *
 * Sizes are powers of two from 64 KiB; at most FREE_PER_SIZE are kept free per size and
 * FREE_BYTES in all. The caller gives a body back (`giveBack`) only once nothing will read it again:
 * every worker that decodes it has answered, and nothing made from it refers to its bytes.
 */
export class SharedBodyPool {
  static readonly FREE_PER_SIZE = 4;
  static readonly FREE_BYTES = 64 * 2 ** 20;
  private readonly free = new Map<number, SharedArrayBuffer[]>();
  private freeBytes = 0;
  /** Bodies lent and not given back: a body is given back at most once. */
  private readonly lent = new WeakSet<Buffer>();
  /** Lent from a free buffer / newly made, since start (tests, metrics). */
  reused = 0;
  made = 0;

  /** A Buffer of `length` bytes (contents unspecified) over a shared buffer of this pool. */
  lend(length: number): Buffer {
    const size = sizeFor(length);
    const list = this.free.get(size);
    let sab = list?.pop();
    if (sab !== undefined) {
      this.freeBytes -= size;
      this.reused++;
    } else {
      sab = new SharedArrayBuffer(size);
      this.made++;
    }
    const body = Buffer.from(sab, 0, length);
    this.lent.add(body);
    return body;
  }

  /** Takes back a body it lent (anything else, or a body given back already, is ignored). */
  giveBack(body: unknown): void {
    if (!Buffer.isBuffer(body) || !this.lent.delete(body)) return;
    const sab = body.buffer as SharedArrayBuffer;
    const size = sab.byteLength;
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    if (list.length >= SharedBodyPool.FREE_PER_SIZE || this.freeBytes + size > SharedBodyPool.FREE_BYTES) return;
    list.push(sab);
    this.freeBytes += size;
  }

  /** Bytes kept free for the next bodies. */
  get bytesFree(): number {
    return this.freeBytes;
  }
}

function sizeFor(length: number): number {
  let size = 64 * 1024;
  while (size < length) size *= 2;
  return size;
}
