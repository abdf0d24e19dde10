// Behaviour signals: when and how fast an account sends, from fixed histograms and running moments.
// The thresholds and weights are the configuration's (`scoring.behaviour`, src/config/scoring.ts).
import type { Signal } from './signal.js';

/** Smallest share of traffic in any 6-hour window of the UTC day: humans sleep, work queues do not. */
export function minSixHourShare(hours: ArrayLike<number>, total: number): number {
  if (total === 0) return 0;
  let min = Infinity;
  for (let start = 0; start < 24; start++) {
    let sum = 0;
    for (let k = 0; k < 6; k++) sum += hours[(start + k) % 24];
    if (sum < min) min = sum;
  }
  return min / total;
}

export const noDiurnalRest = {
  name: 'no-diurnal-rest',
  family: 'behaviour',
  codes: ['no_diurnal_rest'],
  evaluate(s, ctx, out) {
    const p = ctx.scoring.behaviour;
    if (s.exchanges < p.restMinExchanges || s.activeDays < p.restMinActiveDays) return;
    // A uniform 24/7 sender puts 25% of its traffic in every 6-hour window; a sleeping human ~0-5%.
    const quiet = minSixHourShare(s.hourOfDay, s.exchanges);
    if (quiet >= p.restQuietShare) out.push({ code: 'no_diurnal_rest', weight: p.restWeight, detail: { quietest_6h_share: quiet } });
  },
} satisfies Signal;

export const regularInterarrival = {
  name: 'regular-interarrival',
  family: 'behaviour',
  codes: ['regular_interarrival'],
  evaluate(s, ctx, out) {
    const p = ctx.scoring.behaviour;
    if (s.gaps < p.regularMinGaps) return;
    const sd = Math.sqrt(s.gapM2 / (s.gaps - 1));
    // Std-dev of log gaps: Poisson arrivals give ~1.28; a cron-like sender well below 0.5.
    if (sd < p.regularLogGapSd) out.push({ code: 'regular_interarrival', weight: p.regularWeight, detail: { log_gap_sd: sd } });
  },
} satisfies Signal;

export const rateVsAge = {
  name: 'rate-vs-age',
  family: 'behaviour',
  codes: ['rate_vs_age'],
  evaluate(s, ctx, out) {
    const p = ctx.scoring.behaviour;
    const age = s.ageDays(ctx.now);
    if (s.exchanges < p.rateMinExchanges || age > p.rateMaxAgeDays) return;
    const perDay = s.exchanges / Math.max(1, s.activeDays);
    if (perDay >= p.ratePerActiveDay) out.push({ code: 'rate_vs_age', weight: p.rateWeight, detail: { per_active_day: perDay, age_days: age } });
  },
} satisfies Signal;
