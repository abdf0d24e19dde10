// An account's or a campaign's audit entries as of one snapshot: the audit log's, and the verdict
// changes the service has built but the log may not hold yet.
import type { AuditEntry } from '../store/store.js';

/**
 * Newest first, at most `limit`. `pending` are the entries on their way to the log, in the order they
 * were built (the order the log appends them); `read(n)` gives the log's newest `n`. A write can
 * commit while `pending` still lists its entries: those are then the log's newest, so the log is
 * read `pending.length` deeper to recognise every one of them (reading only `limit` deep, an older
 * pending entry could be shown as newer than the stored one that replaced it).
 */
export async function newestAudit(pending: readonly AuditEntry[], read: (n: number) => Promise<AuditEntry[]>, limit: number): Promise<AuditEntry[]> {
  const stored = await read(limit + pending.length);
  const known = new Set(stored.map((e) => e.id));
  const unstored: AuditEntry[] = [];
  for (let i = pending.length - 1; i >= 0; i--) if (!known.has(pending[i].id)) unstored.push(pending[i]);
  return [...unstored, ...stored].slice(0, limit);
}
