// The naive baseline a provider already has: a per-account rate rule. An account is flagged the first
// time its exchanges in the trailing 24 hours exceed a limit. It is judged one account at a time, which is
// exactly what a distillation campaign at ~26 exchanges per account per day is built to slip under.
import type { Exchange } from '../core/records.js';
import { HOUR, toIso } from '../core/time.js';
import type { Prediction } from './quality.js';

interface RateState {
  hours: Uint32Array;
  lastHour: number;
  window: number;
  exchanges: number;
  flaggedAt: number | null;
  before: number | null;
}

export class RateRuleBaseline {
  private readonly accounts = new Map<string, RateState>();

  constructor(readonly limitPerDay = 200) {}

  observe(ex: Exchange): void {
    let s = this.accounts.get(ex.accountId);
    if (!s) {
      s = { hours: new Uint32Array(24), lastHour: -1, window: 0, exchanges: 0, flaggedAt: null, before: null };
      this.accounts.set(ex.accountId, s);
    }
    const h = Math.floor(ex.ts / HOUR);
    if (h > s.lastHour) {
      const clear = Math.min(24, s.lastHour < 0 ? 24 : h - s.lastHour);
      for (let i = 1; i <= clear; i++) {
        const slot = (h - clear + i) % 24;
        s.window -= s.hours[slot];
        s.hours[slot] = 0;
      }
      s.lastHour = h;
    }
    s.hours[h % 24]++;
    s.window++;
    s.exchanges++;
    if (s.flaggedAt === null && s.window > this.limitPerDay) {
      s.flaggedAt = ex.ts;
      s.before = s.exchanges - 1;
    }
  }

  predictions(): Prediction[] {
    const out: Prediction[] = [];
    for (const [id, s] of this.accounts) {
      out.push({
        account_id: id,
        score: Math.min(1, s.window / this.limitPerDay / 2),
        verdict: s.flaggedAt === null ? 'benign' : 'distillation',
        flagged_at: s.flaggedAt === null ? null : toIso(s.flaggedAt),
        exchanges: s.exchanges,
        exchanges_before_flag: s.before,
        campaign_id: null,
      });
    }
    return out;
  }
}
