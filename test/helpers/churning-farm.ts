// A farm that churns: three generations of eight harvesting accounts, each registered two days after
// the last on a shared pool of four cards, beside ten ordinary accounts. Sorted by event time.
import type { CanonicalRecord } from '../../src/core/records.js';
import { DAY, HOUR, MINUTE } from '../../src/core/time.js';
import { account, exchange, harvestPrompt, organicPrompt, rng, T0 } from './records.js';

/** `organicCards`: the ordinary accounts pay with cards of their own (else none). */
export function churningFarm(seed: number, organicCards = false): CanonicalRecord[] {
  const r = rng(seed);
  const recs: CanonicalRecord[] = [];
  for (let gen = 0; gen < 3; gen++) {
    const start = T0 + gen * 2 * DAY;
    for (let a = 0; a < 8; a++) {
      const id = `g${gen}a${a}`;
      const created = start + a * 5 * MINUTE;
      recs.push(account(id, created, { createdAt: created, paymentFingerprint: `pool${a % 4}`, plan: 'startup', verification: 'none' }));
      for (let k = 0; k < 60; k++) {
        recs.push(exchange(id, created + HOUR + Math.floor(r() * 2 * DAY), harvestPrompt(gen * 1000 + a * 100 + k), { maxTokens: 32000, model: 'm', system: 'Answer as an expert.' }));
      }
    }
  }
  for (let u = 0; u < 10; u++) {
    const card = organicCards ? { paymentFingerprint: `own${u}` } : {};
    recs.push(account(`u${u}`, T0 - 100 * DAY, { createdAt: T0 - 100 * DAY, verification: 'phone', plan: 'paid', ...card }));
    for (let k = 0; k < 30; k++) recs.push(exchange(`u${u}`, T0 + Math.floor(r() * 6 * DAY), organicPrompt(u * 31 + k), { model: 'm', maxTokens: 32000 * (k % 2) }));
  }
  return recs.sort((a, b) => a.ts - b.ts);
}
