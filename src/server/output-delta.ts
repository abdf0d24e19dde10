// What the live engine's output rows are now, against what the store was last given: the rows that
// changed, derived without re-deriving the rest.
//
// A refresh walks the accounts once, comparing a few fields of each account's state with the mark
// kept when its row was last written (score, verdict, counts, times, reasons, campaign): that costs
// a few comparisons per account, and only changed accounts are turned into output rows (the same
// accountOut / campaignOut / dailyRows code `scan` uses, so the two cannot disagree on a row).
// Campaign rows are rebuilt only for campaigns with a changed member or changed campaign evidence,
// their links only when the campaign row changed, daily rows only for days whose rows changed.
import type { AccountOut, CampaignOut, VerdictLevel } from '../core/output.js';
import type { Reason } from '../core/reasons.js';
import type { Millis } from '../core/records.js';
import type { Engine } from '../engine/engine.js';
import { collectLinks } from '../engine/links-out.js';
import type { LinkKindOut } from '../core/output.js';
import type { AccountJudgement, AccountVerdicts } from '../judge/account-verdicts.js';
import { accountActivityOut, accountOut, campaignOut, round, dailyRows, evidenceOf, outputCampaignOf, reasonsOut } from '../engine/results.js';
import type { Campaign } from '../judge/campaign.js';
import type { LinkRecord } from '../link/link-log.js';
import type { AccountState } from '../observe/account-state.js';
import type { DailyRow, EvidenceRow, LiveDelta } from '../store/store.js';

/** An account's output-relevant state when its row was last written. */
interface AccountMark {
  /** As the row shows it (rounded): a move within the rounding changes no row of the account or its campaign. */
  score: number;
  verdict: VerdictLevel;
  exchanges: number;
  lastTs: Millis;
  flaggedAt: Millis | null;
  suspiciousAt: Millis | null;
  exchangesAtFlag: number | null;
  createdAt: Millis | undefined;
  campaignId: string | null;
  firstTs: Millis;
  reasons: readonly Reason[];
  /** What the judge's reasons were set as (AccountVerdicts.reasonsVersion): unchanged, the reasons are too, unbuilt. */
  reasonsVersion: unknown;
  /** JSON of the output reasons: compared when the reasons array was replaced by an equal one. */
  reasonsJson: string;
  /** The row and evidence last derived (an account whose judgement did not move keeps its reasons and evidence). */
  row: AccountOut;
  evidence: readonly EvidenceRow[];
  /** The reasons `evidence` was made from. */
  evidenceReasons: readonly Reason[];
}

/** A campaign's evidence when its row was last derived, and the row's text. */
interface CampaignMark {
  score: number;
  flaggedAt: Millis | null;
  reasons: readonly Reason[];
  row: string;
}

export interface OutputCounts {
  accounts: number;
  flagged: number;
  suspicious: number;
  campaigns: number;
}

export type RowDelta = Omit<LiveDelta, 'summary' | 'refresh'> & { counts: OutputCounts };

/** Output rows built between two turns of the event loop when the caller asks for turns (a few ms of work). */
const ROWS_PER_TURN = 200;

export class OutputDelta {
  private accountMarks: (AccountMark | undefined)[] = [];
  private campaignMarks = new Map<string, CampaignMark>();
  private dayRows = new Map<string, string>();
  private readonly linkKinds = new WeakMap<LinkRecord, LinkKindOut[]>();

  constructor(
    private readonly engine: Engine,
    private readonly indicatorKey: string,
  ) {}

  /** Every row (start-up, after replay): forgets what was written before. */
  all(turn?: () => Promise<void>): Promise<RowDelta> {
    this.accountMarks = [];
    this.campaignMarks = new Map();
    this.dayRows = new Map();
    return this.changes(turn);
  }

  /**
   * The rows that changed since the last call (and marks them written). With `turn`, awaited after
   * every ROWS_PER_TURN rows built: the caller gives the event loop a turn there and must keep the
   * engine still until this resolves (the rows are one cut of its state).
   */
  async changes(turn?: () => Promise<void>): Promise<RowDelta> {
    let built = 0;
    const step = async (): Promise<void> => {
      if (turn !== undefined && ++built % ROWS_PER_TURN === 0) await turn();
    };
    const { engine } = this;
    const counts: OutputCounts = { accounts: 0, flagged: 0, suspicious: 0, campaigns: 0 };
    const accounts: AccountOut[] = [];
    const evidence: EvidenceRow[] = [];
    const members = new Map<string, AccountState[]>();
    const touched = new Set<string>();
    const verdicts = engine.judge.verdicts;
    for (const s of engine.observer.list) {
      if (s.exchanges === 0) continue;
      counts.accounts++;
      const verdict = verdicts.verdict(s.idx);
      if (verdict === 'distillation') counts.flagged++;
      else if (verdict === 'suspicious') counts.suspicious++;
      const c = outputCampaignOf(engine, s);
      const cid = c?.id ?? null;
      if (c) {
        let list = members.get(c.id);
        if (!list) members.set(c.id, (list = []));
        list.push(s);
      }
      const m = this.accountMarks[s.idx];
      if (m !== undefined && unchanged(m, s, verdicts, cid)) continue;
      await step();
      if (m !== undefined && sameJudgement(m, s, verdicts, cid)) {
        // Only its activity moved (the common case under traffic): the row keeps its reasons and times,
        // the evidence its rows (their time is the flag's, or the last exchange's when neither is set).
        const row = accountActivityOut(m.row, s);
        // The evidence quotes the reasons unrounded, so it is kept only while they are the same array.
        const keep = m.evidenceReasons === m.reasons && (m.evidence.length === 0 || (m.flaggedAt ?? m.suspiciousAt) !== null);
        const ev = keep ? m.evidence : ownEvidence(s, verdicts);
        m.evidenceReasons = m.reasons;
        accounts.push(row);
        for (const e of ev) evidence.push(e);
        m.exchanges = s.exchanges;
        m.lastTs = s.lastTs;
        m.row = row;
        m.evidence = ev;
        if (cid !== null) touched.add(cid); // its campaign's counts moved with it
        continue;
      }
      const row = accountOut(s, verdicts, cid);
      accounts.push(row);
      const ev = ownEvidence(s, verdicts);
      for (const e of ev) evidence.push(e);
      this.accountMarks[s.idx] = mark(s, verdicts, cid, JSON.stringify(row.reasons), row, ev);
      if (cid !== null) touched.add(cid);
      if (m?.campaignId) touched.add(m.campaignId);
    }
    counts.campaigns = members.size;

    // Campaigns: rebuilt when a member's row changed or the campaign's own evidence moved.
    const campaigns: CampaignOut[] = [];
    const rewritten = new Set<string>();
    for (const [id, list] of members) {
      const c = engine.judge.campaignOf(list[0])!;
      const m = this.campaignMarks.get(id);
      if (m !== undefined && !touched.has(id) && m.score === c.score && m.flaggedAt === c.flaggedAt && m.reasons === c.reasons) continue;
      await step();
      const row = campaignOut(engine, list, this.indicatorKey);
      const text = JSON.stringify(row);
      if (m !== undefined && m.row === text) {
        m.score = c.score;
        m.flaggedAt = c.flaggedAt;
        m.reasons = c.reasons;
        continue;
      }
      campaigns.push(row);
      rewritten.add(id);
      this.campaignMarks.set(id, campaignMark(c, text));
    }
    const removedCampaigns = [...this.campaignMarks.keys()].filter((id) => !members.has(id));
    for (const id of removedCampaigns) this.campaignMarks.delete(id);

    // Links of the rewritten campaigns (a link's campaign changes when campaigns merge).
    const campaignOf = new Map<string, string>();
    for (const id of rewritten) for (const s of members.get(id)!) campaignOf.set(s.id, id);
    const links = rewritten.size === 0 ? [] : collectLinks(engine, campaignOf, this.indicatorKey, rewritten, this.linkKinds);

    // Daily rows: all are cheap to derive (days × campaigns); only days whose rows changed are sent.
    const byDay = new Map<string, DailyRow[]>();
    for (const r of dailyRows(engine, members)) {
      let rows = byDay.get(r.day);
      if (!rows) byDay.set(r.day, (rows = []));
      rows.push(r);
    }
    const daily: DailyRow[] = [];
    const days: string[] = [];
    for (const [day, rows] of byDay) {
      const text = JSON.stringify(rows);
      if (this.dayRows.get(day) === text) continue;
      this.dayRows.set(day, text);
      days.push(day);
      daily.push(...rows);
    }
    return { accounts, evidence, campaigns, removedCampaigns, links, daily, days, counts };
  }
}

function unchanged(m: AccountMark, s: AccountState, v: AccountVerdicts, campaignId: string | null): boolean {
  return m.exchanges === s.exchanges && m.lastTs === s.lastTs && sameJudgement(m, s, v, campaignId);
}

/** Whether everything of the account's row but its activity (exchanges, last time, capabilities) is as `m` saw it. */
function sameJudgement(m: AccountMark, s: AccountState, v: AccountVerdicts, campaignId: string | null): boolean {
  const idx = s.idx;
  if (
    m.score !== round(v.score(idx)) ||
    m.verdict !== v.verdict(idx) ||
    m.flaggedAt !== v.flaggedAt(idx) ||
    m.suspiciousAt !== v.suspiciousAt(idx) ||
    m.exchangesAtFlag !== v.exchangesAtFlag(idx) ||
    m.createdAt !== s.createdAt ||
    m.firstTs !== s.firstTs ||
    m.campaignId !== campaignId
  ) {
    return false;
  }
  const version = v.reasonsVersion(idx);
  if (m.reasonsVersion === version) return true;
  const reasons = v.reasons(idx);
  if (m.reasons !== reasons) {
    // A judgement replaces the reasons array, mostly with equal reasons: compare what the row shows.
    const json = JSON.stringify(reasonsOut(reasons));
    if (json !== m.reasonsJson) return false;
    m.reasons = reasons;
  }
  m.reasonsVersion = version;
  return true;
}

function ownEvidence(s: AccountState, v: AccountJudgement): EvidenceRow[] {
  const out: EvidenceRow[] = [];
  evidenceOf(s, v, out);
  return out;
}

function mark(s: AccountState, v: AccountVerdicts, campaignId: string | null, reasonsJson: string, row: AccountOut, evidence: readonly EvidenceRow[]): AccountMark {
  const idx = s.idx;
  return {
    score: round(v.score(idx)),
    verdict: v.verdict(idx),
    exchanges: s.exchanges,
    lastTs: s.lastTs,
    flaggedAt: v.flaggedAt(idx),
    suspiciousAt: v.suspiciousAt(idx),
    exchangesAtFlag: v.exchangesAtFlag(idx),
    createdAt: s.createdAt,
    campaignId,
    firstTs: s.firstTs,
    reasons: v.reasons(idx),
    reasonsVersion: v.reasonsVersion(idx),
    reasonsJson,
    row,
    evidence,
    evidenceReasons: v.reasons(idx),
  };
}

function campaignMark(c: Campaign, row: string): CampaignMark {
  return { score: c.score, flaggedAt: c.flaggedAt, reasons: c.reasons, row };
}
