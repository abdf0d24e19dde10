// The campaign_links table (DDL in ./schema.ts): each campaign's account-link graph, replaced with
// every scan.
import type { LinkOut } from '../core/output.js';

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
