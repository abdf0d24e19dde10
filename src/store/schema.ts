// The DuckDB schema of a distillguard store, and its version.
//
// Bump SCHEMA_VERSION when a table changes shape, and add the step from the previous version to
// MIGRATIONS. A file written with a newer version is refused, never guessed at.

export const SCHEMA_VERSION = 4;

export const META_DDL = `CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`;

/**
 * Timestamps are TIMESTAMPTZ (UTC instants, millisecond precision in practice); structured values
 * with a fixed shape use LIST/STRUCT/MAP; reason lists (whose `detail` values are of mixed type)
 * are JSON. `extra` holds any output field this schema has no column for, so fields added to the
 * contract later survive a round trip.
 */
/** Tables replaced as a whole by each writeScan. */
export const SCAN_DDL = {
  accounts: `CREATE TABLE accounts (
    account_id VARCHAR PRIMARY KEY,
    score DOUBLE NOT NULL,
    verdict VARCHAR NOT NULL,
    campaign_id VARCHAR,
    flagged_at TIMESTAMPTZ,
    exchanges BIGINT NOT NULL,
    exchanges_before_flag BIGINT,
    suspicious_at TIMESTAMPTZ,
    first_seen TIMESTAMPTZ,
    last_seen TIMESTAMPTZ,
    reasons JSON NOT NULL,
    capabilities MAP(VARCHAR, DOUBLE),
    extra JSON
  )`,
  campaigns: `CREATE TABLE campaigns (
    campaign_id VARCHAR PRIMARY KEY,
    accounts VARCHAR[] NOT NULL,
    exchanges BIGINT NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL,
    flagged_at TIMESTAMPTZ,
    score DOUBLE NOT NULL,
    capabilities MAP(VARCHAR, DOUBLE) NOT NULL,
    reasons JSON NOT NULL,
    indicators STRUCT(kind VARCHAR, value VARCHAR)[] NOT NULL,
    extra JSON
  )`,
  campaign_members: `CREATE TABLE campaign_members (
    campaign_id VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    PRIMARY KEY (campaign_id, account_id)
  )`,
  evidence: `CREATE TABLE evidence (
    ord BIGINT NOT NULL,
    account_id VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    detail JSON NOT NULL,
    "at" TIMESTAMPTZ NOT NULL
  )`,
  daily: `CREATE TABLE daily (
    day DATE NOT NULL,
    campaign_id VARCHAR,
    exchanges BIGINT NOT NULL,
    flagged_exchanges BIGINT NOT NULL,
    active_accounts BIGINT NOT NULL
  )`,
  summary: `CREATE TABLE summary (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body JSON NOT NULL
  )`,
  /** Each campaign's account-link graph. In the schema since version 3 (before, made by the first writeScan). */
  campaign_links: `CREATE TABLE campaign_links (
    campaign_id VARCHAR NOT NULL,
    account_a VARCHAR NOT NULL,
    account_b VARCHAR NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    kinds JSON NOT NULL
  )`,
} as const;

/** Tables replaced as a whole by each writeScan (dropped and re-created: much faster than DELETE). */
export type ScanTable = keyof typeof SCAN_DDL;
export const SCAN_TABLES = Object.keys(SCAN_DDL) as ScanTable[];

/**
 * Tables that outlive scans (writeScan never touches them): the audit log of verdict changes and
 * analyst decisions, and the webhook delivery log. Added in version 2.
 */
export const LIVE_DDL = {
  audit: `CREATE TABLE IF NOT EXISTS audit (
    ord BIGINT NOT NULL,
    id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    actor VARCHAR NOT NULL,
    account_id VARCHAR,
    campaign_id VARCHAR,
    body JSON NOT NULL
  )`,
  webhook_deliveries: `CREATE TABLE IF NOT EXISTS webhook_deliveries (
    event_id VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    attempt INTEGER NOT NULL,
    status INTEGER,
    error VARCHAR,
    "at" TIMESTAMPTZ NOT NULL,
    delivered BOOLEAN NOT NULL
  )`,
} as const;
export const LIVE_TABLES = Object.keys(LIVE_DDL) as (keyof typeof LIVE_DDL)[];

/**
 * Analyst decisions (./decision-store.ts), and the intel objects served over TAXII or pulled from
 * peers (./intel-store.ts): tables that outlive scans, in the schema since version 3. Before it, their
 * modules created them on first use with these same statements, so a version-2 file may already hold
 * them (IF NOT EXISTS keeps those, rows and the id sequence included).
 */
export const DECISION_DDL = [
  `CREATE SEQUENCE IF NOT EXISTS decision_ids START 1`,
  `CREATE TABLE IF NOT EXISTS decisions (
    id BIGINT PRIMARY KEY DEFAULT nextval('decision_ids'),
    account_id VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    note VARCHAR NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL,
    actor VARCHAR NOT NULL,
    position BIGINT,
    accounts VARCHAR
  )`,
] as const;

/** Version 4: a split or merge decision names more accounts than one (JSON array text; NULL for the others). */
export const DECISION_ACCOUNTS_DDL = `ALTER TABLE decisions ADD COLUMN IF NOT EXISTS accounts VARCHAR`;

export const INTEL_DDL = [
  `CREATE TABLE IF NOT EXISTS intel_objects (
    api_root VARCHAR NOT NULL,
    collection VARCHAR NOT NULL,
    seq BIGINT NOT NULL,
    id VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    spec_version VARCHAR NOT NULL,
    version VARCHAR NOT NULL,
    version_key VARCHAR NOT NULL,
    date_added BIGINT NOT NULL,
    producer VARCHAR,
    source VARCHAR,
    body JSON NOT NULL,
    PRIMARY KEY (api_root, collection, id, version_key)
  )`,
  `CREATE TABLE IF NOT EXISTS intel_status (
    api_root VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    body JSON NOT NULL,
    PRIMARY KEY (api_root, id)
  )`,
] as const;

/** Every statement that creates the tables outliving scans, in a new store. */
export const KEPT_DDL: readonly string[] = [...LIVE_TABLES.map((t) => LIVE_DDL[t]), ...DECISION_DDL, ...INTEL_DDL];

/** MIGRATIONS[v] upgrades a store from version v to v + 1. Version 1 is the first. */
export const MIGRATIONS: Readonly<Record<number, readonly string[]>> = {
  1: LIVE_TABLES.map((t) => LIVE_DDL[t]),
  2: [SCAN_DDL.campaign_links.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS'), ...DECISION_DDL, ...INTEL_DDL],
  3: [DECISION_ACCOUNTS_DDL],
};
