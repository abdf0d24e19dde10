// Real input files: hand-written NDJSON in fixtures/, the same bytes gzipped, with CRLF, on stdin,
// and two inputs read as one stream.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import type { AccountEvent, Exchange } from '../../src/core/records.js';
import { emptyBatch, ingest, Ingestor, type IngestResult } from '../../src/order/pipeline.js';
import { LineSplitter, type RawLine } from '../../src/sources/file.js';
import { EMAIL_KEY, expectCountsReconcile, ingestText } from './helpers.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');
const TRAFFIC = join(FIXTURES, 'traffic.ndjson');
const LATER = join(FIXTURES, 'later.ndjson');

/** What does not depend on the file's name or encoding. */
function essence(res: IngestResult): unknown {
  return {
    counts: res.counts,
    records: res.records,
    rejections: res.rejections.map(({ file: _file, ...r }) => r),
  };
}

const ids = (res: IngestResult): string[] => res.records.map((r) => (r.kind === 'exchange' ? r.id : `account:${r.accountId}`));

describe('fixtures/traffic.ndjson', () => {
  it('reads, rejects, dedupes and orders the hand-written traffic', async () => {
    const res = await ingest([TRAFFIC], { emailKey: EMAIL_KEY });
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ linesRead: 11, accepted: 7, rejected: 3, duplicates: 1, late: 1 });
    expect(res.rejections.map((r) => [r.line, r.reason])).toEqual([
      [7, 'invalid_json'],
      [10, 'late'],
      [11, 'unknown_type'],
    ]);
    expect(ids(res)).toEqual([
      'account:acct_edu_001',
      'msg_01A',
      'chatcmpl-9xA',
      'account:acct_res_002',
      'chatcmpl-9xC',
      'msg_01B',
      'msg_01C',
    ]);
  });

  it('decodes the Anthropic, OpenAI and agentic exchanges', async () => {
    const res = await ingest([TRAFFIC], { emailKey: EMAIL_KEY });
    const byId = new Map(res.records.filter((r): r is Exchange => r.kind === 'exchange').map((r) => [r.id, r]));
    expect(byId.get('msg_01A')).toMatchObject({
      format: 'anthropic',
      model: 'claude-sonnet-4-5',
      system: 'You are an expert competitive programmer. Think step by step.',
      maxTokens: 64000,
      thinking: true,
      thinkingBudget: 32000,
      endUser: 'worker-17',
      inputTokens: 1048,
      outputTokens: 64000,
      stopReason: 'max_tokens',
      client: { asn: 64501, asOrg: 'Example Cloud', sdk: 'python' },
    });
    expect(byId.get('chatcmpl-9xA')).toMatchObject({
      format: 'openai',
      orgId: 'org_lab',
      conversationId: 'conv_1',
      model: 'gpt-5',
      system: 'You are a careful math tutor.',
      prompt: 'Prove that the square root of 2 is irrational.\nShow all reasoning.',
      turns: 1,
      maxTokens: 32768,
      n: 8,
      logprobs: true,
      topLogprobs: 20,
      thinking: true,
      reasoningEffort: 'high',
      endUser: 'hash_u_381',
      reasoningTokens: 12000,
      stopReason: 'stop',
    });
    expect(byId.get('msg_01B')).toMatchObject({ format: 'anthropic', tools: 2, turns: 3, prompt: 'Fix the failing test in src/app.py', stopReason: 'tool_use' });
    expect(byId.get('msg_01C')).toMatchObject({ ts: Date.parse('2026-04-22T09:06:00Z'), status: 529 });
  });

  it('hashes both spellings of one gmail mailbox the same, and keeps their shapes apart', async () => {
    const res = await ingest([TRAFFIC], { emailKey: EMAIL_KEY });
    const [edu, lab] = res.records.filter((r): r is AccountEvent => r.kind === 'account');
    expect(edu.emailHash).toBe(lab.emailHash);
    expect([edu.emailPattern, lab.emailPattern]).toEqual(['a.a9+a', 'a.a.a.9']);
    expect(JSON.stringify(res.records)).not.toMatch(/wei/i);
    expect(edu).toMatchObject({ country: 'SG', plan: 'education', emailDomain: 'gmail.com', links: { device_id: 'dev_7f3a' } });
  });

  it('reads the same records from the file gzipped (made here), with CRLF, and from stdin', async () => {
    const bytes = await readFile(TRAFFIC);
    const plain = essence(await ingest([TRAFFIC], { emailKey: EMAIL_KEY }));
    expect(essence(await ingestText(gzipSync(bytes), {}, 'traffic.ndjson.gz'))).toEqual(plain);
    expect(essence(await ingestText(gzipSync(bytes), {}, 'traffic-no-extension'))).toEqual(plain);
    const crlf = Buffer.from(bytes.toString('utf8').replaceAll('\n', '\r\n'));
    expect(essence(await ingestText(crlf))).toEqual(plain);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    expect(essence(await ingestText(bom))).toEqual(plain);
    const stdin = new PassThrough();
    stdin.end(gzipSync(bytes));
    const fromStdin = await ingest(['-'], { emailKey: EMAIL_KEY, stdin });
    expect(essence(fromStdin)).toEqual(plain);
    expect(fromStdin.rejections[0].file).toBe('-');
  });

  it('reads several inputs as one stream: dedupe across files, line numbers per file', async () => {
    const res = await ingest([TRAFFIC, LATER], { emailKey: EMAIL_KEY });
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ linesRead: 14, accepted: 9, rejected: 3, duplicates: 2 });
    expect(ids(res).slice(-2)).toEqual(['account:acct_edu_001', 'msg_02A']);
    // later.ndjson has no bad lines: its replayed id is a duplicate, not a rejection
    expect(res.rejections.every((r) => r.file === TRAFFIC)).toBe(true);
  });

  it('push-style (a server feeding body chunks as they arrive) gives the same result', async () => {
    const bytes = await readFile(TRAFFIC);
    // a 1-minute bound, so that records leave while later lines are still arriving
    const opts = { emailKey: EMAIL_KEY, maxLatenessMs: 60_000 };
    const ingestor = new Ingestor(opts);
    const splitter = new LineSplitter(TRAFFIC, { maxLineBytes: 1 << 20 });
    const out = emptyBatch();
    const seenBeforeFlush: number[] = [];
    for (let i = 0; i < bytes.length; i += 97) {
      const lines: RawLine[] = [];
      splitter.push(bytes.subarray(i, i + 97), lines);
      ingestor.pushAll(lines, out);
      seenBeforeFlush.push(out.records.length);
    }
    const last: RawLine[] = [];
    splitter.end(last);
    ingestor.pushAll(last, out);
    expect(ingestor.counts().buffered).toBeGreaterThan(0);
    ingestor.flush(out);
    const pulled = await ingest([TRAFFIC], opts);
    expect({ ...out, counts: ingestor.counts() }).toEqual(pulled);
    const byDefault = await ingest([TRAFFIC], { emailKey: EMAIL_KEY });
    // same records; the replayed chatcmpl-9xA is now late (checked first) rather than a duplicate
    expect(pulled.records).toEqual(byDefault.records);
    expect([pulled.counts.late, pulled.counts.duplicates]).toEqual([2, 0]);
    // records were released while lines were still arriving, not only at the end
    expect(seenBeforeFlush.some((n) => n > 0)).toBe(true);
  });

  it('a missing input ends the run before anything is read', async () => {
    await expect(ingest([TRAFFIC, join(FIXTURES, 'missing.ndjson')], { emailKey: EMAIL_KEY })).rejects.toThrow(InputError);
  });
});
