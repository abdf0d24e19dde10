// Text for the report: HTML escaping, numbers, times and reasons, all deterministic
// (no locale or time-zone dependence: times are UTC).
import type { ReasonOut } from '../core/output.js';
import { REASON_CODES, renderReason } from '../core/reasons.js';
import { DAY } from '../core/time.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values alike. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * The start of a self-contained page up to `</head>`: no script, and a policy that loads nothing,
 * so the report and the brief open offline and print to PDF unchanged.
 */
export function documentHead(title: string, css: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="generator" content="distillguard">
<title>${esc(title)}</title>
<style>${css}</style>
</head>`;
}

/** 1234567 → "1,234,567". */
export function int(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = Math.round(Math.abs(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** A share in [0, 1] as a whole percentage; "<1%" for small non-zero shares. */
export function pct(x: number): string {
  if (x > 0 && x < 0.005) return '<1%';
  return `${Math.round(x * 100)}%`;
}

/** Compact count: 950, 12.3k, 4.5M. */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}G`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e3) return `${trim(n / 1e3)}k`;
  return trim(n);
}

function trim(x: number): string {
  return Math.abs(x) >= 100 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}

export function score(x: number): string {
  return x.toFixed(2);
}

/** RFC 3339 → "2025-03-04 17:20" (UTC); the raw text when it does not parse. */
export function when(ts: string | null | undefined): string {
  if (!ts) return '—';
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) return ts;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** Days between two RFC 3339 times, one decimal. */
export function spanDays(from: string, to: string): number {
  const d = (Date.parse(to) - Date.parse(from)) / DAY;
  return Number.isFinite(d) ? Math.round(d * 10) / 10 : NaN;
}

/** 73400 ms → "1 min 13 s"; 850 ms → "0.85 s". */
export function duration(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms / 10) / 100} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * A reason as text, from its code and parameters. A store written by another version can hold a code
 * this one does not know: it still shows with its parameters.
 */
export function reasonText(r: ReasonOut): string {
  if (Object.hasOwn(REASON_CODES, r.code)) return renderReason(r);
  const params = Object.entries(r.detail as Record<string, unknown>)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return params ? `${r.code} (${params})` : r.code;
}
