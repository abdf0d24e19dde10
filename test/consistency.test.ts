// Every figure of a campaign stated the same everywhere, for every campaign of four scenarios: the
// daily series sums to the headline and starts on the day of the first exchange, the flag state
// agrees with the members' verdicts, and campaigns.ndjson, the store, the brief (its facts, HTML and
// Markdown) and the live service's API (what the dashboard reads) give the same numbers once the live
// feed has ended with a final watermark.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../src/config/schema.js';
import type { AccountOut, CampaignOut } from '../src/core/output.js';
import { runScan } from '../src/cli/scan.js';
import { runSimulate } from '../src/sim/index.js';
import { briefFacts, loadBrief } from '../src/report/brief-data.js';
import { renderBriefMarkdown } from '../src/report/brief-markdown.js';
import { replayFile } from '../src/server/replay-file.js';
import { openDuckDbStore } from '../src/store/duckdb.js';
import type { DailyRow } from '../src/store/store.js';
import { readScan } from './helpers/scan-run.js';
import { bearer, startTestServer } from './helpers/serve.js';

const root = mkdtempSync(join(tmpdir(), 'distillguard-consistency-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What must hold of one campaign, whatever the scenario; returns what does not. */
export function campaignProblems(c: CampaignOut, members: readonly AccountOut[], daily: readonly DailyRow[]): string[] {
  const p: string[] = [];
  const id = c.campaign_id;
  const sum = daily.reduce((n, r) => n + r.exchanges, 0);
  if (sum !== c.exchanges) p.push(`${id}: daily series sums to ${sum}, headline ${c.exchanges}`);
  const days = daily.map((r) => r.day).sort();
  if (days[0] !== c.first_seen.slice(0, 10)) p.push(`${id}: daily series starts ${days[0]}, first exchange ${c.first_seen}`);
  if (days.at(-1) !== c.last_seen.slice(0, 10)) p.push(`${id}: daily series ends ${days.at(-1)}, last exchange ${c.last_seen}`);
  const flaggedMembers = members.filter((a) => a.verdict === 'distillation');
  if ((c.flagged_at !== null) !== flaggedMembers.length > 0) p.push(`${id}: flagged_at ${c.flagged_at} with ${flaggedMembers.length} distillation members`);
  const first = flaggedMembers.map((a) => a.flagged_at).filter((t): t is string => t !== null).sort()[0] ?? null;
  if (c.flagged_at !== first) p.push(`${id}: flagged at ${c.flagged_at}, its first member at ${first}`);
  const top = Math.max(0, ...members.map((a) => a.score));
  if (c.score < top) p.push(`${id}: score ${c.score} below its strongest member's ${top}`);
  const memberSum = members.reduce((n, a) => n + a.exchanges, 0);
  if (memberSum !== c.exchanges) p.push(`${id}: members sent ${memberSum}, headline ${c.exchanges}`);
  const codes = c.reasons.map((r) => r.code);
  const twice = codes.filter((x, i) => codes.indexOf(x) !== i);
  if (twice.length > 0) p.push(`${id}: reasons list ${[...new Set(twice)].join(', ')} more than once`);
  const flaggedDaily = daily.reduce((n, r) => n + r.flagged_exchanges, 0);
  const afterFlag = flaggedMembers.reduce((n, a) => n + a.exchanges - (a.exchanges_before_flag ?? a.exchanges), 0);
  if (flaggedDaily < afterFlag) p.push(`${id}: daily after-flag exchanges ${flaggedDaily} fewer than its members sent after their flags (${afterFlag})`);
  return p;
}

/** Scenario and the smallest scale (7 days) at which it has a campaign. */
const SCENARIOS: [string, number][] = [
  ['default', 0.1],
  ['farm', 0.1],
  ['hydra', 0.1],
  ['pivot', 0.15],
];

describe.each(SCENARIOS)('every campaign of %s (scale %s) states the same figures everywhere', (scenario, scale) => {
  it('scan, store, brief and the live API agree', { timeout: 240_000 }, async () => {
    const dir = join(root, scenario);
    const sim = await runSimulate({ scenario, scale, seed: 1, days: 7, out: join(dir, 'traffic') });
    const scan = await runScan({ inputs: [sim.path], out: join(dir, 'scan'), quiet: true, workers: 0 });
    const files = await readScan(join(dir, 'scan'));
    expect(files.campaigns.length, `${scenario} at scale ${scale} has campaigns`).toBeGreaterThan(0);

    const store = await openDuckDbStore(scan.db);
    const problems: string[] = [];
    try {
      expect(await store.campaigns()).toEqual(files.campaigns);
      for (const c of files.campaigns) {
        const members = files.accounts.filter((a) => a.campaign_id === c.campaign_id);
        const daily = await store.daily(c.campaign_id);
        problems.push(...campaignProblems(c, members, daily));
        const brief = await loadBrief(store, c.campaign_id);
        const f = briefFacts(brief);
        expect([f.exchanges, f.accounts, f.flaggedAt, f.dailyTotal]).toEqual([c.exchanges, c.accounts.length, c.flagged_at, c.exchanges]);
        // The Markdown brief's table of days adds up to its headline.
        const md = renderBriefMarkdown(brief);
        const rows = [...md.matchAll(/^\| (\d{4}-\d{2}-\d{2}) \| ([\d,]+) \|/gm)];
        expect(rows.reduce((n, m) => n + Number(m[2].replace(/,/g, '')), 0)).toBe(c.exchanges);
        expect(rows[0]?.[1]).toBe(c.first_seen.slice(0, 10));
      }
    } finally {
      await store.close();
    }
    expect(problems).toEqual([]);

    // The live service on the same traffic, its feed closed by a final watermark: the dashboard's API.
    const s = await startTestServer({ dir: join(dir, 'serve') });
    try {
      const cfg = buildEngineConfig({});
      await replayFile(s.live, sim.path, cfg);
      const api = async <T>(url: string): Promise<T> => {
        const r = await s.app.inject({ method: 'GET', url, headers: bearer('read') });
        expect(r.statusCode, r.body).toBe(200);
        return r.json<T>();
      };
      const { summary } = await api<{ summary: { accounts: number; campaigns: number; flagged_accounts: number; accepted: number } }>('/v1/summary');
      expect([summary.accepted, summary.accounts, summary.campaigns, summary.flagged_accounts]).toEqual([files.summary.accepted, files.summary.accounts, files.summary.campaigns, files.summary.flagged_accounts]);
      const { campaigns } = await api<{ campaigns: CampaignOut[] }>('/v1/campaigns?limit=1000');
      const key = (c: CampaignOut): unknown => [c.campaign_id, c.accounts.length, c.exchanges, c.first_seen, c.last_seen, c.flagged_at, c.score];
      expect(campaigns.map(key).sort()).toEqual(files.campaigns.map(key).sort());
      for (const c of campaigns) {
        const { daily } = await api<{ daily: DailyRow[] }>(`/v1/daily?campaign_id=${c.campaign_id}`);
        expect(daily.reduce((n, r) => n + r.exchanges, 0), c.campaign_id).toBe(c.exchanges);
      }
    } finally {
      await s.close();
    }
  });
});
