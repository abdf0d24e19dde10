import { describe, expect, it } from 'vitest';
import { dailySeries } from './brief-data.js';
import { dailyVolumeOption, dayLabel, timeAxisLabels } from './chart-options.js';

describe('campaign charts', () => {
  it('the daily series starts on the first exchange day, is zero-filled, and splits by flag state', () => {
    const rows = [
      { day: '2026-04-03', exchanges: 754, flagged_exchanges: 658, active_accounts: 9, campaign_id: 'c' },
      { day: '2026-04-01', exchanges: 45, flagged_exchanges: 0, active_accounts: 2, campaign_id: 'c' },
    ];
    const days = dailySeries(rows, '2026-04-01T00:19:00Z', '2026-04-04T10:00:00Z');
    expect(days).toEqual([
      { day: '2026-04-01', exchanges: 45, afterFlag: 0 },
      { day: '2026-04-02', exchanges: 0, afterFlag: 0 },
      { day: '2026-04-03', exchanges: 754, afterFlag: 658 },
      { day: '2026-04-04', exchanges: 0, afterFlag: 0 },
    ]);
    const series = dailyVolumeOption(days, '2026-04-02T15:15:00Z').series as { data: number[] }[];
    expect(series[0].data.map((v, i) => v + series[1].data[i])).toEqual([45, 0, 754, 0]);
    expect(series[1].data).toEqual([0, 0, 658, 0]);
  });

  it('dates carry the year when a span crosses one', () => {
    expect(dayLabel(['2026-04-01', '2026-04-02'])('2026-04-02')).toBe('04-02');
    expect(dayLabel(['2025-12-30', '2026-01-02'])('2026-01-02')).toBe('2026-01-02');
    expect(timeAxisLabels(true).day).toBe('{yyyy}-{MM}-{dd}');
    expect(timeAxisLabels(false).day).toBe('{MM}-{dd}');
    expect(timeAxisLabels(false).hour).toBe('{HH}:{mm}');
  });
});
