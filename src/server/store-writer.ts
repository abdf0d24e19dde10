// Keeps the store current with the live engine: the whole state once at start-up (after replay),
// then, on every refresh, only the rows that changed since the last one (./output-delta.ts).
//
// A refresh has two parts. Deriving the changed rows runs on the main thread while the engine stands
// still (between two of its slices, or held for the few turns of the event loop the derivation is cut
// into), so it is one consistent cut of the engine's state; its cost is a walk over the accounts plus
// the changed rows. Writing them (DuckDB appender into staging tables, upserts, one
// transaction) runs on DuckDB's threads while the engine goes on: nothing waits for it but the next
// refresh. The refresh's number and the event time it reflects are written in the same transaction,
// so a reader sees rows and their provenance together (Store.snapshot).
import type { Summary } from '../core/output.js';
import type { Engine } from '../engine/engine.js';
import type { RefreshInfo, Store } from '../store/store.js';
import { OutputDelta, type OutputCounts, type RowDelta } from './output-delta.js';

export interface RefreshStats {
  /** Wall ms of the last refresh: deriving the rows plus writing them. */
  ms: number;
  /** Of which deriving the changed rows from the engine (main thread). */
  deriveMs: number;
  accounts: number;
  campaigns: number;
  removedCampaigns: number;
  /** Rows written, by table. */
  rows: Record<'accounts' | 'evidence' | 'campaigns' | 'campaign_links' | 'daily', number>;
}

/** What the caller knows at the moment the rows are derived (the engine's clock, records consumed). */
export interface RefreshPoint {
  judgedThrough: string | null;
  engineClock: string | null;
  consumed: number;
  /** Called with the wall time (performance.now) the refresh committed. */
  onCommitted?: (committedAt: number) => void;
}

export type RefreshListener = (info: RefreshInfo, stats: RefreshStats, derivedAt: number, committedAt: number) => void;

export class StoreWriter {
  lastCounts: OutputCounts = { accounts: 0, flagged: 0, suspicious: 0, campaigns: 0 };
  lastFlush: RefreshStats = { ms: 0, deriveMs: 0, accounts: 0, campaigns: 0, removedCampaigns: 0, rows: { accounts: 0, evidence: 0, campaigns: 0, campaign_links: 0, daily: 0 } };
  /** The last refresh committed to the store (null before the start-up rebuild). */
  lastRefresh: RefreshInfo | null = null;
  flushes = 0;
  private readonly delta: OutputDelta;
  private running: Promise<void> | undefined;
  private nextAllowed = 0;
  private writtenVersion = -1;
  private readonly listeners: RefreshListener[] = [];

  constructor(
    private readonly store: Store,
    engine: Engine,
    indicatorKey: string,
    private readonly point: () => RefreshPoint,
    /**
     * Stops the engine until the returned release is called. Given, the rows are derived in parts
     * with a turn of the event loop between them (HTTP answers meanwhile) while the engine stands
     * still, so they remain one cut of its state; absent, they are derived in one go.
     */
    private readonly hold?: () => () => void,
  ) {
    this.delta = new OutputDelta(engine, indicatorKey);
  }

  /** Called once each refresh has committed. */
  onRefresh(l: RefreshListener): void {
    this.listeners.push(l);
  }

  /** Replaces the store's scan tables with the engine's whole state (start-up, after replay). */
  async writeFull(summary: (counts: OutputCounts) => Summary): Promise<void> {
    await this.run(-1, summary, true);
  }

  /**
   * Writes what changed since the last write when `version` moved (the caller's count of records
   * read and consumed). Concurrent calls share one refresh; `force` ignores the spacing.
   */
  async flush(version: number, summary: (counts: OutputCounts) => Summary, force = false): Promise<void> {
    if (this.running) {
      await this.running;
      if (!force) return;
    }
    if (version === this.writtenVersion) return;
    if (!force && performance.now() < this.nextAllowed) return;
    await this.run(version, summary, false);
  }

  private async run(version: number, summary: (counts: OutputCounts) => Summary, full: boolean): Promise<void> {
    this.running = this.write(version, summary, full).finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private async write(version: number, summary: (counts: OutputCounts) => Summary, full: boolean): Promise<void> {
    const t0 = performance.now();
    const release = this.hold?.();
    let d: RowDelta;
    let p: RefreshPoint;
    try {
      const turn = release && ((): Promise<void> => new Promise((r) => setImmediate(r)));
      d = full ? await this.delta.all(turn) : await this.delta.changes(turn);
      p = this.point();
    } finally {
      release?.();
    }
    const info: RefreshInfo = {
      refresh: (this.lastRefresh?.refresh ?? 0) + 1,
      judged_through: p.judgedThrough,
      engine_clock: p.engineClock,
      consumed: p.consumed,
      derived_at: new Date().toISOString(),
    };
    this.lastCounts = d.counts;
    const committed = p.onCommitted;
    const s = summary(d.counts);
    const derivedAt = performance.now();
    const deriveMs = derivedAt - t0;
    if (full) {
      await this.store.writeScan({ summary: s, accounts: d.accounts, campaigns: d.campaigns, evidence: d.evidence, daily: d.daily, links: d.links, refresh: info });
    } else {
      await this.store.writeLive({ ...d, summary: s, refresh: info });
    }
    const committedAt = performance.now();
    this.writtenVersion = version;
    const ms = committedAt - t0;
    const rows = { accounts: d.accounts.length, evidence: d.evidence.length, campaigns: d.campaigns.length, campaign_links: d.links.length, daily: d.daily.length };
    this.lastFlush = { ms, deriveMs, accounts: d.accounts.length, campaigns: d.campaigns.length, removedCampaigns: d.removedCampaigns.length, rows };
    this.lastRefresh = info;
    this.flushes++;
    // Refreshes take at most half the wall time: the store's threads share the cores with the engine.
    this.nextAllowed = committedAt + ms;
    committed?.(committedAt);
    for (const l of this.listeners) l(info, this.lastFlush, derivedAt, committedAt);
  }
}
