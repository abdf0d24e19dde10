// Golden scenarios: a small committed input per case, scanned end to end, compared with the committed
// expected.json (verdicts, campaign membership, top reason codes, summary counts), and checked against
// the hand review (REVIEW in make-<case>.ts, explained in README.md) so that a wrong verdict can neither
// pass unnoticed nor be blessed by `npm run golden:update`.
//
//   npx vitest run test/golden        compare; prints a readable diff on a change
//   npm run golden:update             rewrite input.ndjson (from make-<case>.ts) and expected.json
//                                     (from the current engine), refusing if the review fails
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScan } from '../../src/cli/scan.js';
import type { Summary } from '../../src/core/output.js';
import { readScan, type ScanFiles } from '../helpers/scan-run.js';
import { makeMixedWorld, REVIEW as MIXED_REVIEW, roleOf as mixedRoleOf, type RoleReview } from './make-mixed-world.js';

const UPDATE = process.env.GOLDEN_UPDATE === '1';
const HERE = fileURLToPath(new URL('.', import.meta.url));
const TOP_REASONS = 3;

interface GoldenCase {
  name: string;
  make: () => string;
  review: Record<string, RoleReview>;
  roleOf: (accountId: string) => string;
}

const CASES: GoldenCase[] = [{ name: 'mixed-world', make: makeMixedWorld, review: MIXED_REVIEW, roleOf: mixedRoleOf }];

/** What expected.json holds. A campaign is labelled by its first member (in sorted order). */
interface Golden {
  summary: Record<string, number>;
  campaigns: Record<string, string[]>;
  accounts: Record<string, { verdict: string; campaign: string | null; reasons: string[] }>;
}

const SUMMARY_KEYS = [
  'lines_read',
  'accepted',
  'accepted_exchanges',
  'accepted_accounts_records',
  'rejected',
  'duplicates',
  'late',
  'accounts',
  'flagged_accounts',
  'suspicious_accounts',
  'campaigns',
] as const satisfies readonly (keyof Summary)[];

function digest(scan: ScanFiles): Golden {
  const label = new Map<string, string>();
  const campaigns: Golden['campaigns'] = {};
  for (const c of scan.campaigns) {
    const members = [...c.accounts].sort();
    label.set(c.campaign_id, members[0]);
    campaigns[members[0]] = members;
  }
  const accounts: Golden['accounts'] = {};
  for (const a of [...scan.accounts].sort((x, y) => (x.account_id < y.account_id ? -1 : 1))) {
    accounts[a.account_id] = {
      verdict: a.verdict,
      campaign: a.campaign_id === null ? null : (label.get(a.campaign_id) ?? `unknown campaign ${a.campaign_id}`),
      reasons: a.reasons.slice(0, TOP_REASONS).map((r) => r.code),
    };
  }
  const summary: Golden['summary'] = {};
  for (const k of SUMMARY_KEYS) summary[k] = scan.summary[k] as number;
  return { summary, campaigns: Object.fromEntries(Object.entries(campaigns).sort()), accounts };
}

/** expected.json text: one line per account and per campaign, so that a review diff is one line per change. */
function formatGolden(g: Golden): string {
  const section = (o: Record<string, unknown>): string =>
    Object.entries(o)
      .map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(',\n');
  return `{\n  "summary": {\n${section(g.summary)}\n  },\n  "campaigns": {\n${section(g.campaigns)}\n  },\n  "accounts": {\n${section(g.accounts)}\n  }\n}\n`;
}

/** Readable differences: `~ path: expected → actual`, `- path` (gone), `+ path` (new). */
function goldenDiff(expected: Golden, actual: Golden): string[] {
  const flat = (g: Golden): Map<string, string> => {
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(g.summary)) m.set(`summary.${k}`, JSON.stringify(v));
    for (const [k, v] of Object.entries(g.campaigns)) m.set(`campaigns.${k}`, JSON.stringify(v));
    for (const [id, a] of Object.entries(g.accounts)) for (const [k, v] of Object.entries(a)) m.set(`accounts.${id}.${k}`, JSON.stringify(v));
    return m;
  };
  const e = flat(expected);
  const a = flat(actual);
  const out: string[] = [];
  for (const [k, v] of e) {
    if (!a.has(k)) out.push(`- ${k}: ${v} (expected, now absent)`);
    else if (a.get(k) !== v) out.push(`~ ${k}: expected ${v}, got ${a.get(k)}`);
  }
  for (const [k, v] of a) if (!e.has(k)) out.push(`+ ${k}: ${v} (new)`);
  return out;
}

/** Violations of the hand review: verdicts outside the reviewed ones, campaigns that should not be. */
function reviewViolations(scan: ScanFiles, c: GoldenCase): string[] {
  const out: string[] = [];
  const byRole = new Map<string, ScanFiles['accounts']>();
  for (const a of scan.accounts) {
    const role = c.roleOf(a.account_id);
    const r = c.review[role];
    if (!r) {
      out.push(`${a.account_id}: no reviewed role "${role}"`);
      continue;
    }
    let list = byRole.get(role);
    if (!list) byRole.set(role, (list = []));
    list.push(a);
    if (!r.verdicts.includes(a.verdict)) out.push(`${a.account_id}: verdict ${a.verdict} (score ${a.score}), reviewed as ${r.verdicts.join(' or ')}: ${r.why}`);
    if (r.campaign === 'none' && a.campaign_id !== null) {
      const members = scan.campaigns.find((x) => x.campaign_id === a.campaign_id)?.accounts ?? [];
      out.push(`${a.account_id}: in campaign ${a.campaign_id} (${members.join(', ')}), reviewed as in no campaign`);
    }
  }
  for (const [role, r] of Object.entries(c.review)) {
    const list = byRole.get(role) ?? [];
    if (list.length === 0) out.push(`role ${role}: no account in the output`);
    if (r.campaign !== 'one' || list.length === 0) continue;
    const ids = new Set(list.map((a) => a.campaign_id));
    if (ids.size !== 1 || ids.has(null)) {
      out.push(`role ${role}: expected one campaign for all its accounts, got ${[...ids].map(String).join(', ')}`);
      continue;
    }
    const camp = scan.campaigns.find((x) => x.campaign_id === list[0].campaign_id);
    const want = list.map((a) => a.account_id).sort();
    if (JSON.stringify([...(camp?.accounts ?? [])].sort()) !== JSON.stringify(want)) {
      out.push(`role ${role}: campaign ${list[0].campaign_id} has members ${(camp?.accounts ?? []).join(', ')}, expected exactly ${want.join(', ')}`);
    }
  }
  return out;
}

for (const c of CASES) {
  describe(`golden: ${c.name}`, () => {
    const dir = join(HERE, c.name);
    const inputPath = join(dir, 'input.ndjson');
    const expectedPath = join(dir, 'expected.json');
    let tmp: string;
    let generated: string;
    let scan: ScanFiles;
    let actual: Golden;

    beforeAll(async () => {
      tmp = await mkdtemp(join(tmpdir(), `dg-golden-${c.name}-`));
      generated = c.make();
      if (UPDATE) await writeFile(inputPath, generated);
      await runScan({ inputs: [inputPath], out: join(tmp, 'out'), quiet: true });
      scan = await readScan(join(tmp, 'out'));
      actual = digest(scan);
    });
    afterAll(async () => {
      await rm(tmp, { recursive: true, force: true });
    });

    it(`input.ndjson is what make-${c.name}.ts writes (deterministic, committed)`, async () => {
      expect(c.make()).toBe(generated);
      const committed = await readFile(inputPath, 'utf8');
      expect(committed.length).toBe(generated.length);
      expect(committed === generated, 'input.ndjson differs from make-*.ts output: run `npm run golden:update` and review the diff').toBe(true);
    });

    it('the input is small and clean: every line accepted', () => {
      const s = scan.summary;
      expect(s.lines_read).toBeLessThanOrEqual(5000);
      expect(s).toMatchObject({ rejected: 0, duplicates: 0, late: 0, accepted: s.lines_read });
      expect(scan.rejected).toEqual([]);
    });

    it('the reviewed verdicts hold (README.md): no account outside the verdicts and campaigns the review allows', () => {
      expect(reviewViolations(scan, c)).toEqual([]);
    });

    it('matches expected.json', async () => {
      if (UPDATE) {
        const violations = reviewViolations(scan, c);
        expect(violations, 'golden:update refuses to bless output that contradicts the review; fix the engine or revise the review').toEqual([]);
        await writeFile(expectedPath, formatGolden(actual));
        return;
      }
      expect(existsSync(expectedPath), `${expectedPath} is missing: run npm run golden:update`).toBe(true);
      const expected = JSON.parse(await readFile(expectedPath, 'utf8')) as Golden;
      const diff = goldenDiff(expected, actual);
      expect(diff, `engine output changed from ${c.name}/expected.json; if the change is right, review and run npm run golden:update`).toEqual([]);
    });
  });
}

// A harder class than the committed one (WorldOptions.stepwiseClass): students who ask for
// step-by-step explanations in most of their homework, across statistics, a coding lab and project
// planning, on a shared campus network and lab machines. Still a class doing homework: the review
// holds it to benign and in no campaign, like the committed world.
describe('golden: mixed-world with a step-by-step class (hard negative)', () => {
  const c = CASES[0];
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dg-golden-stepwise-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function scanStepwise(): Promise<Awaited<ReturnType<typeof readScan>>> {
    const input = join(tmp, 'input.ndjson');
    await writeFile(input, makeMixedWorld({ stepwiseClass: true }));
    await runScan({ inputs: [input], out: join(tmp, 'out'), quiet: true });
    return readScan(join(tmp, 'out'));
  }

  // Not part of golden:update (it has no snapshot to rewrite), so that the update's status is the update's.
  it.skipIf(UPDATE)('no student of the class is flagged distillation', async () => {
    const scan = await scanStepwise();
    const students = scan.accounts.filter((a) => c.roleOf(a.account_id) === 'uni');
    expect(students).toHaveLength(12);
    expect(students.filter((a) => a.verdict === 'distillation').map((a) => a.account_id)).toEqual([]);
  });

  // The full review: benign, no campaign. A lab machine (links.device_id) shared by students who ask
  // for step-by-step help links only clear harvesters (content score >= 0.55), which students are not.
  it.skipIf(UPDATE)('no student of the class is put in a campaign or marked suspicious (review holds)', async () => {
    const scan = await scanStepwise();
    expect(reviewViolations(scan, c)).toEqual([]);
  });
});
