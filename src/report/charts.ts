// Inline SVG charts, drawn server-side: no script, no external resource. Colours come from the
// page's stylesheet (classes `bar-flagged`, `bar-other`, `grid`, `axis`, `flag-mark`).
import { DAY } from '../core/time.js';
import { compact, esc, int, pct } from './format.js';

export interface DayBar {
  day: string; // YYYY-MM-DD
  total: number;
  flagged: number;
}

/** Every day from `first` to `last` inclusive (YYYY-MM-DD, UTC). */
export function dayRange(first: string, last: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end && out.length < 20_000; t += DAY) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Bars for each day of `domain`, zero where `rows` has none. */
export function barsOver(domain: string[], rows: readonly DayBar[]): DayBar[] {
  const by = new Map<string, DayBar>();
  for (const r of rows) {
    const b = by.get(r.day);
    if (b) {
      b.total += r.total;
      b.flagged += r.flagged;
    } else by.set(r.day, { ...r });
  }
  return domain.map((day) => by.get(day) ?? { day, total: 0, flagged: 0 });
}

/** A round axis maximum and tick step for values up to `max`. */
function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  return { top: Math.ceil(max / step) * step, step };
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

/** Daily volume, stacked: exchanges from flagged accounts at the bottom, all others above. */
export function dailyVolumeChart(bars: readonly DayBar[], width = 1080, height = 280): string {
  const ml = 56;
  const mr = 12;
  const mt = 12;
  const mb = 34;
  const pw = width - ml - mr;
  const ph = height - mt - mb;
  const { top, step } = niceScale(Math.max(0, ...bars.map((b) => b.total)));
  const y = (v: number): number => mt + ph - (v / top) * ph;
  const slot = pw / Math.max(1, bars.length);
  const bw = Math.max(1, slot * (bars.length > 90 ? 0.95 : 0.78));
  const parts: string[] = [];

  for (let v = 0; v <= top + step / 2; v += step) {
    const yy = r1(y(v));
    parts.push(`<line class="grid" x1="${ml}" x2="${width - mr}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="axis" x="${ml - 6}" y="${r1(yy + 4)}" text-anchor="end">${esc(compact(v))}</text>`);
  }
  const stride = Math.max(1, Math.ceil(bars.length / 14));
  bars.forEach((b, i) => {
    const x = r1(ml + i * slot + (slot - bw) / 2);
    const other = b.total - b.flagged;
    const tip = `${b.day}: ${int(b.total)} exchanges, ${int(b.flagged)} from flagged accounts${
      b.total > 0 ? ` (${pct(b.flagged / b.total)})` : ''
    }`;
    parts.push(`<g><title>${esc(tip)}</title>`);
    if (b.flagged > 0) {
      parts.push(`<rect class="bar-flagged" x="${x}" y="${r1(y(b.flagged))}" width="${r1(bw)}" height="${r1(y(0) - y(b.flagged))}"/>`);
    }
    if (other > 0) {
      parts.push(`<rect class="bar-other" x="${x}" y="${r1(y(b.total))}" width="${r1(bw)}" height="${r1(y(b.flagged) - y(b.total))}"/>`);
    }
    parts.push('</g>');
    if (i % stride === 0) {
      const cx = r1(ml + i * slot + slot / 2);
      parts.push(`<text class="axis" x="${cx}" y="${height - mb + 16}" text-anchor="middle">${esc(b.day.slice(5))}</text>`);
    }
  });
  parts.push(`<line class="baseline" x1="${ml}" x2="${width - mr}" y1="${r1(y(0))}" y2="${r1(y(0))}"/>`);
  const label = `Daily exchanges from ${bars[0]?.day ?? ''} to ${bars.at(-1)?.day ?? ''}, stacked: flagged accounts and all others`;
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${esc(label)}" preserveAspectRatio="xMinYMin meet">${parts.join('')}</svg>`;
}

/**
 * A campaign's daily volume over the report's days: days before its flag time in the neutral
 * colour, from the flag day on in the flagged colour, with a dashed mark at the flag time.
 */
export function sparkline(bars: readonly DayBar[], flaggedAt: string | null, width = 180, height = 34): string {
  const max = Math.max(1, ...bars.map((b) => b.total));
  const slot = width / Math.max(1, bars.length);
  const bw = Math.max(0.8, slot * 0.8);
  const first = bars[0]?.day;
  const flagDay = flaggedAt ? flaggedAt.slice(0, 10) : null;
  const parts: string[] = [];
  bars.forEach((b, i) => {
    if (b.total <= 0) return;
    const h = (b.total / max) * (height - 3);
    const cls = flagDay !== null && b.day >= flagDay ? 'bar-flagged' : 'bar-other';
    parts.push(`<rect class="${cls}" x="${r1(i * slot + (slot - bw) / 2)}" y="${r1(height - h)}" width="${r1(bw)}" height="${r1(h)}"/>`);
  });
  if (flaggedAt && first) {
    const ms = Date.parse(flaggedAt) - Date.parse(`${first}T00:00:00Z`);
    if (ms >= 0 && ms <= bars.length * DAY) {
      const x = r1((ms / DAY) * slot);
      parts.push(`<line class="flag-mark" x1="${x}" x2="${x}" y1="0" y2="${height}"/>`);
    }
  }
  const active = bars.filter((b) => b.total > 0);
  const before = flagDay === null ? 0 : active.filter((b) => b.day < flagDay).reduce((n, b) => n + b.total, 0);
  const tip = active.length
    ? `${active[0].day} to ${active.at(-1)?.day}: peak ${int(max)} exchanges a day` +
      (flaggedAt ? `; flagged ${flaggedAt.slice(0, 16).replace('T', ' ')} UTC, ${int(before)} exchanges on earlier days` : '')
    : 'no daily data';
  return `<svg class="spark" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(tip)}"><title>${esc(tip)}</title>${parts.join('')}</svg>`;
}
