// The live service's results in memory: one immutable snapshot of the output rows per refresh, which
// every read route answers from. A refresh makes the next snapshot from the previous one and the rows
// that changed (./output-delta.ts): unchanged rows are the same objects in both, so a refresh costs the
// changed rows plus copying the indexes' pointers, not a copy of the results. The store (DuckDB or
// PostgreSQL) is written from these snapshots behind them, for durability and history; it is never
// on the path from judged to visible.
//
// The answers are the store's for the same rows: the same filter conditions and read orders
// (src/store/rows.ts), the same replacement rules as Store.writeScan / Store.writeLive
// (results-view.test.ts compares the two on a real scenario, refresh by refresh).
import type { AccountOut, CampaignOut, DailyRow, EvidenceRow, LinkOut, Summary } from '../core/output.js';
import { accountConditions, byAccountOrder, byCampaignOrder, byLinkOrder, compareText, filteredRows, type MemberIndex } from '../store/rows.js';
import type { AccountFilter, LiveDelta, RefreshInfo, ResultsReader, ScanResult } from '../store/store.js';

interface AccountEntry {
  row: AccountOut;
  evidence: readonly EvidenceRow[];
}

interface CampaignEntry {
  row: CampaignOut;
  /** The accounts of its row (campaign_members), for the campaign filter of `accounts`. */
  members: ReadonlySet<string>;
}

/** The parts of a snapshot; a new snapshot shares every part that did not change. */
interface Parts {
  accounts: ReadonlyMap<string, AccountEntry>;
  /** Every account row in read order (score descending, then id). */
  ordered: readonly AccountOut[];
  campaigns: ReadonlyMap<string, CampaignEntry>;
  campaignOrder: readonly CampaignOut[];
  /** Each campaign's link graph in read order (campaign_links). */
  links: ReadonlyMap<string, readonly LinkOut[]>;
  /** Daily rows by day, as written (global and per-campaign rows of that day). */
  days: ReadonlyMap<string, readonly DailyRow[]>;
  /** The global daily rows by day, and each campaign's. */
  globalDaily: readonly DailyRow[];
  campaignDaily: ReadonlyMap<string, readonly DailyRow[]>;
  summary: Summary | null;
}

const EMPTY: Parts = {
  accounts: new Map(),
  ordered: [],
  campaigns: new Map(),
  campaignOrder: [],
  links: new Map(),
  days: new Map(),
  globalDaily: [],
  campaignDaily: new Map(),
  summary: null,
};

export class ResultsSnapshot implements ResultsReader, MemberIndex {
  private constructor(
    private readonly p: Parts,
    /** Which refresh this is and what it reflects (null: nothing published yet). */
    readonly refresh: RefreshInfo | null,
  ) {}

  static empty(): ResultsSnapshot {
    return new ResultsSnapshot(EMPTY, null);
  }

  /** The whole results, as Store.writeScan replaces the tables with them. */
  static of(r: ScanResult, refresh: RefreshInfo | null): ResultsSnapshot {
    return ResultsSnapshot.empty().next({ ...r, removedCampaigns: [], links: r.links ?? [], refresh: refresh ?? undefined, whole: true });
  }

  /** The snapshot after a live refresh, as Store.writeLive applies the delta to the tables. */
  next(d: LiveDelta & { whole?: boolean }): ResultsSnapshot {
    const whole = d.whole === true;
    const old = whole ? EMPTY : this.p;

    // Accounts: changed rows replace theirs (and their evidence); the read order is merged, not re-sorted.
    const accounts = new Map(old.accounts);
    const evidence = new Map<string, EvidenceRow[]>();
    for (const e of d.evidence) {
      let list = evidence.get(e.account_id);
      if (!list) evidence.set(e.account_id, (list = []));
      list.push(e);
    }
    const changed = new Set<string>();
    for (const row of d.accounts) {
      changed.add(row.account_id);
      accounts.set(row.account_id, { row, evidence: evidence.get(row.account_id) ?? [] });
    }
    const fresh = [...changed].map((id) => accounts.get(id)!.row).sort(byAccountOrder);
    const ordered = mergeOrdered(
      old.ordered.filter((a) => !changed.has(a.account_id)),
      fresh,
      byAccountOrder,
    );

    // Campaigns: rewritten and removed ones lose their row, members and links; rewritten ones get the new.
    const campaigns = new Map(old.campaigns);
    const gone = new Set([...d.removedCampaigns, ...d.campaigns.map((c) => c.campaign_id)]);
    for (const id of gone) campaigns.delete(id);
    for (const row of d.campaigns) campaigns.set(row.campaign_id, { row, members: new Set(row.accounts) });
    let links = old.links;
    if (gone.size > 0 || d.links.length > 0) {
      const next = new Map(old.links);
      for (const id of gone) next.delete(id);
      const added = new Map<string, LinkOut[]>();
      for (const l of d.links) {
        let list = added.get(l.campaign_id);
        if (!list) added.set(l.campaign_id, (list = [...(next.get(l.campaign_id) ?? [])]));
        list.push(l);
      }
      for (const [id, list] of added) next.set(id, list.sort(byLinkOrder));
      links = next;
    }
    const campaignOrder =
      gone.size === 0 && !whole ? old.campaignOrder : [...campaigns.values()].map((c) => c.row).sort(byCampaignOrder);

    // Daily rows: the days given replace theirs (all of them when no days are given).
    let days = old.days;
    if (whole || d.days === undefined || d.days.length > 0 || d.daily.length > 0) {
      const next = new Map(whole || d.days === undefined ? [] : old.days);
      for (const day of d.days ?? []) next.delete(day);
      for (const r of d.daily) {
        const list = next.get(r.day);
        next.set(r.day, list ? [...list, r] : [r]);
      }
      days = next;
    }
    const { globalDaily, campaignDaily } = days === old.days ? old : dailyIndexes(days);

    return new ResultsSnapshot({ accounts, ordered, campaigns, campaignOrder, links, days, globalDaily, campaignDaily, summary: d.summary }, d.refresh ?? null);
  }

  members(campaignId: string): ReadonlySet<string> | undefined {
    return this.p.campaigns.get(campaignId)?.members;
  }

  /** The summary published with this snapshot. */
  get summaryRow(): Summary | null {
    return this.p.summary;
  }

  /** Number of accounts (rows) this snapshot holds. */
  get size(): number {
    return this.p.ordered.length;
  }

  /** The link graphs of these campaigns (for the store written behind). */
  linksOf(ids: Iterable<string>): LinkOut[] {
    const out: LinkOut[] = [];
    for (const id of ids) out.push(...(this.p.links.get(id) ?? []));
    return out;
  }

  /** Evidence rows of these accounts, in the order written (for the store written behind). */
  evidenceOf(ids: Iterable<string>): EvidenceRow[] {
    const out: EvidenceRow[] = [];
    for (const id of ids) out.push(...(this.p.accounts.get(id)?.evidence ?? []));
    return out;
  }

  /** The rows of these accounts that exist. */
  accountRows(ids: Iterable<string>): AccountOut[] {
    const out: AccountOut[] = [];
    for (const id of ids) {
      const e = this.p.accounts.get(id);
      if (e) out.push(e.row);
    }
    return out;
  }

  campaignRow(id: string): CampaignOut | undefined {
    return this.p.campaigns.get(id)?.row;
  }

  dailyOf(days: Iterable<string>): DailyRow[] {
    const out: DailyRow[] = [];
    for (const d of days) out.push(...(this.p.days.get(d) ?? []));
    return out;
  }

  /** Everything, as a scan result (the store's start-up rebuild). */
  whole(): ScanResult & { links: LinkOut[] } {
    const evidence: EvidenceRow[] = [];
    for (const e of this.p.accounts.values()) evidence.push(...e.evidence);
    const links: LinkOut[] = [];
    for (const list of this.p.links.values()) links.push(...list);
    const daily: DailyRow[] = [];
    for (const rows of this.p.days.values()) daily.push(...rows);
    return { summary: this.p.summary!, accounts: [...this.p.accounts.values()].map((e) => e.row), campaigns: [...this.p.campaigns.values()].map((c) => c.row), evidence, daily, links };
  }

  async accounts(filter: AccountFilter = {}): Promise<AccountOut[]> {
    return filteredRows(this.p.ordered, accountConditions(filter, this), filter);
  }

  async account(id: string): Promise<(AccountOut & { evidence: EvidenceRow[] }) | null> {
    const e = this.p.accounts.get(id);
    return e ? { ...e.row, evidence: [...e.evidence] } : null;
  }

  async campaigns(): Promise<CampaignOut[]> {
    return [...this.p.campaignOrder];
  }

  async campaign(id: string): Promise<CampaignOut | null> {
    return this.p.campaigns.get(id)?.row ?? null;
  }

  async daily(campaignId?: string): Promise<DailyRow[]> {
    return [...(campaignId === undefined ? this.p.globalDaily : (this.p.campaignDaily.get(campaignId) ?? []))];
  }

  async links(campaignId: string): Promise<LinkOut[]> {
    return [...(this.p.links.get(campaignId) ?? [])];
  }

  async summary(): Promise<Summary | null> {
    return this.p.summary;
  }
}

/** Two lists in the same order merged into one. */
function mergeOrdered<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number): T[] {
  if (b.length === 0) return a as T[];
  const out = new Array<T>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = cmp(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

function dailyIndexes(days: ReadonlyMap<string, readonly DailyRow[]>): Pick<Parts, 'globalDaily' | 'campaignDaily'> {
  const globalDaily: DailyRow[] = [];
  const campaignDaily = new Map<string, DailyRow[]>();
  for (const rows of days.values()) {
    for (const r of rows) {
      if (r.campaign_id === undefined || r.campaign_id === null) globalDaily.push(r);
      else {
        let list = campaignDaily.get(r.campaign_id);
        if (!list) campaignDaily.set(r.campaign_id, (list = []));
        list.push(r);
      }
    }
  }
  const byDay = (x: DailyRow, y: DailyRow): number => compareText(x.day, y.day);
  globalDaily.sort(byDay);
  for (const list of campaignDaily.values()) list.sort(byDay);
  return { globalDaily, campaignDaily };
}
