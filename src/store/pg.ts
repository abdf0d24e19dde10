// The PostgreSQL store: the same Store as DuckDB (./duckdb.ts) for a deployment that already runs
// PostgreSQL (cluster mode's judge writes here; `serve --store postgres://…` reads and writes here).
// Writes run one at a time on one connection, each in one transaction; reads go through a small pool,
// and a snapshot's reads share one REPEATABLE READ transaction. Rows are bulk-loaded as one JSON
// array per chunk through json_populate_recordset: one round trip per few thousand rows.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { AccountOut, CampaignOut, LinkOut, Summary } from '../core/output.js';
import { PG_FIRST_VERSION, PG_KEPT_DDL, PG_META_DDL, PG_MIGRATIONS, PG_SCAN_DDL, PG_SCAN_TABLES } from './pg-schema.js';
import { SCHEMA_VERSION } from './schema.js';
import { readLink } from './links.js';
import { PgDecisions } from './pg-decisions.js';
import { PgIntel } from './pg-intel.js';
import { Serial } from './serial.js';
import { PinnedSnapshots } from './pg-pinned.js';
import {
  accountConditions,
  ACCOUNT_COLUMNS,
  ACCOUNT_OPTIONAL_COLUMNS,
  auditConditions,
  CAMPAIGN_COLUMNS,
  errorMessage,
  extra,
  filtered,
  iso,
  readAccount,
  readAudit,
  readCampaign,
  readDaily,
  readDelivery,
  readEvidence,
  type Row,
} from './rows.js';
import {
  StoreError,
  type AccountFilter,
  type AuditEntry,
  type AuditFilter,
  type DailyRow,
  type DeliveryRow,
  type EvidenceRow,
  type LiveDelta,
  type RefreshInfo,
  type ScanResult,
  type Store,
} from './store.js';

/** What the PostgreSQL store's table families (scan tables, decisions, intel) run on. */
export interface PgAccess {
  /** Runs `fn` on the writer connection, in turn with every other write of the store. */
  write<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Reads rows (inside a snapshot, on its transaction). */
  read<T>(sql: string, params: unknown[], row: (r: Row) => T): Promise<T[]>;
}

/** A postgres:// or postgresql:// URL: what `--store` takes for this store. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//.test(s);
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Opens (creating the schema in an empty database schema) the store at a postgres:// URL. With
 * `pinSnapshots` its snapshots are kept a short while for `snapshotAt` (a reader's paging).
 */
export async function openPgStore(url: string, o: { pinSnapshots?: boolean | { keep: number; ms: number } } = {}): Promise<Store> {
  if (!isPostgresUrl(url)) throw new StoreError('open_failed', `not a postgres:// URL: ${redactUrl(url)}`);
  const pins = o.pinSnapshots === true ? new PinnedSnapshots() : o.pinSnapshots ? new PinnedSnapshots(o.pinSnapshots.keep, o.pinSnapshots.ms) : undefined;
  // Each kept snapshot holds a pooled connection: the pool has room for them beside the readers.
  const pool = new pg.Pool({ connectionString: url, max: 4 + (pins?.keep ?? 0), connectionTimeoutMillis: 10_000 });
  // An idle pooled connection that dies (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  let writer: pg.PoolClient;
  try {
    writer = await pool.connect();
  } catch (e) {
    await pins?.close();
    await pool.end();
    throw new StoreError('open_failed', `cannot open store ${redactUrl(url)}: ${errorMessage(e)}`, { cause: e });
  }
  try {
    await prepareSchema(writer, redactUrl(url));
    return new PgStore(pool, writer, pins);
  } catch (e) {
    writer.release();
    await pins?.close();
    await pool.end();
    throw e instanceof StoreError ? e : new StoreError('open_failed', `cannot open store ${redactUrl(url)}: ${errorMessage(e)}`, { cause: e });
  }
}

export async function inPgTransaction<T>(client: pg.PoolClient, body: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const r = await body();
    await client.query('COMMIT');
    return r;
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}

/** Checks the schema version, creating the schema in an empty one. Never writes to a newer store. */
async function prepareSchema(client: pg.PoolClient, name: string): Promise<void> {
  await inPgTransaction(client, async () => {
    // Two processes opening one new database at once: the second waits, then finds the schema made.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('distillguard store schema'))`);
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
    );
    const tables = rows.map((r) => r.table_name);
    if (!tables.includes('meta')) {
      if (tables.length > 0) {
        throw new StoreError('not_a_store', `${name} is not a distillguard store: it holds tables (${tables.sort().join(', ')}) but no meta table`);
      }
      await client.query(PG_META_DDL);
      for (const t of PG_SCAN_TABLES) await client.query(PG_SCAN_DDL[t]);
      for (const sql of PG_KEPT_DDL) await client.query(sql);
      await client.query(`INSERT INTO meta VALUES ('schema_version', $1), ('created_by', 'distillguard')`, [String(SCHEMA_VERSION)]);
      return;
    }
    const meta = await client.query<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`);
    const raw = meta.rows.length === 1 ? meta.rows[0].value : undefined;
    const version = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(version) || version < PG_FIRST_VERSION) {
      throw new StoreError('bad_meta', `${name}: meta table has no valid schema_version (found ${raw ?? 'none'})`);
    }
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        'schema_too_new',
        `${name} has store schema version ${version}, but this distillguard supports up to version ${SCHEMA_VERSION}: upgrade distillguard, or use a new database`,
      );
    }
    for (let v = version; v < SCHEMA_VERSION; v++) {
      const steps = PG_MIGRATIONS[v];
      if (!steps) throw new StoreError('bad_meta', `${name}: no migration from schema version ${v}`);
      for (const sql of steps) await client.query(sql);
    }
    if (version < SCHEMA_VERSION) await client.query(`UPDATE meta SET value = $1 WHERE key = 'schema_version'`, [String(SCHEMA_VERSION)]);
  });
}

/** Rows per json_populate_recordset statement: bounded message size, few round trips. */
const CHUNK = 5_000;

const ACCOUNT_SELECT = `SELECT account_id, score, verdict, campaign_id, flagged_at, exchanges, exchanges_before_flag,
  suspicious_at, first_seen, last_seen, reasons::text AS reasons, capabilities, extra::text AS extra FROM accounts`;
const CAMPAIGN_SELECT = `SELECT campaign_id, accounts, exchanges, first_seen, last_seen, flagged_at, score,
  capabilities, reasons::text AS reasons, indicators, extra::text AS extra FROM campaigns`;
const ACCOUNT_COLUMN_LIST = ['score', 'verdict', 'campaign_id', 'flagged_at', 'exchanges', 'exchanges_before_flag', 'suspicious_at', 'first_seen', 'last_seen', 'reasons', 'capabilities', 'extra'];
const CAMPAIGN_COLUMN_LIST = ['accounts', 'exchanges', 'first_seen', 'last_seen', 'flagged_at', 'score', 'capabilities', 'reasons', 'indicators', 'extra'];

class PgStore implements Store, PgAccess {
  private readonly writes = new Serial();
  /** Set while a snapshot's reads run: they use its connection and transaction. */
  private readonly inSnapshot = new AsyncLocalStorage<pg.PoolClient>();
  private closed = false;
  readonly decisions = new PgDecisions(this);
  readonly intel = new PgIntel(this);

  constructor(
    private readonly pool: pg.Pool,
    private readonly writer: pg.PoolClient,
    /** Snapshots kept for paging (serve --cluster's reader); none for a writer. */
    private readonly pinned?: PinnedSnapshots,
  ) {}

  writeScan(r: ScanResult & { refresh?: RefreshInfo }): Promise<void> {
    return this.write(async (c) => {
      // Rows are shaped (and checked) before the transaction: a bad value fails with nothing written.
      const accounts = r.accounts.map(accountRow);
      const campaigns = r.campaigns.map(campaignRow);
      const evidence = r.evidence.map((e, i) => evidenceRow(i, e));
      const daily = r.daily.map(dailyRow);
      const links = (r.links ?? []).map(linkRow);
      await inPgTransaction(c, async () => {
        // DELETE, not TRUNCATE: a snapshot reader that began before this commit must still see the old rows.
        for (const t of PG_SCAN_TABLES) await c.query(`DELETE FROM ${t}`);
        await insertRows(c, 'accounts', accounts);
        await insertRows(c, 'campaigns', campaigns);
        await insertRows(c, 'campaign_members', memberRows(r.campaigns));
        await insertRows(c, 'evidence', evidence);
        await insertRows(c, 'daily', daily);
        await c.query(`INSERT INTO summary VALUES (1, $1::json)`, [JSON.stringify(r.summary)]);
        await insertRows(c, 'campaign_links', links);
        await writeRefresh(c, r.refresh);
      });
    });
  }

  writeLive(d: LiveDelta): Promise<void> {
    return this.write(async (c) => {
      const accounts = d.accounts.map(accountRow);
      const campaigns = d.campaigns.map(campaignRow);
      const daily = d.daily.map(dailyRow);
      const links = d.links.map(linkRow);
      d.evidence.forEach((e, i) => evidenceRow(i, e)); // checked before the transaction
      await inPgTransaction(c, async () => {
        await upsertRows(c, 'accounts', 'account_id', ACCOUNT_COLUMN_LIST, accounts);
        const ids = d.accounts.map((a) => a.account_id);
        await c.query(`DELETE FROM evidence WHERE account_id = ANY($1::text[])`, [ids]);
        const base = await nextOrd(c, 'evidence');
        await insertRows(c, 'evidence', d.evidence.map((e, i) => evidenceRow(base + i, e)));
        const gone = [...d.removedCampaigns, ...d.campaigns.map((x) => x.campaign_id)];
        await c.query(`DELETE FROM campaign_members WHERE campaign_id = ANY($1::text[])`, [gone]);
        await c.query(`DELETE FROM campaign_links WHERE campaign_id = ANY($1::text[])`, [gone]);
        await insertRows(c, 'campaign_links', links);
        await c.query(`DELETE FROM campaigns WHERE campaign_id = ANY($1::text[])`, [d.removedCampaigns]);
        await upsertRows(c, 'campaigns', 'campaign_id', CAMPAIGN_COLUMN_LIST, campaigns);
        await insertRows(c, 'campaign_members', memberRows(d.campaigns));
        if (d.days === undefined) await c.query(`DELETE FROM daily`);
        else await c.query(`DELETE FROM daily WHERE to_char(day, 'YYYY-MM-DD') = ANY($1::text[])`, [d.days]);
        await insertRows(c, 'daily', daily);
        await c.query(`INSERT INTO summary VALUES (1, $1::json) ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body`, [JSON.stringify(d.summary)]);
        await writeRefresh(c, d.refresh);
      });
    });
  }

  async snapshot<T>(read: () => Promise<T>): Promise<{ value: T; refresh: RefreshInfo | null }> {
    this.assertOpen();
    const client = await this.pool.connect();
    let pinned = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const value = await this.inSnapshot.run(client, read);
        const { rows } = await client.query<{ value: string }>(`SELECT value FROM meta WHERE key = 'live_refresh'`);
        const refresh = rows.length === 0 ? null : (JSON.parse(rows[0].value) as RefreshInfo);
        // Kept open for later pages of this refresh (?refresh=N) unless one is already kept.
        pinned = refresh !== null && this.pinned !== undefined && this.pinned.pin(client, refresh);
        if (!pinned) await client.query('COMMIT');
        return { value, refresh };
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    } finally {
      if (!pinned) client.release();
    }
  }

  async snapshotAt<T>(n: number, read: () => Promise<T>): Promise<{ value: T; refresh: RefreshInfo } | 'gone' | 'unpublished'> {
    this.assertOpen();
    const held = await this.pinned?.readAt(n, (client) => this.inSnapshot.run(client, read));
    if (held !== undefined) return held;
    // Not kept: the store's state now answers when it is still refresh n (then pinned by snapshot()).
    const fresh = await this.snapshot(read);
    const now = fresh.refresh?.refresh ?? 0;
    if (now === n) return { value: fresh.value, refresh: fresh.refresh! };
    return now < n ? 'unpublished' : 'gone';
  }

  appendAudit(entries: AuditEntry[]): Promise<AuditEntry[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return this.write((c) =>
      inPgTransaction(c, async () => {
        // Another process (a judge beside a serve) may append too: ids and ord are decided under the lock.
        await c.query(`LOCK TABLE audit IN SHARE ROW EXCLUSIVE MODE`);
        const known = new Set((await c.query<{ id: string }>(`SELECT id FROM audit WHERE id = ANY($1::text[])`, [entries.map((e) => e.id)])).rows.map((r) => r.id));
        const seen = new Set<string>();
        const fresh = entries.filter((e) => {
          if (known.has(e.id) || seen.has(e.id)) return false;
          seen.add(e.id);
          return true;
        });
        const base = await nextOrd(c, 'audit');
        await insertRows(
          c,
          'audit',
          fresh.map((e, i) => ({
            ord: base + i,
            id: e.id,
            kind: e.kind,
            at: timestamp(e.at, 'audit.at'),
            recorded_at: timestamp(e.recorded_at, 'audit.recorded_at'),
            actor: e.actor,
            account_id: e.account_id,
            campaign_id: e.campaign_id,
            body: e.body,
          })),
        );
        return fresh;
      }),
    );
  }

  audit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const { sql, values } = filtered(
      `SELECT id, kind, "at", recorded_at, actor, account_id, campaign_id, body::text AS body FROM audit`,
      auditConditions(filter),
      'ord DESC',
      filter,
      (n) => `$${n + 1}`,
    );
    return this.read(sql, values, readAudit);
  }

  appendDelivery(d: DeliveryRow): Promise<void> {
    return this.write(async (c) => {
      await c.query(`INSERT INTO webhook_deliveries VALUES ($1, $2, $3, $4, $5, $6, $7)`, [d.event_id, d.url, d.attempt, d.status, d.error, timestamp(d.at, 'delivery.at'), d.delivered]);
    });
  }

  deliveries(eventId?: string): Promise<DeliveryRow[]> {
    const select = `SELECT event_id, url, attempt, status, error, "at", delivered FROM webhook_deliveries`;
    return eventId === undefined
      ? this.read(`${select} ORDER BY "at", attempt`, [], readDelivery)
      : this.read(`${select} WHERE event_id = $1 ORDER BY "at", attempt`, [eventId], readDelivery);
  }

  accounts(filter: AccountFilter = {}): Promise<AccountOut[]> {
    const { sql, values } = filtered(
      ACCOUNT_SELECT,
      accountConditions(filter),
      'score DESC, account_id COLLATE "C"',
      filter,
      (n) => `$${n + 1}`,
    );
    return this.read(sql, values, readAccount);
  }

  async account(id: string): Promise<(AccountOut & { evidence: EvidenceRow[] }) | null> {
    const [a] = await this.read(`${ACCOUNT_SELECT} WHERE account_id = $1`, [id], readAccount);
    if (!a) return null;
    const evidence = await this.read(`SELECT account_id, code, weight, detail::text AS detail, "at" FROM evidence WHERE account_id = $1 ORDER BY ord`, [id], readEvidence);
    return { ...a, evidence };
  }

  campaigns(): Promise<CampaignOut[]> {
    return this.read(`${CAMPAIGN_SELECT} ORDER BY score DESC, campaign_id COLLATE "C"`, [], readCampaign);
  }

  async campaign(id: string): Promise<CampaignOut | null> {
    const [c] = await this.read(`${CAMPAIGN_SELECT} WHERE campaign_id = $1`, [id], readCampaign);
    return c ?? null;
  }

  daily(campaignId?: string): Promise<DailyRow[]> {
    const select = `SELECT to_char(day, 'YYYY-MM-DD') AS day, campaign_id, exchanges, flagged_exchanges, active_accounts FROM daily`;
    return campaignId === undefined
      ? this.read(`${select} WHERE campaign_id IS NULL ORDER BY day`, [], readDaily)
      : this.read(`${select} WHERE campaign_id = $1 ORDER BY day`, [campaignId], readDaily);
  }

  links(campaignId: string): Promise<LinkOut[]> {
    return this.read(
      `SELECT campaign_id, account_a, account_b, "at", kinds::text AS kinds FROM campaign_links WHERE campaign_id = $1 ORDER BY "at", account_a COLLATE "C", account_b COLLATE "C"`,
      [campaignId],
      (row) => readLink(row, iso),
    );
  }

  async summary(): Promise<Summary | null> {
    const [s] = await this.read(`SELECT body::text AS body FROM summary WHERE id = 1`, [], (row) => JSON.parse(String(row.body)) as Summary);
    return s ?? null;
  }

  write<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.writes.run(() => fn(this.writer));
  }

  async read<T>(sql: string, params: unknown[], row: (r: Row) => T): Promise<T[]> {
    this.assertOpen();
    const { rows } = await (this.inSnapshot.getStore() ?? this.pool).query<Row>(sql, params);
    return rows.map(row);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pinned?.close();
    await this.writes.drain();
    this.writer.release();
    await this.pool.end();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('closed', 'the store is closed');
  }
}

/** The live refresh the tables now reflect, in the meta table; none after a scan. */
async function writeRefresh(c: pg.PoolClient, r: RefreshInfo | undefined): Promise<void> {
  if (r === undefined) await c.query(`DELETE FROM meta WHERE key = 'live_refresh'`);
  else await c.query(`INSERT INTO meta VALUES ('live_refresh', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [JSON.stringify(r)]);
}

async function nextOrd(c: pg.PoolClient, table: 'audit' | 'evidence'): Promise<number> {
  const { rows } = await c.query<{ n: string }>(`SELECT coalesce(max(ord), -1) + 1 AS n FROM ${table}`);
  return Number(rows[0].n);
}

/** Inserts rows given as objects keyed by column (absent key = NULL; a nested value fills a JSON column as written). */
async function insertRows(c: pg.PoolClient, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await c.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [JSON.stringify(rows.slice(i, i + CHUNK))]);
  }
}

async function upsertRows(c: pg.PoolClient, table: string, key: string, columns: string[], rows: object[]): Promise<void> {
  const set = `(${columns.join(', ')}) = ROW(${columns.map((x) => `EXCLUDED.${x}`).join(', ')})`;
  for (let i = 0; i < rows.length; i += CHUNK) {
    await c.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json) ON CONFLICT (${key}) DO UPDATE SET ${set}`, [
      JSON.stringify(rows.slice(i, i + CHUNK)),
    ]);
  }
}


// ---- JS → row objects (checked: a value the schema cannot hold is a StoreError naming the field) --

function accountRow(a: AccountOut): object {
  const rest = extra(a, ACCOUNT_COLUMNS, ACCOUNT_OPTIONAL_COLUMNS);
  return {
    account_id: a.account_id,
    score: a.score,
    verdict: a.verdict,
    campaign_id: a.campaign_id,
    flagged_at: timestamp(a.flagged_at, 'flagged_at'),
    exchanges: int(a.exchanges, 'exchanges'),
    exchanges_before_flag: a.exchanges_before_flag === null ? null : int(a.exchanges_before_flag, 'exchanges_before_flag'),
    suspicious_at: timestamp(a.suspicious_at, 'suspicious_at'),
    first_seen: timestamp(a.first_seen, 'first_seen'),
    last_seen: timestamp(a.last_seen, 'last_seen'),
    reasons: a.reasons,
    capabilities: a.capabilities ?? undefined,
    extra: rest === null ? undefined : (JSON.parse(rest) as unknown),
  };
}

function campaignRow(c: CampaignOut): object {
  const rest = extra(c, CAMPAIGN_COLUMNS, new Set());
  return {
    campaign_id: c.campaign_id,
    accounts: c.accounts,
    exchanges: int(c.exchanges, 'exchanges'),
    first_seen: timestamp(c.first_seen, 'first_seen'),
    last_seen: timestamp(c.last_seen, 'last_seen'),
    flagged_at: timestamp(c.flagged_at, 'flagged_at'),
    score: c.score,
    capabilities: c.capabilities,
    reasons: c.reasons,
    indicators: c.indicators.map((x) => ({ kind: x.kind, value: x.value })),
    extra: rest === null ? undefined : (JSON.parse(rest) as unknown),
  };
}

function memberRows(campaigns: CampaignOut[]): object[] {
  return campaigns.flatMap((c) => c.accounts.map((a) => ({ campaign_id: c.campaign_id, account_id: a })));
}

function evidenceRow(ord: number, e: EvidenceRow): object {
  let detail: unknown;
  try {
    detail = JSON.parse(e.detail);
  } catch {
    throw new StoreError('invalid_scan', `evidence.detail must be JSON text, got ${JSON.stringify(e.detail)}`);
  }
  return { ord, account_id: e.account_id, code: e.code, weight: e.weight, detail, at: timestamp(e.at, 'evidence.at') };
}

function dailyRow(d: DailyRow): object {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.day) || Number.isNaN(Date.parse(`${d.day}T00:00:00Z`))) {
    throw new StoreError('invalid_scan', `daily.day must be YYYY-MM-DD, got ${JSON.stringify(d.day)}`);
  }
  return {
    day: d.day,
    campaign_id: d.campaign_id,
    exchanges: int(d.exchanges, 'daily.exchanges'),
    flagged_exchanges: int(d.flagged_exchanges, 'daily.flagged_exchanges'),
    active_accounts: int(d.active_accounts, 'daily.active_accounts'),
  };
}

function linkRow(l: LinkOut): object {
  return { campaign_id: l.campaign_id, account_a: l.a, account_b: l.b, at: timestamp(l.at, 'link.at'), kinds: l.kinds };
}

/** An RFC 3339 time as the exact instant PostgreSQL reads (millisecond ISO in UTC); null stays null. */
function timestamp(v: string | null | undefined, field: string): string | undefined {
  if (v == null) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new StoreError('invalid_scan', `${field} is not a timestamp: ${JSON.stringify(v)}`);
  return new Date(ms).toISOString();
}

function int(v: number, field: string): number {
  if (!Number.isSafeInteger(v)) throw new StoreError('invalid_scan', `${field} must be an integer, got ${v}`);
  return v;
}
