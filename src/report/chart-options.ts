// ECharts options for a campaign's charts, shared by the brief (rendered to SVG server-side) and the
// dashboard (rendered in the browser): one definition of each chart, two renderers. Pure: no DOM, no I/O.
import type { EChartsOption } from 'echarts';
import type { AccountOut } from '../core/output.js';
import type { BriefDay } from './brief-data.js';

export const COLORS = { flagged: '#c0392b', suspicious: '#d68910', benign: '#7f8c8d', other: '#aab7c4', accent: '#2c5d8a' };

/**
 * Time-axis labels by tick level: a day tick names the day, an hour tick only the time, so a short
 * span never repeats a date; with the year wherever the span crosses one.
 */
export function timeAxisLabels(crossesYear: boolean): { year: string; month: string; day: string; hour: string; minute: string; second: string; millisecond: string; none: string } {
  const day = crossesYear ? '{yyyy}-{MM}-{dd}' : '{MM}-{dd}';
  return { year: '{yyyy}', month: crossesYear ? '{yyyy}-{MM}' : '{MM}-{dd}', day, hour: '{HH}:{mm}', minute: '{HH}:{mm}', second: '{HH}:{mm}:{ss}', millisecond: '{HH}:{mm}:{ss}', none: day };
}

/** Axis labels for days: month-day, with the year when the days span more than one. */
export function dayLabel(days: readonly string[]): (v: string) => string {
  const crosses = days.length > 0 && days[0].slice(0, 4) !== days[days.length - 1].slice(0, 4);
  return crosses ? (v: string) => v : (v: string) => v.slice(5);
}

/**
 * A campaign's daily exchanges (`dailySeries` in brief-data.ts: every day from the first exchange's,
 * zero-filled), stacked: from members not yet flagged when served, and from members already flagged;
 * a marked line on the day the campaign was flagged.
 */
export function dailyVolumeOption(days: readonly BriefDay[], flaggedAt: string | null, opts: { animation?: boolean } = {}): EChartsOption {
  const names = days.map((d) => d.day);
  const flagDay = flaggedAt ? flaggedAt.slice(0, 10) : null;
  return {
    useUTC: true,
    animation: opts.animation ?? false,
    grid: { left: 56, right: 16, top: 28, bottom: 32 },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, itemGap: 24, data: ['not yet flagged', 'already flagged'] },
    xAxis: { type: 'category', data: names, axisLabel: { formatter: dayLabel(names), hideOverlap: true } },
    yAxis: { type: 'value', name: 'exchanges', nameTextStyle: { align: 'right' } },
    series: [
      {
        name: 'not yet flagged',
        type: 'bar',
        stack: 'x',
        color: COLORS.other,
        data: days.map((d) => d.exchanges - d.afterFlag),
        markLine: flagDay && names.includes(flagDay)
          ? { symbol: 'none', silent: true, lineStyle: { color: COLORS.flagged, type: 'dashed' }, label: { formatter: 'campaign flagged', position: 'insideEndTop', color: COLORS.flagged, backgroundColor: '#fff', padding: [1, 3] }, data: [{ xAxis: flagDay }] }
          : undefined,
      },
      {
        name: 'already flagged',
        type: 'bar',
        stack: 'x',
        color: COLORS.flagged,
        data: days.map((d) => d.afterFlag),
      },
    ],
  };
}

/** Share of the campaign's exchanges by capability, largest first (an exchange can hit several). */
export function capabilityOption(capabilities: Record<string, number>, opts: { animation?: boolean } = {}): EChartsOption {
  const entries = Object.entries(capabilities).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? 1 : -1));
  return {
    useUTC: true,
    animation: opts.animation ?? false,
    grid: { left: 90, right: 48, top: 8, bottom: 24 },
    xAxis: { type: 'value', max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
    yAxis: { type: 'category', data: entries.map((e) => e[0]) },
    series: [
      {
        type: 'bar',
        color: COLORS.accent,
        data: entries.map((e) => e[1]),
        label: { show: true, position: 'right', formatter: (p: { value?: unknown }) => `${Math.round(Number(p.value) * 100)}%` },
      },
    ],
  };
}

export interface AccountSpan {
  account_id: string;
  verdict: string;
  signup: number | null;
  first: number;
  last: number;
  flagged: number | null;
}

/** Accounts of a campaign as spans of activity, ordered by sign-up time (then first exchange). */
export function accountSpans(accounts: readonly AccountOut[]): AccountSpan[] {
  const ms = (s: string | null | undefined): number | null => (s ? Date.parse(s) : null);
  return accounts
    .map((a) => {
      const created = a.created_at;
      const first = ms(a.first_seen) ?? ms(a.flagged_at) ?? 0;
      return { account_id: a.account_id, verdict: a.verdict, signup: ms(created), first, last: ms(a.last_seen) ?? first, flagged: ms(a.flagged_at) };
    })
    .sort((a, b) => (a.signup ?? a.first) - (b.signup ?? b.first) || a.first - b.first || (a.account_id < b.account_id ? -1 : 1));
}

/**
 * Accounts over time: one row per account, a thin line from sign-up to first exchange, a thick bar
 * over its activity, a mark where it was flagged. Sign-up bursts show as a staircase of dots.
 */
export function accountTimelineOption(accounts: readonly AccountOut[], opts: { animation?: boolean; max?: number } = {}): EChartsOption {
  const spans = accountSpans(accounts).slice(0, opts.max ?? 200);
  const names = spans.map((s) => s.account_id);
  const color = (v: string): string => (v === 'distillation' ? COLORS.flagged : v === 'suspicious' ? COLORS.suspicious : COLORS.benign);
  const ts = spans.flatMap((s) => [s.signup ?? s.first, s.last]);
  const crossesYear = ts.length > 0 && new Date(Math.min(...ts)).getUTCFullYear() !== new Date(Math.max(...ts)).getUTCFullYear();
  return {
    useUTC: true,
    animation: opts.animation ?? false,
    grid: { left: 16, right: 16, top: 28, bottom: 32, containLabel: false },
    legend: { top: 0, itemGap: 24, data: ['sign-up', 'active', 'flagged'] },
    tooltip: { trigger: 'item' },
    xAxis: { type: 'time', axisLabel: { formatter: timeAxisLabels(crossesYear), hideOverlap: true } },
    yAxis: { type: 'category', data: names, inverse: true, axisLabel: { show: false }, axisTick: { show: false } },
    series: [
      {
        name: 'waiting',
        type: 'custom',
        renderItem: (_params, api) => {
          const y = Number(api.value(0));
          const a = api.coord([api.value(1), y]);
          const b = api.coord([api.value(2), y]);
          return { type: 'line', shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style: { stroke: COLORS.other, lineWidth: 1 } };
        },
        encode: { x: [1, 2], y: 0 },
        data: spans.flatMap((s, i) => (s.signup !== null && s.signup < s.first ? [[i, s.signup, s.first]] : [])),
        silent: true,
      },
      {
        name: 'active',
        type: 'custom',
        color: COLORS.flagged,
        renderItem: (_params, api) => {
          const y = Number(api.value(0));
          const a = api.coord([api.value(1), y]);
          const b = api.coord([api.value(2), y]);
          const h = Math.max(2, Math.min(10, (api.size?.([0, 1]) as number[])[1] * 0.6));
          return { type: 'rect', shape: { x: a[0], y: a[1] - h / 2, width: Math.max(2, b[0] - a[0]), height: h }, style: { fill: String(api.value(3)) } };
        },
        encode: { x: [1, 2], y: 0 },
        data: spans.map((s, i) => [i, s.first, s.last, color(s.verdict)]),
      },
      {
        name: 'sign-up',
        type: 'scatter',
        symbolSize: 6,
        color: COLORS.accent,
        data: spans.flatMap((s, i) => (s.signup !== null ? [[s.signup, i]] : [])),
      },
      {
        name: 'flagged',
        type: 'scatter',
        symbol: 'diamond',
        symbolSize: 8,
        color: '#111',
        data: spans.flatMap((s, i) => (s.flagged !== null ? [[s.flagged, i]] : [])),
      },
    ],
  };
}
