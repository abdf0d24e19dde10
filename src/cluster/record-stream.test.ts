// Record-stream messages: a partition's records cut to fit the server's payload limit, in order, read
// back as sent; the message id names the records, not the ordinals (a batch re-sent after serve
// restarted is the same message); a message that is not one is refused with the reason.
import { describe, expect, it } from 'vitest';
import { headers } from '@nats-io/transport-node';
import type { CanonicalRecord } from '../core/records.js';
import { byPartition, partitionOf, readStreamItem, recordsMessages, watermarkMessage, H_PARTITIONS } from './record-stream.js';

const rec = (i: number, account: string): CanonicalRecord => ({ kind: 'account', accountId: account, ts: 1_700_000_000_000 + i, note: 'x'.repeat(200 + (i % 7) * 50) }) as unknown as CanonicalRecord;

describe('record-stream messages', () => {
  const recs = Array.from({ length: 400 }, (_, i) => rec(i, `acct-${i % 13}`));

  it('split by partition keep arrival order with their ordinals; each partition cut into messages under the limit, read back whole and in order', () => {
    const parts = byPartition(recs, 1000, 3);
    expect([...parts.values()].reduce((n, p) => n + p.recs.length, 0)).toBe(recs.length);
    for (const [p, part] of parts) {
      expect(part.recs.every((r) => partitionOf(r.accountId, 3) === p)).toBe(true);
      expect(part.order).toEqual([...part.order].sort((a, b) => a - b));
      const msgs = recordsMessages(part.recs, part.order, p, 3, 8 << 10);
      expect(msgs.length).toBeGreaterThan(1);
      for (const m of msgs) expect(m.data.byteLength).toBeLessThanOrEqual(8 << 10);
      const back = msgs.map((m) => readStreamItem(m.data, m.headers));
      expect(back.flatMap((b) => (b.kind === 'records' ? b.recs : []))).toEqual(part.recs);
      expect(back.flatMap((b) => (b.kind === 'records' ? b.order : []))).toEqual(part.order);
      expect(back.every((b) => b.partitions === 3)).toBe(true);
    }
  });

  it('names the records, not their ordinals, in the message id', () => {
    const a = recordsMessages(recs.slice(0, 5), [1, 2, 3, 4, 5], 0, 1, 1 << 20);
    const b = recordsMessages(recs.slice(0, 5), [91, 92, 93, 94, 95], 0, 1, 1 << 20);
    const c = recordsMessages(recs.slice(1, 6), [1, 2, 3, 4, 5], 0, 1, 1 << 20);
    expect(a[0].msgID).toBe(b[0].msgID);
    expect(a[0].msgID).not.toBe(c[0].msgID);
  });

  it('reads a watermark, and refuses a message without the partition count or with ordinals that do not match', () => {
    const w = watermarkMessage(1_700_000_000_000, 2, 4);
    expect(readStreamItem(w.data, w.headers)).toEqual({ kind: 'watermark', ts: 1_700_000_000_000, partitions: 4 });
    expect(() => readStreamItem(Buffer.from('{"o":[],"recs":[]}'), undefined)).toThrow(/dg-partitions/);
    const h = headers();
    h.set(H_PARTITIONS, '2');
    expect(() => readStreamItem(Buffer.from('{"o":[1],"recs":[]}'), h)).toThrow(/equal lengths/);
    expect(() => readStreamItem(Buffer.from('[]'), h)).toThrow(/equal lengths/);
  });
});
