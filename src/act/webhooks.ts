// Verdict and action changes out as signed webhooks: one POST per event and URL, retried with exponential
// backoff on a network error or a non-2xx answer, every attempt written to the delivery log.
// Delivery is at least once (a crash between a delivery and its log row re-sends it on restart):
// receivers dedupe by the event `id`, which is stable across restarts and replays.
import { toIso } from '../core/time.js';
import type { AuditEntry, Store } from '../store/store.js';
import { SIGNATURE_HEADER, signPayload } from './signature.js';

export type WebhookEvent =
  | {
      id: string;
      type: 'verdict.changed';
      created: string;
      data: {
        account_id: string | null;
        campaign_id: string | null;
        at: string;
        from: unknown;
        to: unknown;
        score: unknown;
        reasons: unknown;
      };
    }
  /** A gateway action changed (src/server/gateway.ts): `data` is the actions.ndjson line. */
  | { id: string; type: 'action.changed'; created: string; data: Record<string, unknown> };

export interface WebhookOptions {
  store: Store;
  urls: string[];
  secret: string;
  /** Attempts per event and URL, the first included. Default 6. */
  maxAttempts?: number;
  /** Wait before the 2nd attempt; doubles each time. Default 500 ms. */
  baseDelayMs?: number;
  timeoutMs?: number;
  log?: { warn(o: object, msg: string): void };
}

export function eventOf(e: AuditEntry): WebhookEvent {
  if (e.kind === 'action_change') return { id: e.id, type: 'action.changed', created: e.recorded_at, data: e.body };
  return {
    id: e.id,
    type: 'verdict.changed',
    created: e.recorded_at,
    data: { account_id: e.account_id, campaign_id: e.campaign_id, at: e.at, from: e.body.from, to: e.body.to, score: e.body.score, reasons: e.body.reasons },
  };
}

export class WebhookDispatcher {
  private readonly inflight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private closed = false;
  delivered = 0;
  failed = 0;

  constructor(private readonly opts: WebhookOptions) {}

  /** Sends every verdict change among the entries to every URL. */
  enqueue(entries: AuditEntry[]): void {
    if (this.closed) return;
    for (const e of entries) {
      if (e.kind !== 'verdict_change' && e.kind !== 'action_change') continue;
      const body = JSON.stringify(eventOf(e));
      for (const url of this.opts.urls) this.attempt(e.id, url, body, 1);
    }
  }

  private attempt(eventId: string, url: string, body: string, n: number): void {
    const p = this.post(eventId, url, body, n).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async post(eventId: string, url: string, body: string, n: number): Promise<void> {
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signPayload(body, this.opts.secret, Date.now() / 1000), 'user-agent': 'distillguard-webhooks/1' },
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs ?? 10_000)]),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (e) {
      error = (e as Error).message;
    }
    const delivered = error === null;
    await this.opts.store.appendDelivery({ event_id: eventId, url, attempt: n, status, error, at: toIso(Date.now()), delivered }).catch(() => undefined);
    if (delivered) {
      this.delivered++;
      return;
    }
    const max = this.opts.maxAttempts ?? 6;
    if (n >= max || this.closed) {
      this.failed++;
      this.opts.log?.warn({ eventId, url, attempts: n, error }, 'webhook delivery gave up');
      return;
    }
    const delay = (this.opts.baseDelayMs ?? 500) * 2 ** (n - 1);
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) this.attempt(eventId, url, body, n + 1);
    }, delay);
    t.unref();
    this.timers.add(t);
  }

  /** Resolves once nothing is in flight or waiting to retry (tests). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0 || this.timers.size > 0) await new Promise((r) => setTimeout(r, 5));
  }

  /** Stops retrying; waits for attempts in flight (aborted) to be logged. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.abort.abort();
    await Promise.allSettled([...this.inflight]);
  }
}
