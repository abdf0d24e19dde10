// The embedded store: one DuckDB file (or ':memory:'), bulk-loaded with the Appender.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  DuckDBDataChunkWriter,
  DuckDBInstance,
  dateValue,
  listValue,
  mapValue,
  structValue,
  timestampTZValue,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { AccountOut, CampaignOut, Summary } from '../core/output.js';
import { DAY } from '../core/time.js';
import { KEPT_DDL, META_DDL, MIGRATIONS, SCAN_DDL, SCAN_TABLES, SCHEMA_VERSION } from './schema.js';
import { LINKS_SELECT, readLink } from './links.js';
import type { LinkOut } from '../core/output.js';
import {
  StoreError,
  type AccountFilter,
  type AuditEntry,
  type AuditFilter,
  type DeliveryRow,
  type LiveDelta,
  type DailyRow,
  type RefreshInfo,
  type EvidenceRow,
  type ScanResult,
  type Store,
} from './store.js';
import { Serial } from './serial.js';
import { inTransaction, iso, type DuckDbAccess, type Row } from './duckdb-access.js';
import { DuckDbDecisions } from './duckdb-decisions.js';
import { DuckDbIntel } from './duckdb-intel.js';
import { ACCOUNT_COLUMNS, ACCOUNT_OPTIONAL_COLUMNS, CAMPAIGN_COLUMNS, errorMessage, extra, readAccount, readAudit, readCampaign, readDaily, readDelivery, readEvidence, accountConditions, auditConditions, filtered } from './rows.js';

/** Opens (creating, or migrating from an older schema version) the store in a DuckDB file or ':memory:'. */
export async function openDuckDbStore(path: string): Promise<Store> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path);
  } catch (e) {
    throw new StoreError('open_failed', `cannot open store ${path}: ${errorMessage(e)}`, { cause: e });
  }
  try {
    const writer = await instance.connect();
    await prepareSchema(writer, path);
    const reader = await instance.connect();
    return new DuckDbStore(instance, writer, reader);
  } catch (e) {
    instance.closeSync();
    throw e;
  }
}

/** Checks the schema version, creating the schema in an empty database. Never writes to a newer file. */
async function prepareSchema(conn: DuckDBConnection, path: string): Promise<void> {
  const tables = (
    await conn.runAndReadAll(
      `SELECT table_name FROM information_schema.tables
       WHERE table_catalog = current_database() AND table_schema = 'main'`,
    )
  )
    .getRowsJS()
    .map((r) => String(r[0]));
  if (!tables.includes('meta')) {
    if (tables.length > 0) {
      throw new StoreError(
        'not_a_store',
        `${path} is not a distillguard store: it holds tables (${tables.sort().join(', ')}) but no meta table`,
      );
    }
    await inTransaction(conn, async () => {
      await conn.run(META_DDL);
      for (const t of SCAN_TABLES) await conn.run(SCAN_DDL[t]);
      for (const sql of KEPT_DDL) await conn.run(sql);
      await conn.run(`INSERT INTO meta VALUES ('schema_version', $v), ('created_by', 'distillguard')`, {
        v: String(SCHEMA_VERSION),
      });
    });
    return;
  }
  const rows = (await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)).getRowsJS();
  const raw = rows.length === 1 ? String(rows[0][0]) : undefined;
  const version = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new StoreError('bad_meta', `${path}: meta table has no valid schema_version (found ${raw ?? 'none'})`);
  }
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      'schema_too_new',
      `${path} has store schema version ${version}, but this distillguard supports up to version ` +
        `${SCHEMA_VERSION}: upgrade distillguard, or write to a new file`,
    );
  }
  if (version < SCHEMA_VERSION) {
    await inTransaction(conn, async () => {
      for (let v = version; v < SCHEMA_VERSION; v++) {
        const steps = MIGRATIONS[v];
        if (!steps) throw new StoreError('bad_meta', `${path}: no migration from schema version ${v}`);
        for (const sql of steps) await conn.run(sql);
      }
      await conn.run(`UPDATE meta SET value = $v WHERE key = 'schema_version'`, { v: String(SCHEMA_VERSION) });
    });
  }
}

const ACCOUNT_SELECT = `SELECT account_id, score, verdict, campaign_id, flagged_at, exchanges,
  exchanges_before_flag, suspicious_at, first_seen, last_seen, reasons, capabilities, extra FROM accounts`;
const CAMPAIGN_SELECT = `SELECT campaign_id, accounts, exchanges, first_seen, last_seen, flagged_at, score,
  capabilities, reasons, indicators, extra FROM campaigns`;

/** Rows converted and appended between two turns of the event loop (a few ms of work each). */
const APPEND_CHUNK_ROWS = 256;

class DuckDbStore implements Store, DuckDbAccess {
  private readonly writes = new Serial();
  private readonly reads = new Serial();
  /** Set while a snapshot's reads run: they share its transaction instead of queueing behind it. */
  private readonly inSnapshot = new AsyncLocalStorage<Serial>();
  private closed = false;
  readonly decisions = new DuckDbDecisions(this);
  readonly intel = new DuckDbIntel(this);

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
  ) {}

  async writeScan(r: ScanResult & { refresh?: RefreshInfo }): Promise<void> {
    this.assertOpen();
    return this.writes.run(() =>
      inTransaction(this.writer, async () => {
        // Dropping and re-creating is transactional in DuckDB, and far faster than DELETE + re-insert
        // under a primary key (5 s against 0.6 s for 100k accounts in a file).
        for (const t of SCAN_TABLES) {
          await this.writer.run(`DROP TABLE ${t}`);
          await this.writer.run(SCAN_DDL[t]);
        }
        await this.append('accounts', r.accounts.length, (i) => accountRow(r.accounts[i]));
        await this.append('campaigns', r.campaigns.length, (i) => campaignRow(r.campaigns[i]));
        const members: [string, string][] = [];
        for (const c of r.campaigns) for (const a of c.accounts) members.push([c.campaign_id, a]);
        await this.append('campaign_members', members.length, (i) => members[i]);
        await this.append('evidence', r.evidence.length, (i) => evidenceRow(i, r.evidence[i]));
        await this.append('daily', r.daily.length, (i) => dailyRow(r.daily[i]));
        await this.writer.run(`INSERT INTO summary VALUES (1, $body)`, { body: JSON.stringify(r.summary) });
        const links = r.links ?? [];
        await this.append('campaign_links', links.length, (i) => linkRow(links[i]));
        await this.writeRefresh(r.refresh);
      }),
    );
  }

  async writeLive(d: LiveDelta): Promise<void> {
    this.assertOpen();
    return this.writes.run(() =>
      inTransaction(this.writer, async () => {
        // Changed rows are deleted by key and appended straight into the tables: cheaper than an
        // upsert through staging tables (INSERT OR REPLACE), whose cost grew with the table
        // (bench/store-refresh.ts measures both).
        const ids = d.accounts.map((a) => a.account_id);
        await this.deleteKeys('accounts', 'account_id', ids);
        await this.append('accounts', d.accounts.length, (i) => accountRow(d.accounts[i]));
        await this.deleteKeys('evidence', 'account_id', ids);
        const base = Number((await this.writer.runAndReadAll(`SELECT coalesce(max(ord), -1) + 1 FROM evidence`)).getRowsJS()[0][0]);
        await this.append('evidence', d.evidence.length, (i) => evidenceRow(base + i, d.evidence[i]));
        const gone = [...d.removedCampaigns, ...d.campaigns.map((c) => c.campaign_id)];
        for (const t of ['campaigns', 'campaign_members', 'campaign_links']) await this.deleteKeys(t, 'campaign_id', gone);
        await this.append('campaigns', d.campaigns.length, (i) => campaignRow(d.campaigns[i]));
        const members: [string, string][] = [];
        for (const c of d.campaigns) for (const a of c.accounts) members.push([c.campaign_id, a]);
        await this.append('campaign_members', members.length, (i) => members[i]);
        await this.append('campaign_links', d.links.length, (i) => linkRow(d.links[i]));
        if (d.days === undefined) await this.writer.run(`DELETE FROM daily`);
        else if (d.days.length > 0) await this.writer.run(`DELETE FROM daily WHERE strftime(day, '%Y-%m-%d') IN (SELECT unnest($days))`, { days: listValue(d.days) });
        await this.append('daily', d.daily.length, (i) => dailyRow(d.daily[i]));
        await this.writer.run(`INSERT OR REPLACE INTO summary VALUES (1, $body)`, { body: JSON.stringify(d.summary) });
        await this.writeRefresh(d.refresh);
      }),
    );
  }

  /** Deletes the rows of `table` whose `column` is one of `keys` (writer connection, current transaction). */
  private async deleteKeys(table: string, column: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.writer.run(`DELETE FROM ${table} WHERE ${column} IN (SELECT unnest($keys))`, { keys: listValue(keys) });
  }

  /** The live refresh the tables now reflect, in the meta table; none after a scan. */
  private async writeRefresh(r: RefreshInfo | undefined): Promise<void> {
    if (r === undefined) await this.writer.run(`DELETE FROM meta WHERE key = 'live_refresh'`);
    else await this.writer.run(`INSERT OR REPLACE INTO meta VALUES ('live_refresh', $v)`, { v: JSON.stringify(r) });
  }

  async snapshot<T>(read: () => Promise<T>): Promise<{ value: T; refresh: RefreshInfo | null }> {
    this.assertOpen();
    return this.reads.run(async () => {
      await this.reader.run('BEGIN TRANSACTION');
      try {
        // Reads inside `read` run on this transaction (query() finds it), one after another.
        const value = await this.inSnapshot.run(new Serial(), read);
        const [raw] = await this.inSnapshot.run(new Serial(), () => this.query(`SELECT value FROM meta WHERE key = 'live_refresh'`, {}, (row) => String(row.value)));
        await this.reader.run('COMMIT');
        return { value, refresh: raw === undefined ? null : (JSON.parse(raw) as RefreshInfo) };
      } catch (e) {
        await this.reader.run('ROLLBACK');
        throw e;
      }
    });
  }

  async appendAudit(entries: AuditEntry[]): Promise<AuditEntry[]> {
    this.assertOpen();
    if (entries.length === 0) return [];
    return this.writes.run(() =>
      inTransaction(this.writer, async () => {
        const ids = listValue(entries.map((e) => e.id));
        const known = new Set(
          (await this.writer.runAndReadAll(`SELECT id FROM audit WHERE id IN (SELECT unnest($ids))`, { ids })).getRowsJS().map((r) => String(r[0])),
        );
        const seen = new Set<string>();
        const fresh = entries.filter((e) => {
          if (known.has(e.id) || seen.has(e.id)) return false;
          seen.add(e.id);
          return true;
        });
        const base = Number((await this.writer.runAndReadAll(`SELECT coalesce(max(ord), -1) + 1 FROM audit`)).getRowsJS()[0][0]);
        await this.append('audit', fresh.length, (i) => auditRow(base + i, fresh[i]));
        return fresh;
      }),
    );
  }

  async audit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const { sql, values } = filtered(
      `SELECT id, kind, "at", recorded_at, actor, account_id, campaign_id, body FROM audit`,
      auditConditions(filter),
      'ord DESC',
      filter,
      (n) => `$p${n}`,
    );
    return this.query(sql, Object.fromEntries(values.map((v, n) => [`p${n}`, v])), readAudit);
  }


  async appendDelivery(d: DeliveryRow): Promise<void> {
    this.assertOpen();
    return this.writes.run(async () => {
      await this.writer.run(`INSERT INTO webhook_deliveries VALUES ($e, $u, $a, $s, $err, $at, $ok)`, {
        e: d.event_id,
        u: d.url,
        a: d.attempt,
        s: d.status,
        err: d.error,
        at: timestamp(d.at, 'delivery.at'),
        ok: d.delivered,
      });
    });
  }

  async deliveries(eventId?: string): Promise<DeliveryRow[]> {
    const select = `SELECT event_id, url, attempt, status, error, "at", delivered FROM webhook_deliveries`;
    return eventId === undefined
      ? this.query(`${select} ORDER BY "at", attempt`, {}, readDelivery)
      : this.query(`${select} WHERE event_id = $e ORDER BY "at", attempt`, { e: eventId }, readDelivery);
  }

  /**
   * Bulk-loads `n` rows through the Appender. Converting and appending run on the JS thread, so the
   * rows go in chunks with a turn of the event loop after each: a live refresh of thousands of rows
   * must not hold up HTTP answers (health checks, ingest acknowledgements) for its whole length.
   */
  private async append(table: string, n: number, row: (i: number) => readonly DuckDBValue[]): Promise<void> {
    if (n === 0) return;
    const appender: DuckDBAppender = await this.writer.createAppender(table);
    try {
      const chunks = DuckDBDataChunkWriter.forAppender(appender, { rowsPerDataChunk: APPEND_CHUNK_ROWS });
      for (let i = 0; i < n; i++) {
        chunks.appendRow(row(i));
        if (chunks.bufferedRowCount === 0 && i + 1 < n) await new Promise((r) => setImmediate(r));
      }
      chunks.flush();
      appender.closeSync();
    } catch (e) {
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // the transaction is rolled back either way; report the first error
      }
      throw e instanceof StoreError
        ? e
        : new StoreError('invalid_scan', `writing ${table}: ${errorMessage(e)}`, { cause: e });
    }
  }

  async accounts(filter: AccountFilter = {}): Promise<AccountOut[]> {
    const { sql, values } = filtered(
      ACCOUNT_SELECT,
      accountConditions(filter),
      'score DESC, account_id',
      filter,
      (n) => `$p${n}`,
    );
    return this.query(sql, Object.fromEntries(values.map((v, n) => [`p${n}`, v])), readAccount);
  }


  async account(id: string): Promise<(AccountOut & { evidence: EvidenceRow[] }) | null> {
    const [a] = await this.query(`${ACCOUNT_SELECT} WHERE account_id = $id`, { id }, readAccount);
    if (!a) return null;
    const evidence = await this.query(
      `SELECT account_id, code, weight, detail, "at" FROM evidence WHERE account_id = $id ORDER BY ord`,
      { id },
      readEvidence,
    );
    return { ...a, evidence };
  }

  async campaigns(): Promise<CampaignOut[]> {
    return this.query(`${CAMPAIGN_SELECT} ORDER BY score DESC, campaign_id`, {}, readCampaign);
  }

  async campaign(id: string): Promise<CampaignOut | null> {
    const [c] = await this.query(`${CAMPAIGN_SELECT} WHERE campaign_id = $id`, { id }, readCampaign);
    return c ?? null;
  }

  async daily(campaignId?: string): Promise<DailyRow[]> {
    const select = `SELECT strftime(day, '%Y-%m-%d') AS day, campaign_id, exchanges, flagged_exchanges,
      active_accounts FROM daily`;
    return campaignId === undefined
      ? this.query(`${select} WHERE campaign_id IS NULL ORDER BY day`, {}, readDaily)
      : this.query(`${select} WHERE campaign_id = $c ORDER BY day`, { c: campaignId }, readDaily);
  }

  async links(campaignId: string): Promise<LinkOut[]> {
    return this.query(`${LINKS_SELECT} WHERE campaign_id = $c ORDER BY "at", account_a, account_b`, { c: campaignId }, (row) => readLink(row, iso));
  }

  write<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.writes.run(() => fn(this.writer));
  }

  async summary(): Promise<Summary | null> {
    const [s] = await this.query(`SELECT body FROM summary WHERE id = 1`, {}, (row) =>
      JSON.parse(String(row.body)) as Summary,
    );
    return s ?? null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.writes.drain(), this.reads.drain()]);
    this.reader.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
  }

  read<T>(sql: string, params: Record<string, DuckDBValue>, row: (r: Row) => T): Promise<T[]> {
    return this.query(sql, params, row);
  }

  private async query<T>(sql: string, params: Record<string, DuckDBValue>, read: (row: Row) => T): Promise<T[]> {
    this.assertOpen();
    const serial = this.inSnapshot.getStore() ?? this.reads;
    return serial.run(async () => (await this.reader.runAndReadAll(sql, params)).getRowObjectsJS().map(read));
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('closed', 'the store is closed');
  }
}

// ---- JS → DuckDB values ------------------------------------------------------------------------

function accountRow(a: AccountOut): DuckDBValue[] {
  return [
    a.account_id,
    a.score,
    a.verdict,
    a.campaign_id,
    timestamp(a.flagged_at, 'flagged_at'),
    bigint(a.exchanges, 'exchanges'),
    a.exchanges_before_flag === null ? null : bigint(a.exchanges_before_flag, 'exchanges_before_flag'),
    timestamp(a.suspicious_at, 'suspicious_at'),
    timestamp(a.first_seen, 'first_seen'),
    timestamp(a.last_seen, 'last_seen'),
    JSON.stringify(a.reasons),
    a.capabilities == null ? null : shareMap(a.capabilities),
    extra(a, ACCOUNT_COLUMNS, ACCOUNT_OPTIONAL_COLUMNS),
  ];
}

function campaignRow(c: CampaignOut): DuckDBValue[] {
  return [
    c.campaign_id,
    listValue(c.accounts),
    bigint(c.exchanges, 'exchanges'),
    timestamp(c.first_seen, 'first_seen'),
    timestamp(c.last_seen, 'last_seen'),
    timestamp(c.flagged_at, 'flagged_at'),
    c.score,
    shareMap(c.capabilities),
    JSON.stringify(c.reasons),
    listValue(c.indicators.map((x) => structValue({ kind: x.kind, value: x.value }))),
    extra(c, CAMPAIGN_COLUMNS, new Set()),
  ];
}

function linkRow(l: LinkOut): DuckDBValue[] {
  return [l.campaign_id, l.a, l.b, timestamp(l.at, 'link.at'), JSON.stringify(l.kinds)];
}

function auditRow(ord: number, e: AuditEntry): DuckDBValue[] {
  return [
    BigInt(ord),
    e.id,
    e.kind,
    timestamp(e.at, 'audit.at'),
    timestamp(e.recorded_at, 'audit.recorded_at'),
    e.actor,
    e.account_id,
    e.campaign_id,
    JSON.stringify(e.body),
  ];
}

function evidenceRow(ord: number, e: EvidenceRow): DuckDBValue[] {
  return [BigInt(ord), e.account_id, e.code, e.weight, e.detail, timestamp(e.at, 'evidence.at')];
}

function dailyRow(d: DailyRow): DuckDBValue[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.day) || Number.isNaN(Date.parse(`${d.day}T00:00:00Z`))) {
    throw new StoreError('invalid_scan', `daily.day must be YYYY-MM-DD, got ${JSON.stringify(d.day)}`);
  }
  return [
    dateValue(Date.parse(`${d.day}T00:00:00Z`) / DAY),
    d.campaign_id ?? null,
    bigint(d.exchanges, 'daily.exchanges'),
    bigint(d.flagged_exchanges, 'daily.flagged_exchanges'),
    bigint(d.active_accounts, 'daily.active_accounts'),
  ];
}

function timestamp(v: string | null | undefined, field: string): DuckDBValue {
  if (v == null) return null;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new StoreError('invalid_scan', `${field} is not a timestamp: ${JSON.stringify(v)}`);
  return timestampTZValue(BigInt(ms) * 1000n);
}

function bigint(v: number, field: string): bigint {
  if (!Number.isSafeInteger(v)) throw new StoreError('invalid_scan', `${field} must be an integer, got ${v}`);
  return BigInt(v);
}

function shareMap(m: Record<string, number>): DuckDBValue {
  return mapValue(Object.entries(m).map(([key, value]) => ({ key, value })));
}

