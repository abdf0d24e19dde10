// Keeps the read view and the store current with the live engine: the whole state once at start-up
// (after replay), then, on every refresh, only the rows that changed since the last one
// (./output-delta.ts).
//
// A refresh publishes: deriving the changed rows runs on the main thread while the engine stands still
// (held for the few turns of the event loop the derivation is cut into), so it is one consistent cut
// of the engine's state; the next in-memory snapshot (./results-view.ts) is made from the previous one
// and those rows, and from then on every read answers from it. That is all that stands between a
// judgement and the read API.
//
// The store is written behind the snapshots, for durability and history: one write at a time, each
// taking the rows that changed since the last write from the newest snapshot (Store.writeLive: DuckDB
// appender, one transaction, the refresh's description with its rows), spaced by nineteen times its
// duration so that converting and appending its rows takes at most a twentieth of the main thread
// (the store is not on the path to any read, and a restart rebuilds it from the log), and by at
// least `storeEveryMs` from start to start. Nothing waits for it but `flush` callers
// (shutdown, tests) and the next write.
import type { Summary } from '../core/output.js';
import type { Engine } from '../engine/engine.js';
import { PINNED_MS, PINNED_SNAPSHOTS, type LiveDelta, type RefreshInfo, type Store } from '../store/store.js';
import { Coalesced } from './coalesced.js';
import { OutputDelta, type OutputCounts, type RowDelta } from './output-delta.js';
import { ResultsSnapshot } from './results-view.js';

type Tables = 'accounts' | 'evidence' | 'campaigns' | 'campaign_links' | 'daily';

export interface RefreshStats {
  /** Wall ms of the last refresh: deriving the rows and publishing the snapshot. */
  ms: number;
  /** Of which deriving the changed rows from the engine (main thread, engine held). */
  deriveMs: number;
  accounts: number;
  campaigns: number;
  removedCampaigns: number;
  /** Rows that changed, by table. */
  rows: Record<Tables, number>;
}

export interface StoreWriteStats {
  /** Wall ms of the last store write. */
  ms: number;
  /** The refresh it wrote (the newest published when it started). */
  refresh: number;
  /** Rows written, by table. */
  rows: Record<Tables, number>;
}

/** How store writes are spaced (the defaults suit a store no read waits for: single-node serve's). */
export interface StorePacing {
  /**
   * Least wall ms between two store writes. Where the store is not on the path to the read API, a
   * write every few seconds loses nothing but makes an account that changes every second one row
   * write, not one a second (its rows are converted and appended on the main thread).
   */
  storeEveryMs?: number;
  /** A write is followed by this many times its own wall time without one (default 19: a twentieth of the thread). */
  storeSpacing?: number;
  /**
   * Longest wall ms a write waits after the last one, whatever its spacing: for a store that is the
   * read path (serve --cluster reads the judge's). A write's wall time includes the engine work
   * interleaved with its awaits, so under a burst the spacing alone grew to minutes.
   */
  maxStoreWaitMs?: number;
}

/** What the caller knows at the moment the rows are derived (the engine's clock, records consumed). */
export interface RefreshPoint {
  judgedThrough: string | null;
  engineClock: string | null;
  consumed: number;
  /** Called with the wall time (performance.now) the refresh was published (visible to reads). */
  onCommitted?: (publishedAt: number) => void;

}

export type RefreshListener = (info: RefreshInfo, stats: RefreshStats, derivedAt: number, publishedAt: number) => void;
export type StoreWriteListener = (info: RefreshInfo, stats: StoreWriteStats) => void;

/** Keys of the rows that changed since the last store write. */
interface Dirty {
  whole: boolean;
  accounts: Set<string>;
  campaigns: Set<string>;
  days: Set<string>;
}
/** A refresh is followed by at least this many times its own duration without one (it is on the path to the read API). */
const REFRESH_SPACING = 3;
/**
 * A store write is followed by at least this many times its own duration without one: at most a
 * twentieth of the main thread. A write converts every account row that changed since the last one,
 * so under heavy traffic it grows with the accounts; at the refreshes' spacing it could take a quarter
 * of the thread the engine needs.
 */
const STORE_SPACING = 19;

const clean = (): Dirty => ({ whole: false, accounts: new Set(), campaigns: new Set(), days: new Set() });

export class StoreWriter {
  /** The snapshot every read answers from (src/server/results-view.ts). */
  view: ResultsSnapshot = ResultsSnapshot.empty();
  /**
   * Replaced snapshots still answered by `?refresh=N`, oldest first, with the time each was replaced
   * (each shares its unchanged rows with the next; what it holds alone is its indexes, ~100 bytes per account).
   */
  private readonly kept: { view: ResultsSnapshot; until: number }[] = [];

  /**
   * Numbers the refreshes on from `n` (a store's last one) instead of 1: a store that outlives its
   * writer (the cluster's PostgreSQL, read by serve --cluster with `?refresh=N` paging) never sees one
   * number name two states. Called before the first refresh.
   */
  numberAfter(n: number): void {
    if (this.lastRefresh !== null) throw new Error('numberAfter: refreshes have already been numbered');
    this.firstAfter = n;
  }

  /** Refresh `n` while it is the current snapshot or one of the last PINNED_SNAPSHOTS replaced within PINNED_MS; else undefined. */
  viewAt(n: number, now = performance.now()): ResultsSnapshot | undefined {
    if (this.view.refresh?.refresh === n) return this.view;
    this.expire(now);
    return this.kept.find((k) => k.view.refresh?.refresh === n)?.view;
  }

  /** The oldest refresh `viewAt` still answers (the current one when none is kept). */
  oldestKept(now = performance.now()): number | null {
    this.expire(now);
    return this.kept[0]?.view.refresh?.refresh ?? this.view.refresh?.refresh ?? null;
  }

  private keep(replaced: ResultsSnapshot, at: number): void {
    if (replaced.refresh === null) return;
    this.kept.push({ view: replaced, until: at + PINNED_MS });
    if (this.kept.length > PINNED_SNAPSHOTS) this.kept.shift();
    this.expire(at);
  }

  private expire(now: number): void {
    while (this.kept.length > 0 && this.kept[0].until <= now) this.kept.shift();
  }
  lastCounts: OutputCounts = { accounts: 0, flagged: 0, suspicious: 0, campaigns: 0 };
  lastFlush: RefreshStats = { ms: 0, deriveMs: 0, accounts: 0, campaigns: 0, removedCampaigns: 0, rows: noRows() };
  lastWrite: StoreWriteStats = { ms: 0, refresh: 0, rows: noRows() };
  /** The last refresh published (null before the start-up rebuild). */
  lastRefresh: RefreshInfo | null = null;
  /** The number the first refresh follows: 0, or a store's last one (numberAfter). */
  private firstAfter = 0;
  /** The last refresh the store holds. */
  lastStored: RefreshInfo | null = null;
  /** The last store write's error, if it failed (its rows are written by the next one). */
  storeError: string | undefined;
  flushes = 0;
  private readonly delta: OutputDelta;
  private running: Promise<void> | undefined;
  private nextAllowed = 0;
  private writtenVersion = -1;
  private dirty = clean();
  private nextWrite = 0;
  /** Ends the wait of a store write that is spacing itself out (a caller needs the store now). */
  private wake: (() => void) | undefined;
  private readonly pacing: Required<StorePacing>;
  private readonly storeWrites = new Coalesced(() => this.writeStore());
  private readonly listeners: RefreshListener[] = [];
  private readonly writeListeners: StoreWriteListener[] = [];

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
    private readonly hold?: () => Promise<() => void>,
    pacing: StorePacing = {},
  ) {
    this.delta = new OutputDelta(engine, indicatorKey);
    this.pacing = { storeEveryMs: pacing.storeEveryMs ?? 0, storeSpacing: pacing.storeSpacing ?? STORE_SPACING, maxStoreWaitMs: pacing.maxStoreWaitMs ?? Infinity };
  }

  /** Called once each refresh is published. */
  onRefresh(l: RefreshListener): void {
    this.listeners.push(l);
  }

  /** Called once each store write has committed. */
  onStoreWrite(l: StoreWriteListener): void {
    this.writeListeners.push(l);
  }

  /**
   * Publishes the engine's whole state (start-up, after replay); the store's scan tables are replaced
   * with it behind (`persisted` waits for that).
   */
  async publishFull(summary: (counts: OutputCounts) => Summary): Promise<void> {
    await this.publishOnce(-1, summary, true);
  }

  /** Publishes the engine's whole state and waits until the store's scan tables are replaced with it. */
  async writeFull(summary: (counts: OutputCounts) => Summary): Promise<void> {
    await this.publishFull(summary);
    await this.persisted();
  }

  /**
   * Publishes what changed since the last refresh when `version` moved (the caller's count of records
   * read and consumed); unforced, skipped while spaced out after the last one. Concurrent calls share
   * one refresh. Forced, it also waits until the store holds it.
   */
  async flush(version: number, summary: (counts: OutputCounts) => Summary, force = false): Promise<void> {
    await this.publish(version, summary, force);
    if (force) await this.persisted();
  }

  /** Publishes a refresh (as `flush`), without waiting for the store. */
  async publish(version: number, summary: (counts: OutputCounts) => Summary, force = false): Promise<void> {
    if (this.running) {
      await this.running;
      if (!force) return;
    }
    if (version === this.writtenVersion) return;
    if (!force && performance.now() < this.nextAllowed) return;
    await this.publishOnce(version, summary, false);
  }

  /** Resolves once the store holds the last published refresh (rejects when that write failed). */
  async persisted(): Promise<void> {
    while (this.lastRefresh !== null && (this.lastStored?.refresh ?? 0) < this.lastRefresh.refresh) {
      this.nextWrite = 0;
      // A write already waiting out its spacing goes now (a clean stop waited up to 19x a write's time).
      this.wake?.();
      await this.storeWrites.run();
    }
  }

  private async publishOnce(version: number, summary: (counts: OutputCounts) => Summary, whole: boolean): Promise<void> {
    this.running = this.derive(version, summary, whole).finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  private async derive(version: number, summary: (counts: OutputCounts) => Summary, whole: boolean): Promise<void> {
    const t0 = performance.now();
    // Wall ms spent waiting (for the hold: a checkpoint copying the engine; for turns of the event
    // loop between parts): not the refresh's own work, so not counted in its spacing.
    let waited = 0;
    const release = await this.hold?.();
    waited += performance.now() - t0;
    let d: RowDelta;
    let p: RefreshPoint;
    try {
      const turn =
        release &&
        (async (): Promise<void> => {
          const w0 = performance.now();
          await new Promise((r) => setImmediate(r));
          waited += performance.now() - w0;
        });
      d = whole ? await this.delta.all(turn) : await this.delta.changes(turn);
      p = this.point();
    } finally {
      release?.();
    }
    const derivedAt = performance.now();
    const info: RefreshInfo = {
      refresh: (this.lastRefresh?.refresh ?? this.firstAfter) + 1,
      judged_through: p.judgedThrough,
      engine_clock: p.engineClock,
      consumed: p.consumed,
      derived_at: new Date().toISOString(),
    };
    this.lastCounts = d.counts;
    const { counts: _counts, ...rows } = d;
    const replaced = this.view;
    this.view = whole ? ResultsSnapshot.of({ ...rows, summary: summary(d.counts) }, info) : this.view.next({ ...rows, summary: summary(d.counts), refresh: info });
    const publishedAt = performance.now();
    this.keep(replaced, publishedAt);
    this.writtenVersion = version;
    this.lastRefresh = info;
    this.flushes++;
    this.markDirty(d, whole);
    const ms = publishedAt - t0;
    this.lastFlush = { ms, deriveMs: derivedAt - t0, accounts: d.accounts.length, campaigns: d.campaigns.length, removedCampaigns: d.removedCampaigns.length, rows: rowCounts(d) };
    // Refreshes take at most a quarter of the main thread's time: the engine shares it (a refresh
    // every second re-derives every account active in that second). Spaced by the work, not the wall:
    // a refresh that waited 20 s for a checkpoint's copy, or whose parts waited behind other work on a
    // busy machine, used to keep the next one away for three times that (judged -> visible p99 53 s
    // paced at 0.9 x scan, load 13-25, while refreshes took at most 4.3 s).
    this.nextAllowed = publishedAt + REFRESH_SPACING * Math.max(0, ms - waited);
    p.onCommitted?.(publishedAt);
    for (const l of this.listeners) l(info, this.lastFlush, derivedAt, publishedAt);
    void this.storeWrites.run().catch(() => undefined); // the error is kept in storeError
  }

  private markDirty(d: RowDelta, whole: boolean): void {
    if (whole) {
      this.dirty = { ...clean(), whole: true };
      return;
    }
    for (const a of d.accounts) this.dirty.accounts.add(a.account_id);
    for (const c of d.campaigns) this.dirty.campaigns.add(c.campaign_id);
    for (const id of d.removedCampaigns) this.dirty.campaigns.add(id);
    for (const day of d.days ?? []) this.dirty.days.add(day);
  }

  /** One store write: every row that changed since the last one, as the newest snapshot has it. */
  private async writeStore(): Promise<void> {
    // Nothing newer than the store holds: no write, and no wait (a caller would wait out the spacing for nothing).
    if ((this.view.refresh?.refresh ?? 0) <= (this.lastStored?.refresh ?? 0)) return;
    const wait = Math.min(this.nextWrite - performance.now(), this.pacing.maxStoreWaitMs);
    if (wait > 0) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, wait);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = undefined;
    }
    const view = this.view;
    const info = view.refresh;
    if (info === null || (this.lastStored?.refresh ?? 0) >= info.refresh) return;
    const dirty = this.dirty;
    this.dirty = clean();
    const t0 = performance.now();
    let rows: Record<Tables, number>;
    try {
      if (dirty.whole) {
        const all = view.whole();
        await this.store.writeScan({ ...all, refresh: info });
        rows = { accounts: all.accounts.length, evidence: all.evidence.length, campaigns: all.campaigns.length, campaign_links: all.links.length, daily: all.daily.length };
      } else {
        const d = liveDelta(view, dirty);
        await this.store.writeLive(d);
        rows = rowCounts(d);
      }
    } catch (e) {
      this.restoreDirty(dirty);
      this.storeError = (e as Error).message;
      throw e;
    }
    const ms = performance.now() - t0;
    this.nextWrite = performance.now() + Math.max(this.pacing.storeSpacing * ms, this.pacing.storeEveryMs - ms);
    this.storeError = undefined;
    this.lastStored = info;
    this.lastWrite = { ms, refresh: info.refresh, rows };
    for (const l of this.writeListeners) l(info, this.lastWrite);
  }

  /** A failed write's keys go back into the next one's. */
  private restoreDirty(d: Dirty): void {
    if (d.whole) this.dirty.whole = true;
    for (const k of d.accounts) this.dirty.accounts.add(k);
    for (const k of d.campaigns) this.dirty.campaigns.add(k);
    for (const k of d.days) this.dirty.days.add(k);
  }
}

/** The store's delta for these keys, with the rows as the snapshot has them. */
function liveDelta(view: ResultsSnapshot, dirty: Dirty): LiveDelta {
  const campaigns = [];
  const removedCampaigns = [];
  for (const id of dirty.campaigns) {
    const row = view.campaignRow(id);
    if (row) campaigns.push(row);
    else removedCampaigns.push(id);
  }
  const days = [...dirty.days];
  return {
    accounts: view.accountRows(dirty.accounts),
    evidence: view.evidenceOf(dirty.accounts),
    campaigns,
    removedCampaigns,
    links: view.linksOf(campaigns.map((c) => c.campaign_id)),
    daily: view.dailyOf(days),
    days,
    summary: view.summaryRow!,
    refresh: view.refresh ?? undefined,
  };
}

function noRows(): Record<Tables, number> {
  return { accounts: 0, evidence: 0, campaigns: 0, campaign_links: 0, daily: 0 };
}

function rowCounts(d: Pick<LiveDelta, 'accounts' | 'evidence' | 'campaigns' | 'links' | 'daily'>): Record<Tables, number> {
  return { accounts: d.accounts.length, evidence: d.evidence.length, campaigns: d.campaigns.length, campaign_links: d.links.length, daily: d.daily.length };
}
