// Shared helpers of the input contract suites.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AccountEvent, CanonicalRecord, Exchange } from '../../src/core/records.js';
import type { Rejection } from '../../src/core/rejections.js';
import { decodeLine, type DecodeContext, isRejection } from '../../src/decode/index.js';
import { ingest, type IngestResult } from '../../src/order/pipeline.js';
import type { RawLine } from '../../src/sources/file.js';

export const EMAIL_KEY = Buffer.from('contract-test-email-key');
export const CTX: DecodeContext = { emailKey: EMAIL_KEY };
export const TS = '2026-04-22T10:00:00Z';
export const TS_MS = Date.parse(TS);

export function rawLine(v: unknown, line = 1): RawLine {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return { file: 'test.ndjson', line, text, bytes: Buffer.byteLength(text) };
}

export function decode(v: unknown): CanonicalRecord | Rejection {
  return decodeLine(rawLine(v), CTX);
}

export function decodeExchangeOk(v: unknown): Exchange {
  const r = decode(v);
  if (isRejection(r)) throw new Error(`expected an exchange, got rejection ${r.reason}: ${r.detail}`);
  expect(r.kind).toBe('exchange');
  return r as Exchange;
}

export function decodeAccountOk(v: unknown): AccountEvent {
  const r = decode(v);
  if (isRejection(r)) throw new Error(`expected an account, got rejection ${r.reason}: ${r.detail}`);
  expect(r.kind).toBe('account');
  return r as AccountEvent;
}

export function decodeRejected(v: unknown): Rejection {
  const r = decode(v);
  if (!isRejection(r)) throw new Error(`expected a rejection, got a ${r.kind} record`);
  return r;
}

/** Every line read is accepted, rejected or a duplicate; nothing is left buffered. */
export function expectCountsReconcile(res: IngestResult): void {
  const c = res.counts;
  expect(c.buffered).toBe(0);
  expect(c.linesRead).toBe(c.accepted + c.rejected + c.duplicates);
  expect(c.accepted).toBe(res.records.length);
  expect(c.rejected).toBe(res.rejections.length);
  expect(Object.values(c.rejectedByReason).reduce((a, b) => a + b, 0)).toBe(c.rejected);
  expect(c.late).toBe(c.rejectedByReason.late);
  for (let i = 1; i < res.records.length; i++) expect(res.records[i].ts).toBeGreaterThanOrEqual(res.records[i - 1].ts);
}

/** Write `content` to a fresh temp file, ingest it, remove it. */
export async function ingestText(content: string | Buffer, opts: { maxLineBytes?: number; maxLatenessMs?: number } = {}, name = 'input.ndjson'): Promise<IngestResult> {
  const dir = await mkdtemp(join(tmpdir(), 'dg-contract-'));
  try {
    const path = join(dir, name);
    await writeFile(path, content);
    return await ingest([path], { emailKey: EMAIL_KEY, ...opts });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function ndjson(records: unknown[]): string {
  return records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
}
