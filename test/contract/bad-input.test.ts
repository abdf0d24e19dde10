// Every kind of bad input in the contract, through the whole input side
// (readLines → decode → dedupe → order): its reject code, its line number, the field it names, and
// `lines read = accepted + rejected + duplicates`.
import { describe, expect, it } from 'vitest';
import type { RejectCode } from '../../src/core/rejections.js';
import { expectCountsReconcile, ingestText, ndjson, TS, TS_MS } from './helpers.js';

type Json = Record<string, unknown>;

const exchange = (id: string, extra: Json = {}): Json => ({
  type: 'exchange',
  id,
  ts: TS,
  account_id: 'acct_1',
  request: { max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
  ...extra,
});
const account = (extra: Json = {}): Json => ({ type: 'account', account_id: 'acct_1', ts: TS, ...extra });
const without = (o: Json, key: string): Json => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const bodyWith = (extra: Json): Json => exchange('bad', { request: { max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...extra } });

/** [name, the bad line (a string is written as is), reject code, the field the detail names ('' = none)] */
const CASES: [string, unknown, RejectCode, string][] = [
  ['not JSON', '{"type":"exchange","id":', 'invalid_json', ''],
  ['plain text', 'GET /v1/messages 200', 'invalid_json', ''],
  ['a JSON array', '[{"type":"exchange"}]', 'invalid_json', ''],
  ['a JSON string', '"exchange"', 'invalid_json', ''],
  ['a JSON number', '42', 'invalid_json', ''],
  ['JSON null', 'null', 'invalid_json', ''],
  ['no type', without(exchange('x'), 'type'), 'missing_field', 'type'],
  ['exchange without id', without(exchange('x'), 'id'), 'missing_field', 'id'],
  ['exchange without ts', without(exchange('x'), 'ts'), 'missing_field', 'ts'],
  ['exchange without account_id', without(exchange('x'), 'account_id'), 'missing_field', 'account_id'],
  ['exchange without request', without(exchange('x'), 'request'), 'missing_field', 'request'],
  ['exchange with null id', exchange('x', { id: null }), 'missing_field', 'id'],
  ['account without account_id', without(account(), 'account_id'), 'missing_field', 'account_id'],
  ['account without ts', without(account(), 'ts'), 'missing_field', 'ts'],
  ['type a number', exchange('x', { type: 1 }), 'wrong_type', 'type'],
  ['account_id a number', exchange('x', { account_id: 12345 }), 'wrong_type', 'account_id'],
  ['id an empty string', exchange(''), 'wrong_type', 'id'],
  ['key_id an object', exchange('x', { key_id: { id: 1 } }), 'wrong_type', 'key_id'],
  ['status a string', exchange('x', { status: '200' }), 'wrong_type', 'status'],
  ['status out of range', exchange('x', { status: 2000 }), 'wrong_type', 'status'],
  ['n a string', bodyWith({ n: '3' }), 'wrong_type', 'request.n'],
  ['max_tokens negative', bodyWith({ max_tokens: -5 }), 'wrong_type', 'request.max_tokens'],
  ['client not an object', exchange('x', { client: 'curl' }), 'wrong_type', 'client'],
  ['client.asn a string', exchange('x', { client: { asn: 'AS13335' } }), 'wrong_type', 'client.asn'],
  ['client.asn a fraction', exchange('x', { client: { asn: 133.35 } }), 'wrong_type', 'client.asn'],
  ['client.country not alpha-2', exchange('x', { client: { country: 'Germany' } }), 'wrong_type', 'client.country'],
  ['response.usage tokens a string', exchange('x', { response: { usage: { output_tokens: '10' } } }), 'wrong_type', 'response.usage.output_tokens'],
  ['links not string to string', account({ links: { device_id: 42 } }), 'wrong_type', 'links.device_id'],
  ['verification not in its enum', account({ verification: 'passport' }), 'wrong_type', 'verification'],
  ['plan not in its enum', account({ plan: 'gold' }), 'wrong_type', 'plan'],
  ['unknown type', { type: 'completion', id: 'x', ts: TS }, 'unknown_type', 'type'],
  ['type in capitals', exchange('x', { type: 'Exchange' }), 'unknown_type', 'type'],
  ['impossible timestamp 2026-13-45T99:00:00Z', exchange('x', { ts: '2026-13-45T99:00:00Z' }), 'bad_timestamp', 'ts'],
  ['February 30th', exchange('x', { ts: '2026-02-30T10:00:00Z' }), 'bad_timestamp', 'ts'],
  ['hour 24', exchange('x', { ts: '2026-04-22T24:00:00Z' }), 'bad_timestamp', 'ts'],
  ['offset +25:00', exchange('x', { ts: '2026-04-22T10:00:00+25:00' }), 'bad_timestamp', 'ts'],
  ['year 1970', exchange('x', { ts: '1970-01-01T00:00:00Z' }), 'bad_timestamp', 'ts'],
  ['epoch seconds (1970 as milliseconds)', exchange('x', { ts: Math.floor(TS_MS / 1000) }), 'bad_timestamp', 'ts'],
  ['fractional epoch milliseconds', exchange('x', { ts: TS_MS + 0.5 }), 'bad_timestamp', 'ts'],
  ['not a date at all', exchange('x', { ts: 'yesterday' }), 'bad_timestamp', 'ts'],
  ['year 2150', exchange('x', { ts: '2150-01-01T00:00:00Z' }), 'bad_timestamp', 'ts'],
  ['ts a boolean', exchange('x', { ts: true }), 'wrong_type', 'ts'],
  ['account created_at impossible', account({ created_at: '2026-00-10T00:00:00Z' }), 'bad_timestamp', 'created_at'],
  ['request not an object', exchange('x', { request: 'hello' }), 'wrong_type', 'request'],
  ['request without messages', exchange('x', { request: { prompt: 'hi', max_tokens: 5 } }), 'bad_body', 'request.messages'],
  ['request mixing both shapes', bodyWith({ system: 'a', messages: [{ role: 'developer', content: 'b' }] }), 'bad_body', 'request'],
  ['a message with an unknown role', bodyWith({ messages: [{ role: 'robot', content: 'x' }] }), 'bad_body', 'request.messages[0].role'],
  ['an unknown field nested 65 deep (the limit is 64, as in serve)', exchange('x', { meta: nested(64) }), 'too_deep', ''],
];

/** An array nested `depth` levels deep (the record around it adds one). */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('bad input through the input side', () => {
  it.each(CASES)('%s → rejected', async (_name, bad, reason, field) => {
    const text = typeof bad === 'string' ? bad : JSON.stringify(bad);
    const res = await ingestText(ndjson([exchange('ok_1'), text, exchange('ok_2')]));
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ linesRead: 3, accepted: 2, rejected: 1, duplicates: 0 });
    expect(res.counts.rejectedByReason[reason]).toBe(1);
    const [r] = res.rejections;
    expect(r).toMatchObject({ line: 2, reason, raw: text });
    expect(r.stage).toBe('decode');
    expect(r.file).toMatch(/input\.ndjson$/);
    if (field !== '') expect(r.detail.startsWith(`${field}:`), r.detail).toBe(true);
    expect(r.detail).not.toContain('\n');
  });

  it('too deep: 100,000 levels are rejected with their reason, and 64 levels are accepted', async () => {
    const deep = `{"type":"exchange","id":"deep","ts":"${TS}","account_id":"acct_1","meta":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const res = await ingestText(ndjson([exchange('a', { meta: nested(63) }), deep, exchange('b')]));
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ linesRead: 3, accepted: 2, rejected: 1 });
    expect(res.rejections[0]).toMatchObject({ line: 2, reason: 'too_deep', stage: 'decode', detail: 'objects and arrays nested deeper than 64 levels' });
  });

  it('late: more than max lateness older than the newest ts seen', async () => {
    const at = (id: string, min: number): Json => exchange(id, { ts: TS_MS + min * 60_000 });
    const res = await ingestText(
      ndjson([at('a', 0), at('b', 30), at('c', 25), at('d', 19), at('e', 20), account({ ts: TS_MS + 5 * 60_000 }), at('f', 31)]),
      { maxLatenessMs: 10 * 60_000 },
    );
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ linesRead: 7, accepted: 5, rejected: 2, late: 2, duplicates: 0 });
    expect(res.rejections.map((r) => [r.line, r.reason, r.stage])).toEqual([
      [4, 'late', 'order'],
      [6, 'late', 'order'],
    ]);
    expect(res.rejections[0].detail).toBe(
      'ts: 2026-04-22T10:19:00.000Z is 660s older than the newest ts seen (2026-04-22T10:30:00.000Z); max lateness 600s',
    );
    expect(res.records.map((r) => (r.kind === 'exchange' ? r.id : '?'))).toEqual(['a', 'e', 'c', 'b', 'f']);
  });

  it('the default max lateness is 10 minutes', async () => {
    const res = await ingestText(ndjson([exchange('a', { ts: TS_MS + 600_001 }), exchange('b'), exchange('c', { ts: TS_MS + 1 })]));
    expect(res.rejections.map((r) => r.line)).toEqual([2]);
    expectCountsReconcile(res);
  });

  it('too large: over the line limit, cut to 1 KiB, never parsed', async () => {
    const big = JSON.stringify(exchange('big', { request: { messages: [{ role: 'user', content: 'x'.repeat(5000) }] } }));
    const res = await ingestText(ndjson([exchange('a'), big, exchange('b')]), { maxLineBytes: 4096 });
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ linesRead: 3, accepted: 2, rejected: 1 });
    const [r] = res.rejections;
    expect(r).toMatchObject({ line: 2, reason: 'too_large', stage: 'source', detail: `line is ${big.length} bytes, over the size limit` });
    expect(r.raw).toBe(big.slice(0, 1024));
  });

  it('cuts every rejected raw line to 1 KiB', async () => {
    const long = `{"type":"exchange","id":"x","text":"${'y'.repeat(3000)}"`;
    const res = await ingestText(ndjson([long]));
    expect(res.rejections[0].raw.length).toBe(1024);
  });

  it('duplicates: a repeated exchange id is counted and skipped, not rejected', async () => {
    const res = await ingestText(
      ndjson([exchange('a'), exchange('b'), exchange('a', { ts: TS_MS + 1000, account_id: 'other' }), exchange('b'), exchange('a')]),
    );
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ linesRead: 5, accepted: 2, rejected: 0, duplicates: 3 });
    expect(res.records.map((r) => (r.kind === 'exchange' ? [r.id, r.accountId] : []))).toEqual([
      ['a', 'acct_1'],
      ['b', 'acct_1'],
    ]);
  });

  it('account records are never duplicates: a later one updates the earlier', async () => {
    const res = await ingestText(ndjson([account({ plan: 'free' }), account({ plan: 'free' }), account({ plan: 'paid' })]));
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ accepted: 3, duplicates: 0 });
  });

  it('a late copy does not mark its id: a later copy in time is accepted', async () => {
    const res = await ingestText(
      ndjson([exchange('new', { ts: TS_MS + 3_600_000 }), exchange('old'), exchange('old', { ts: TS_MS + 3_600_000 })]),
    );
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ accepted: 2, late: 1, duplicates: 0 });
  });

  it('a duplicate of a rejected line is decoded on its own merits', async () => {
    const res = await ingestText(ndjson([exchange('a', { status: 'x' }), exchange('a')]));
    expect(res.counts).toMatchObject({ accepted: 1, rejected: 1, duplicates: 0 });
  });

  it('blank lines are not lines read, but count for line numbers', async () => {
    const res = await ingestText(`\n${JSON.stringify(exchange('a'))}\n\n   \n{bad\n\n`);
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ linesRead: 2, accepted: 1, rejected: 1 });
    expect(res.rejections[0].line).toBe(5);
  });

  it('redacts e-mail addresses in rejected raw lines', async () => {
    const res = await ingestText(ndjson([account({ email: 'victim.name@gmail.com', plan: 'gold' }), 'oops jane@corp.example.com {']));
    expect(res.rejections.map((r) => r.raw)).toEqual([
      JSON.stringify(account({ email: '[email]', plan: 'gold' })),
      'oops [email] {',
    ]);
  });

  it('a bad line at every position keeps the identity', async () => {
    const lines = [exchange('a'), '[]', exchange('a'), exchange('b', { ts: TS_MS - 3_600_000 }), 'x'.repeat(300), account(), exchange('c')];
    const res = await ingestText(ndjson(lines), { maxLineBytes: 256 });
    expectCountsReconcile(res);
    expect(res.counts).toMatchObject({ linesRead: 7, accepted: 3, rejected: 3, duplicates: 1, late: 1 });
    expect(res.counts.rejectedByReason).toMatchObject({ invalid_json: 1, late: 1, too_large: 1 });
  });
});
