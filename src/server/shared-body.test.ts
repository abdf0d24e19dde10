// Ingest bodies read into shared memory must be the bytes sent, with fastify's own limits and errors.
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedBodyPool, sharedBodyParser, sharedConcat } from './shared-body.js';

describe('ingest bodies in shared memory', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { bodyLimit: 1000 }, sharedBodyParser(1000, (req) => req.routeOptions.url === '/shared'));
    const describeBody = (body: unknown): object => ({ shared: Buffer.isBuffer(body) && body.buffer instanceof SharedArrayBuffer, hex: Buffer.isBuffer(body) ? body.toString('hex') : null });
    app.post('/shared', async (req) => describeBody(req.body));
    app.post('/plain', async (req) => describeBody(req.body));
    await app.ready();
  });
  afterAll(() => app.close());

  it('gives the bytes sent, in shared memory for the routes asked and in an ordinary Buffer for the others', async () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"Größe"}\n'), Buffer.from([0xff, 0x00, 0x0a])]);
    for (const [url, shared] of [['/shared', true], ['/plain', false]] as const) {
      const res = await app.inject({ method: 'POST', url, payload: bytes, headers: { 'content-type': 'application/x-ndjson' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ shared, hex: bytes.toString('hex') });
    }
    // Many chunks, as a socket delivers them.
    const chunks = Array.from({ length: 30 }, (_, i) => Buffer.from(`{"i":${i}}\n`));
    const res = await app.inject({ method: 'POST', url: '/shared', payload: Readable.from(chunks), headers: { 'content-type': 'application/x-ndjson' } });
    expect(res.json()).toEqual({ shared: true, hex: Buffer.concat(chunks).toString('hex') });
  });

  it('refuses a body over the limit (by Content-Length or as it arrives) with 413, and a Content-Length that does not match with 400', async () => {
    const big = Buffer.alloc(1001, 0x61);
    const declared = await app.inject({ method: 'POST', url: '/shared', payload: big, headers: { 'content-type': 'application/x-ndjson' } });
    expect([declared.statusCode, declared.json().code]).toEqual([413, 'FST_ERR_CTP_BODY_TOO_LARGE']);
    const streamed = await app.inject({ method: 'POST', url: '/shared', payload: Readable.from([big.subarray(0, 600), big.subarray(600)]), headers: { 'content-type': 'application/x-ndjson' } });
    expect([streamed.statusCode, streamed.json().code]).toEqual([413, 'FST_ERR_CTP_BODY_TOO_LARGE']);
    const short = await app.inject({ method: 'POST', url: '/shared', payload: Readable.from([Buffer.from('abc')]), headers: { 'content-type': 'application/x-ndjson', 'content-length': '10' } });
    expect([short.statusCode, short.json().code]).toEqual([400, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH']);
  });

  it('concatenates into a SharedArrayBuffer of exactly the length', () => {
    const b = sharedConcat([Buffer.from('ab'), Buffer.from(''), Buffer.from('cde')], 5);
    expect(b.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([b.byteLength, b.buffer.byteLength, b.toString()]).toEqual([5, 5, 'abcde']);
  });

  it('lends bodies from a pool: the bytes given, over a shared buffer of a power-of-two size, used again once given back (once)', () => {
    const pool = new SharedBodyPool();
    const a = sharedConcat([Buffer.from('hello '), Buffer.from('world')], 11, pool);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([a.toString(), a.byteLength, a.buffer.byteLength]).toEqual(['hello world', 11, 64 * 1024]);
    const big = pool.lend(100_000);
    expect([big.byteLength, big.buffer.byteLength]).toEqual([100_000, 128 * 1024]);
    pool.giveBack(a);
    pool.giveBack(a); // twice: ignored, or two bodies would share one buffer
    pool.giveBack(Buffer.from(new SharedArrayBuffer(64 * 1024))); // not lent: ignored
    const b = sharedConcat([Buffer.from('next')], 4, pool);
    expect(b.buffer).toBe(a.buffer);
    expect(b.toString()).toBe('next');
    const c = pool.lend(10);
    expect(c.buffer).not.toBe(a.buffer);
    expect([pool.reused, pool.made]).toEqual([1, 3]);
  });

  it('keeps at most FREE_PER_SIZE buffers free per size and FREE_BYTES in all', () => {
    const pool = new SharedBodyPool();
    const small = Array.from({ length: SharedBodyPool.FREE_PER_SIZE + 2 }, () => pool.lend(1000));
    for (const b of small) pool.giveBack(b);
    expect(pool.bytesFree).toBe(SharedBodyPool.FREE_PER_SIZE * 64 * 1024);
    const huge = Array.from({ length: 3 }, () => pool.lend(SharedBodyPool.FREE_BYTES / 2));
    for (const b of huge) pool.giveBack(b);
    expect(pool.bytesFree).toBeLessThanOrEqual(SharedBodyPool.FREE_BYTES);
    expect(pool.bytesFree).toBe(SharedBodyPool.FREE_PER_SIZE * 64 * 1024 + SharedBodyPool.FREE_BYTES / 2);
  });
});
