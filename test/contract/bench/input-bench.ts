// Micro-benchmark of the input side (not a test): read, decode, ingest throughput, and the zod
// alternative to the hand-written decode checks. Build and run:
//   npx tsc -p tsconfig.json --outDir /tmp/dg-bench   (or compile just this file and its imports)
//   node /tmp/dg-bench/test/contract/bench/input-bench.js [lines=400000]
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { z } from 'zod';
import { decodeExchange, decodeLine } from '../../../src/decode/index.js';
import { ingest } from '../../../src/order/pipeline.js';
import { readLines, type RawLine } from '../../../src/sources/file.js';

const T0 = Date.UTC(2026, 3, 22);

function line(i: number): string {
  const ts = new Date(T0 + i * 50 + (i % 7) * 1000).toISOString();
  if (i % 50 === 49) {
    return JSON.stringify({
      type: 'account',
      account_id: `acct_${i % 5000}`,
      ts,
      created_at: ts,
      email: `John.Smith${i}+promo@gmail.com`,
      payment_fingerprint: `pf_${i % 333}`,
      country: 'SG',
      verification: 'email',
      plan: 'free',
      links: { device_id: `d${i % 99}` },
    });
  }
  const client = { ip: `203.0.113.${i % 250}`, asn: 64500 + (i % 20), as_org: 'Example Hosting', country: 'SG', user_agent: 'sdk/1.0', tls_fingerprint: 't13d1516h2_8daaf6152771', sdk: 'python' };
  if (i % 2 === 0) {
    return JSON.stringify({
      type: 'exchange',
      id: `req_${i.toString(36)}`,
      ts,
      account_id: `acct_${i % 5000}`,
      key_id: `key_${i % 9000}`,
      model: 'claude-sonnet-4-5',
      request: {
        model: 'claude-sonnet-4-5',
        max_tokens: 8192,
        system: 'You are a helpful assistant that writes careful code.',
        messages: [
          { role: 'user', content: `Write a function that computes the ${i}th prime number, explain your reasoning step by step.` },
          { role: 'assistant', content: [{ type: 'text', text: 'Sure. Here is a sieve-based approach with an explanation of each step.' }] },
          { role: 'user', content: [{ type: 'text', text: 'Now make it faster and prove its complexity. Café ünïcode.' }] },
        ],
        thinking: { type: 'enabled', budget_tokens: 4096 },
        metadata: { user_id: `u${i % 100}` },
      },
      response: { usage: { input_tokens: 120, output_tokens: 3000 }, stop_reason: 'end_turn' },
      client,
      status: 200,
    });
  }
  return JSON.stringify({
    type: 'exchange',
    id: `chatcmpl-${i.toString(36)}`,
    ts,
    account_id: `acct_${i % 5000}`,
    model: 'gpt-5',
    request: {
      model: 'gpt-5',
      messages: [
        { role: 'developer', content: 'You are a helpful assistant.' },
        { role: 'user', content: [{ type: 'text', text: `Solve problem ${i}: integrate x^2 sin x, show all steps.` }] },
      ],
      max_completion_tokens: 16000,
      n: 4,
      logprobs: true,
      top_logprobs: 5,
      reasoning_effort: 'high',
      safety_identifier: `sid${i % 77}`,
    },
    response: { usage: { prompt_tokens: 90, completion_tokens: 12000, completion_tokens_details: { reasoning_tokens: 8000 } }, choices: [{ finish_reason: 'length' }] },
    client,
  });
}

async function writeInput(path: string, n: number, gzip: boolean): Promise<void> {
  async function* gen(): AsyncGenerator<string> {
    const batch: string[] = [];
    for (let i = 0; i < n; i++) {
      batch.push(line(i));
      if (batch.length === 1000) {
        yield `${batch.join('\n')}\n`;
        batch.length = 0;
      }
    }
    if (batch.length > 0) yield `${batch.join('\n')}\n`;
  }
  if (gzip) await pipeline(Readable.from(gen()), createGzip({ level: 6 }), createWriteStream(path));
  else await pipeline(Readable.from(gen()), createWriteStream(path));
}

function time<T>(f: () => T): [T, number] {
  const t = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

async function timeAsync<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await f();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

// A zod v4 schema doing the same checks as decode's hand-written ones, for comparison only.
const Str = z.string().min(1);
const Ts = z.union([z.string(), z.number().int()]);
const Part = z.looseObject({ type: z.string(), text: z.string().optional() });
const Message = z.looseObject({
  role: z.enum(['user', 'assistant', 'system', 'developer', 'tool', 'function']),
  content: z.union([z.string(), z.array(Part), z.null()]).optional(),
});
const ExchangeSchema = z.looseObject({
  type: z.literal('exchange'),
  id: Str,
  ts: Ts,
  account_id: Str,
  key_id: z.string().nullish(),
  org_id: z.string().nullish(),
  conversation_id: z.string().nullish(),
  model: z.string().nullish(),
  status: z.number().int().min(100).max(599).nullish(),
  request: z.looseObject({
    messages: z.array(Message),
    system: z.union([z.string(), z.array(Part)]).nullish(),
    max_tokens: z.number().int().min(0).nullish(),
    max_completion_tokens: z.number().int().min(0).nullish(),
    n: z.number().int().min(1).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).nullish(),
    temperature: z.number().nullish(),
    reasoning_effort: z.string().nullish(),
    thinking: z.looseObject({ type: z.string(), budget_tokens: z.number().int().min(0).optional() }).nullish(),
    metadata: z.looseObject({ user_id: z.string().optional() }).nullish(),
    user: z.string().nullish(),
    safety_identifier: z.string().nullish(),
    tools: z.array(z.unknown()).nullish(),
  }),
  response: z
    .looseObject({
      usage: z
        .looseObject({
          input_tokens: z.number().int().min(0).optional(),
          output_tokens: z.number().int().min(0).optional(),
          prompt_tokens: z.number().int().min(0).optional(),
          completion_tokens: z.number().int().min(0).optional(),
          completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().int().min(0).optional() }).optional(),
        })
        .optional(),
      stop_reason: z.string().nullish(),
    })
    .nullish(),
  client: z
    .looseObject({
      ip: z.string().optional(),
      asn: z.number().int().min(0).optional(),
      as_org: z.string().optional(),
      country: z.string().regex(/^[A-Za-z]{2}$/).optional(),
      user_agent: z.string().optional(),
      tls_fingerprint: z.string().optional(),
      sdk: z.string().optional(),
    })
    .nullish(),
});

async function decodeBench(plain: string, emailKey: Buffer, say: (s: string) => void): Promise<void> {
  const lines: RawLine[] = [];
  for await (const b of readLines(plain, { maxLineBytes: 1 << 20 })) for (const l of b) lines.push(l);
  const ctx = { emailKey };
  const exchanges = lines.map((l) => JSON.parse(l.text) as Record<string, unknown>).filter((o) => o.type === 'exchange');
  for (let rep = 0; rep < 3; rep++) {
    const [, sParse] = time(() => {
      let k = 0;
      for (const l of lines) k += (JSON.parse(l.text) as { ts: string }).ts.length;
      return k;
    });
    const [rejected, sDecode] = time(() => {
      let r = 0;
      for (const l of lines) if (!('kind' in decodeLine(l, ctx))) r++;
      return r;
    });
    const [, sHand] = time(() => {
      let k = 0;
      for (const o of exchanges) k += decodeExchange(o).turns;
      return k;
    });
    const [, sZod] = time(() => {
      let bad = 0;
      for (const o of exchanges) if (!ExchangeSchema.safeParse(o).success) bad++;
      return bad;
    });
    say(
      `decode: JSON.parse alone ${(lines.length / sParse / 1e3).toFixed(0)}k lines/s; decodeLine (parse + checks + record) ${(lines.length / sDecode / 1e3).toFixed(0)}k lines/s (${rejected} rejected); ` +
        `on parsed exchanges: decodeExchange ${(exchanges.length / sHand / 1e3).toFixed(0)}k/s vs zod safeParse (validation only, no record built) ${(exchanges.length / sZod / 1e3).toFixed(0)}k/s`,
    );
  }
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 400_000);
  const dir = await mkdtemp(join(tmpdir(), 'dg-bench-'));
  const plain = join(dir, 'in.ndjson');
  const gz = join(dir, 'in.ndjson.gz');
  await writeInput(plain, n, false);
  await writeInput(gz, n, true);
  const bytes = (await stat(plain)).size;
  const gzBytes = (await stat(gz)).size;
  const emailKey = Buffer.from('bench-email-key');
  const out: string[] = [];
  const say = (s: string): void => {
    out.push(s);
    console.log(s);
  };
  say(`input: ${n} lines, ${(bytes / 1e6).toFixed(0)} MB plain (${(bytes / n).toFixed(0)} B/line), ${(gzBytes / 1e6).toFixed(0)} MB gzip`);

  for (const [name, path] of [
    ['plain', plain],
    ['gzip', gz],
  ] as const) {
    for (let rep = 0; rep < 2; rep++) {
      const [count, s] = await timeAsync(async () => {
        let c = 0;
        for await (const b of readLines(path, { maxLineBytes: 1 << 20 })) c += b.length;
        return c;
      });
      say(`readLines ${name}: ${count} lines in ${s.toFixed(2)}s = ${(bytes / 1e6 / s).toFixed(0)} MB/s (uncompressed), ${(count / s / 1e3).toFixed(0)}k lines/s`);
    }
  }

  await decodeBench(plain, emailKey, say);

  for (let rep = 0; rep < 2; rep++) {
    const [res, s] = await timeAsync(() => ingest([plain], { emailKey }));
    say(`ingest plain end-to-end: ${res.counts.accepted} accepted in ${s.toFixed(2)}s = ${(res.counts.linesRead / s / 1e3).toFixed(0)}k lines/s, ${(bytes / 1e6 / s).toFixed(0)} MB/s`);
  }
  const [res, s] = await timeAsync(() => ingest([gz], { emailKey }));
  say(`ingest gzip end-to-end: ${res.counts.accepted} accepted in ${s.toFixed(2)}s = ${(res.counts.linesRead / s / 1e3).toFixed(0)}k lines/s`);
  await rm(dir, { recursive: true, force: true });
}

await main();
