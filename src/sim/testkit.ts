// Test helpers: run a scenario into a temp dir, load its lines, check the contract shape.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from './simulate.js';
import type { SimOptions, Truth } from './simulate.js';

export interface Run {
  dir: string;
  lines: string[];
  records: Record<string, unknown>[];
  truth: Truth;
  ms: number;
  cleanup: () => void;
}

export async function run(opts: Omit<SimOptions, 'out'>): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'dg-sim-'));
  const t0 = performance.now();
  await simulate({ ...opts, out: dir });
  const ms = performance.now() - t0;
  const lines = readFileSync(join(dir, 'input.ndjson'), 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth;
  return { dir, lines, records, truth, ms, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PLANS = new Set(['free', 'paid', 'enterprise', 'education', 'research', 'startup', 'reseller']);
const VERIF = new Set(['none', 'email', 'phone', 'id', 'business']);

type O = Record<string, unknown>;
const isObj = (x: unknown): x is O => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
const isInt = (x: unknown): x is number => Number.isInteger(x);

/** The first way a record breaks the input contract, or null. */
export function contractError(o: O): string | null {
  if (o.type === 'account') {
    if (!isStr(o.account_id)) return 'account_id';
    if (!isStr(o.ts) || !ISO_MS.test(o.ts)) return 'ts';
    if (o.created_at !== undefined && (!isStr(o.created_at) || !ISO_MS.test(o.created_at))) return 'created_at';
    if (o.email !== undefined && (!isStr(o.email) || !o.email.includes('@'))) return 'email';
    if (o.email_domain !== undefined && (!isStr(o.email) || !o.email.endsWith(`@${String(o.email_domain)}`))) return 'email_domain';
    if (o.plan !== undefined && !PLANS.has(o.plan as string)) return 'plan';
    if (o.verification !== undefined && !VERIF.has(o.verification as string)) return 'verification';
    if (o.country !== undefined && !/^[A-Z]{2}$/.test(String(o.country))) return 'country';
    for (const f of ['payment_fingerprint', 'payment_bin', 'org_id', 'signup_ip', 'signup_user_agent']) if (o[f] !== undefined && !isStr(o[f])) return f;
    if (o.links !== undefined && (!isObj(o.links) || !Object.values(o.links).every(isStr))) return 'links';
    return null;
  }
  if (o.type !== 'exchange') return 'type';
  if (!isStr(o.id) || !isStr(o.account_id)) return 'id';
  if (!isStr(o.ts) || !ISO_MS.test(o.ts)) return 'ts';
  for (const f of ['key_id', 'org_id', 'conversation_id', 'model']) if (o[f] !== undefined && !isStr(o[f])) return f;
  if (o.status !== undefined && !isInt(o.status)) return 'status';
  const q = o.request;
  if (!isObj(q) || !Array.isArray(q.messages) || !q.messages.length) return 'request';
  const anthropic = q.max_tokens !== undefined && q.messages.every((m: O) => m.role === 'user' || m.role === 'assistant') && !('n' in q) && !('reasoning_effort' in q);
  if (anthropic) {
    if (!isInt(q.max_tokens)) return 'max_tokens';
    for (const m of q.messages as O[]) {
      const c = m.content;
      if (!(isStr(c) || (Array.isArray(c) && c.every((b: O) => b.type === 'text' && isStr(b.text))))) return 'anthropic content';
    }
    if (q.thinking !== undefined && !(isObj(q.thinking) && q.thinking.type === 'enabled' && isInt(q.thinking.budget_tokens) && (q.thinking.budget_tokens as number) < (q.max_tokens as number))) return 'thinking';
  } else {
    for (const m of q.messages as O[]) {
      if (!['system', 'developer', 'user', 'assistant'].includes(m.role as string) || !isStr(m.content)) return 'openai message';
    }
  }
  if (o.response !== undefined) {
    const r = o.response;
    if (!isObj(r) || !isObj(r.usage)) return 'response';
    const u = r.usage;
    if (isInt(u.input_tokens)) {
      if (!isInt(u.output_tokens) || !isStr(r.stop_reason)) return 'anthropic usage';
    } else if (!isInt(u.prompt_tokens) || !isInt(u.completion_tokens) || !isObj(u.completion_tokens_details) || !isStr(r.finish_reason)) return 'openai usage';
  } else if (o.status === undefined || o.status === 200) return 'response missing on success';
  const c = o.client;
  if (!isObj(c) || !isStr(c.ip) || !isInt(c.asn) || !isStr(c.as_org) || !/^[A-Z]{2}$/.test(String(c.country)) || !isStr(c.user_agent)) return 'client';
  if (!/^[0-9a-f]{32}$/.test(String(c.tls_fingerprint))) return 'tls_fingerprint';
  return null;
}

export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}
