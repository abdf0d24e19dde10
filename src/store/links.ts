// The campaign_links table: each campaign's account-link graph, replaced with every scan. Not one of
// the version-1 scan tables, so it is created when missing (older store files lack it) and an older
// file without it reads as "no links".
import type { LinkOut } from '../core/output.js';

export const LINKS_DDL = `CREATE TABLE campaign_links (
    campaign_id VARCHAR NOT NULL,
    account_a VARCHAR NOT NULL,
    account_b VARCHAR NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    kinds JSON NOT NULL
  )`;

export const LINKS_SELECT = `SELECT campaign_id, account_a, account_b, "at", kinds FROM campaign_links`;

export function readLink(row: Record<string, unknown>, iso: (v: unknown) => string | null): LinkOut {
  return {
    campaign_id: String(row.campaign_id),
    a: String(row.account_a),
    b: String(row.account_b),
    at: iso(row.at) as string,
    kinds: JSON.parse(String(row.kinds)) as LinkOut['kinds'],
  };
}
