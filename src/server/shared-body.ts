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
export function sharedBodyParser(limit: number, inShared: (req: FastifyRequest) => boolean = () => true): (req: FastifyRequest, payload: NodeJS.ReadableStream, done: Done) => void {
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
      done(null, inShared(req) ? sharedConcat(chunks, received) : Buffer.concat(chunks, received));
    }
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onEnd);
    payload.resume();
  };
}

/** The chunks back to back in one Buffer over a SharedArrayBuffer of exactly their length. */
export function sharedConcat(chunks: readonly Buffer[], length: number): Buffer {
  const out = Buffer.from(new SharedArrayBuffer(length));
  let at = 0;
  for (const c of chunks) at += c.copy(out, at);
  return out;
}
