// Helpers of the end-to-end suites: run the CLI in-process with stderr captured, read a scan's output
// folder back, and check output lines against the contract's tables (../shared/docs/contract.md).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { AccountOut, CampaignOut, Summary } from '../../src/core/output.js';

export interface CliRun {
  code: number;
  stderr: string;
  stdout: string;
}

/** `distillguard ARGS...` in-process: the exit status main() resolves to, and what it printed. */
export async function runCli(args: string[]): Promise<CliRun> {
  let stderr = '';
  let stdout = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    const code = await main(['node', 'distillguard', ...args]);
    return { code, stderr, stdout };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

export function parseNdjson<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

export async function readNdjson<T>(path: string): Promise<T[]> {
  return parseNdjson<T>(await readFile(path, 'utf8'));
}

/** One line of rejected.ndjson (the contract's fields plus the `stage` and `detail` extensions). */
export interface RejectedLine {
  file: string;
  line: number;
  reason: string;
  raw: string;
  stage?: string;
  detail?: string;
}

export interface ScanFiles {
  accounts: AccountOut[];
  campaigns: CampaignOut[];
  summary: Summary;
  rejected: RejectedLine[];
  /** The files' text as written (for byte-for-byte comparisons). */
  text: { accounts: string; campaigns: string; summary: string; rejected: string; report: string };
}

export const OUTPUT_FILES = ['accounts.ndjson', 'campaigns.ndjson', 'summary.json', 'rejected.ndjson', 'report.html', 'actions.ndjson', 'marks.ndjson'] as const;

export async function readScan(dir: string): Promise<ScanFiles> {
  const [accounts, campaigns, summary, rejected, report] = await Promise.all(OUTPUT_FILES.map((f) => readFile(join(dir, f), 'utf8')));
  return {
    accounts: parseNdjson<AccountOut>(accounts),
    campaigns: parseNdjson<CampaignOut>(campaigns),
    summary: JSON.parse(summary) as Summary,
    rejected: parseNdjson<RejectedLine>(rejected),
    text: { accounts, campaigns, summary, rejected, report },
  };
}

export function outputsPresent(dir: string): string[] {
  return OUTPUT_FILES.filter((f) => existsSync(join(dir, f)));
}

// ---- the contract's tables, as checks that return what is wrong ('' = nothing) ----

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isTs = (v: unknown): v is string => typeof v === 'string' && RFC3339.test(v) && !Number.isNaN(Date.parse(v));
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function reasonProblems(where: string, reasons: unknown): string[] {
  if (!Array.isArray(reasons)) return [`${where}.reasons is not an array`];
  const out: string[] = [];
  reasons.forEach((r: unknown, i) => {
    if (!isObj(r)) return out.push(`${where}.reasons[${i}] is not an object`);
    if (typeof r.code !== 'string' || r.code === '') out.push(`${where}.reasons[${i}].code is not a non-empty string`);
    if (typeof r.weight !== 'number' || !Number.isFinite(r.weight)) out.push(`${where}.reasons[${i}].weight is not a number`);
    if (!isObj(r.detail)) out.push(`${where}.reasons[${i}].detail is not an object`);
    if (i > 0) {
      const prev = reasons[i - 1] as { weight?: unknown };
      if (typeof prev.weight === 'number' && typeof r.weight === 'number' && r.weight > prev.weight) {
        out.push(`${where}.reasons are not strongest first (${String(r.code)} after a weaker one)`);
      }
    }
    return undefined;
  });
  return out;
}

/** Problems of one accounts.ndjson line against the contract's table (extra fields are extensions). */
export function accountProblems(a: unknown): string[] {
  if (!isObj(a)) return ['not an object'];
  const id = typeof a.account_id === 'string' ? a.account_id : '?';
  const p: string[] = [];
  const bad = (field: string, want: string): void => void p.push(`${id}: ${field} is ${JSON.stringify(a[field])}, expected ${want}`);
  if (typeof a.account_id !== 'string' || a.account_id === '') bad('account_id', 'a non-empty string');
  if (typeof a.score !== 'number' || !(a.score >= 0 && a.score <= 1)) bad('score', 'a number in [0, 1]');
  if (!['distillation', 'suspicious', 'benign'].includes(a.verdict as string)) bad('verdict', 'distillation | suspicious | benign');
  if (!(a.campaign_id === null || (typeof a.campaign_id === 'string' && a.campaign_id !== ''))) bad('campaign_id', 'a string or null');
  if (!(a.flagged_at === null || isTs(a.flagged_at))) bad('flagged_at', 'an RFC 3339 timestamp or null');
  if (!isInt(a.exchanges) || a.exchanges < 1) bad('exchanges', 'an integer >= 1 (only accounts that sent an exchange are listed)');
  if (!(a.exchanges_before_flag === null || (isInt(a.exchanges_before_flag) && a.exchanges_before_flag >= 0))) {
    bad('exchanges_before_flag', 'an integer or null');
  }
  for (const f of ['account_id', 'score', 'verdict', 'campaign_id', 'flagged_at', 'exchanges', 'exchanges_before_flag', 'reasons']) {
    if (!(f in a)) p.push(`${id}: field ${f} is missing`);
  }
  if ((a.flagged_at === null) !== (a.exchanges_before_flag === null)) p.push(`${id}: flagged_at and exchanges_before_flag are not null together`);
  if (a.verdict === 'distillation' && a.flagged_at === null) p.push(`${id}: verdict distillation without flagged_at`);
  p.push(...reasonProblems(id, a.reasons));
  return p;
}

/** Problems of one campaigns.ndjson line against the contract. */
export function campaignProblems(c: unknown): string[] {
  if (!isObj(c)) return ['not an object'];
  const id = typeof c.campaign_id === 'string' ? c.campaign_id : '?';
  const p: string[] = [];
  const bad = (field: string, want: string): void => void p.push(`${id}: ${field} is ${JSON.stringify(c[field])}, expected ${want}`);
  if (typeof c.campaign_id !== 'string' || c.campaign_id === '') bad('campaign_id', 'a non-empty string');
  if (!Array.isArray(c.accounts) || c.accounts.length === 0 || !c.accounts.every((x) => typeof x === 'string')) bad('accounts', 'an array of account ids');
  if (!isInt(c.exchanges)) bad('exchanges', 'an integer');
  if (!isTs(c.first_seen)) bad('first_seen', 'a timestamp');
  if (!isTs(c.last_seen)) bad('last_seen', 'a timestamp');
  if (!(c.flagged_at === null || isTs(c.flagged_at))) bad('flagged_at', 'a timestamp or null');
  if (typeof c.score !== 'number' || !(c.score >= 0 && c.score <= 1)) bad('score', 'a number in [0, 1]');
  if (!isObj(c.capabilities) || !Object.values(c.capabilities).every((v) => typeof v === 'number' && v >= 0 && v <= 1)) {
    bad('capabilities', 'an object of capability name to share in [0, 1]');
  }
  p.push(...reasonProblems(id, c.reasons));
  if (!Array.isArray(c.indicators) || !c.indicators.every((i) => isObj(i) && typeof i.kind === 'string' && typeof i.value === 'string')) {
    bad('indicators', 'an array of {kind, value} strings');
  }
  return p;
}

/** References a report would load from elsewhere (scripts, styles, images, fonts, frames). */
export function externalReferences(html: string): string[] {
  const refs: string[] = [];
  for (const m of html.matchAll(/<(script|link|img|iframe|source|embed|object|video|audio)\b[^>]*?\b(src|href|data)\s*=\s*["']?([^"'\s>]+)/gi)) {
    const url = m[3];
    if (!url.startsWith('data:') && !url.startsWith('#')) refs.push(m[0]);
  }
  for (const m of html.matchAll(/url\(\s*["']?([^"')]+)/gi)) if (!m[1].startsWith('data:') && !m[1].startsWith('#')) refs.push(m[0]);
  for (const m of html.matchAll(/@import\b[^;]*/gi)) refs.push(m[0]);
  return refs;
}
