// Keeps the store current with the live engine: the whole state once at start-up (after replay),
// then only the accounts and campaigns whose output changed since the last write.
//
// Change detection compares a cheap signature of each output row (score, verdict, campaign, counts,
// times, reason codes and weights) with the one last written; unchanged rows are not serialized or
// sent to DuckDB. The whole output is still derived from the engine each flush (collectResults, the
// same code `scan` uses, so serve and scan cannot disagree on what a row says); flushes are spaced
// out to at least 4× their own duration, so on a large state they cost a bounded share of the time.
import type { AccountOut, CampaignOut, Summary } from '../core/output.js';
import type { Engine } from '../engine/engine.js';
import { collectResults, type EngineResults } from '../engine/results.js';
import type { Store } from '../store/store.js';

export interface FlushStats {
  /** Wall ms of the last flush (derive + write). */
  ms: number;
  /** Of which deriving the output rows from the engine (collectResults and the diff). */
  deriveMs: number;
  accounts: number;
  campaigns: number;
  removedCampaigns: number;
}

export class StoreWriter {
  lastCounts = { accounts: 0, flagged: 0, suspicious: 0, campaigns: 0 };
  lastFlush: FlushStats = { ms: 0, deriveMs: 0, accounts: 0, campaigns: 0, removedCampaigns: 0 };
  flushes = 0;
  private readonly accountSig = new Map<string, string>();
  private readonly campaignSig = new Map<string, string>();
  private running: Promise<void> | undefined;
  private nextAllowed = 0;
  private writtenVersion = -1;

  constructor(
    private readonly store: Store,
    private readonly engine: Engine,
    private readonly indicatorKey: string,
  ) {}

  /** Replaces the store's scan tables with the engine's whole state (start-up, after replay). */
  async writeFull(summary: () => Summary): Promise<void> {
    const r = this.derive();
    await this.store.writeScan({ summary: summary(), ...r });
    this.accountSig.clear();
    this.campaignSig.clear();
    for (const a of r.accounts) this.accountSig.set(a.account_id, accountSig(a));
    const links = linkCounts(r);
    for (const c of r.campaigns) this.campaignSig.set(c.campaign_id, campaignSig(c, links));
  }

  /**
   * Writes what changed since the last write when `version` moved (the caller's count of records
   * read and consumed). Concurrent calls share one flush; `force` ignores the spacing.
   */
  async flush(version: number, summary: () => Summary, force = false): Promise<void> {
    if (this.running) {
      await this.running;
      if (!force) return;
    }
    if (version === this.writtenVersion) return;
    if (!force && performance.now() < this.nextAllowed) return;
    this.running = this.write(version, summary).finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private async write(version: number, summary: () => Summary): Promise<void> {
    const t0 = performance.now();
    const r = this.derive();
    const accounts: AccountOut[] = [];
    for (const a of r.accounts) {
      const sig = accountSig(a);
      if (this.accountSig.get(a.account_id) !== sig) {
        accounts.push(a);
        this.accountSig.set(a.account_id, sig);
      }
    }
    const changedIds = new Set(accounts.map((a) => a.account_id));
    const campaigns: CampaignOut[] = [];
    const live = new Set<string>();
    const links = linkCounts(r);
    for (const c of r.campaigns) {
      live.add(c.campaign_id);
      const sig = campaignSig(c, links);
      if (this.campaignSig.get(c.campaign_id) !== sig) {
        campaigns.push(c);
        this.campaignSig.set(c.campaign_id, sig);
      }
    }
    const removedCampaigns = [...this.campaignSig.keys()].filter((id) => !live.has(id));
    const changedCampaigns = new Set(campaigns.map((c) => c.campaign_id));
    for (const id of removedCampaigns) this.campaignSig.delete(id);
    const deriveMs = performance.now() - t0;
    await this.store.writeLive({
      accounts,
      evidence: r.evidence.filter((e) => changedIds.has(e.account_id)),
      campaigns,
      removedCampaigns,
      links: r.links.filter((l) => changedCampaigns.has(l.campaign_id)),
      daily: r.daily,
      summary: summary(),
    });
    this.writtenVersion = version;
    const ms = performance.now() - t0;
    this.lastFlush = { ms, deriveMs, accounts: accounts.length, campaigns: campaigns.length, removedCampaigns: removedCampaigns.length };
    this.flushes++;
    this.nextAllowed = performance.now() + 3 * ms;
  }

  private derive(): EngineResults {
    const r = collectResults(this.engine, this.indicatorKey);
    let flagged = 0;
    let suspicious = 0;
    for (const a of r.accounts) {
      if (a.verdict === 'distillation') flagged++;
      else if (a.verdict === 'suspicious') suspicious++;
    }
    this.lastCounts = { accounts: r.accounts.length, flagged, suspicious, campaigns: r.campaigns.length };
    return r;
  }
}

/** Link-graph size by campaign (a new link between members changes only that). */
function linkCounts(r: EngineResults): Map<string, number> {
  const n = new Map<string, number>();
  for (const l of r.links) n.set(l.campaign_id, (n.get(l.campaign_id) ?? 0) + 1);
  return n;
}

function campaignSig(c: CampaignOut, links: Map<string, number>): string {
  return `${links.get(c.campaign_id) ?? 0}|${JSON.stringify(c)}`;
}

function accountSig(a: AccountOut): string {
  let s = `${a.score}|${a.verdict}|${a.campaign_id}|${a.exchanges}|${a.flagged_at}|${a.suspicious_at}|${a.last_seen}`;
  for (const r of a.reasons) s += `|${r.code}:${r.weight}`;
  return s;
}
