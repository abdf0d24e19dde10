// A gateway's answer about one account, precomputed once per decision change: the JSON of
// `GET /v1/decision/:id`, the headers and status of nginx `auth_request`, and a throttled account's
// token bucket. Shared by the main API's routes and the dedicated gateway listener (a worker thread),
// so both answer exactly alike.
import type { ActionLine } from '../act/action-out.js';
import type { ActionName } from '../act/policy-schema.js';

/** The header nginx forwards with the subrequest naming the account (the gateway resolves the API key to it). */
export const ACCOUNT_HEADER = 'x-account-id';

/** What the gateway is told about one account. */
export interface Decision {
  account_id: string;
  action: ActionName;
  params: Record<string, unknown>;
  rule: string | null;
  mark: string | null;
  at: string;
  policy: string;
  reasons: string[];
}

export interface Cached {
  decision: Decision;
  json: string;
  headers: Record<string, string>;
  /** Token bucket of a throttled account (wall clock): tokens left and when it was last refilled. */
  bucket?: { tokens: number; t: number };
}

export function decisionOf(line: ActionLine): Decision {
  return {
    account_id: line.account_id,
    action: line.action as ActionName,
    params: line.params,
    rule: line.rule,
    mark: line.mark,
    at: line.at,
    policy: line.policy,
    reasons: line.reasons.map((r) => r.code),
  };
}

export function cachedDecision(decision: Decision): Cached {
  return { decision, json: JSON.stringify(decision), headers: decisionHeaders(decision) };
}

/** The answer for an account without a decision under the policy `policy` (`name@revision`). */
export function allowFor(accountId: string, policy: string): Cached {
  return cachedDecision({ account_id: accountId, action: 'allow', params: {}, rule: null, mark: null, at: '', policy, reasons: [] });
}

/** Response headers for nginx `auth_request_set`: the action and each parameter. */
export function decisionHeaders(d: Decision): Record<string, string> {
  const h: Record<string, string> = { 'x-dg-action': d.action, 'x-dg-policy': d.policy };
  if (d.rule) h['x-dg-rule'] = d.rule;
  if (d.mark) h['x-dg-mark'] = d.mark;
  for (const [k, v] of Object.entries(d.params)) h[`x-dg-${k.replace(/_/g, '-')}`] = String(v);
  return h;
}

/**
 * One request of a throttled account: false when its bucket is empty (wall clock: the rate is what
 * the gateway enforces now, not an event-time quantity). The bucket lives with the cached answer, so
 * each listener keeps its own (nginx asks one).
 */
export function takeToken(c: Cached, now = performance.now()): boolean {
  const rpm = Number(c.decision.params.requests_per_minute);
  if (!(rpm > 0)) return true;
  const b = (c.bucket ??= { tokens: rpm, t: now });
  b.tokens = Math.min(rpm, b.tokens + ((now - b.t) * rpm) / 60_000);
  b.t = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

/**
 * nginx auth_request: 2xx lets the request through, 401/403 are returned to the client; any other
 * status is an error in nginx, so 429 reaches the client through `error_page 500`. A throttle's
 * concurrency is nginx's to enforce: limit_conn on the forwarded x-dg-concurrency (docs/serve.md).
 * Returns the status and the headers beyond the decision's own.
 */
export function authAnswer(c: Cached, now = performance.now()): { status: number; extra?: Record<string, string> } {
  switch (c.decision.action) {
    case 'allow':
    case 'degrade':
      return { status: 204 };
    case 'throttle':
      return takeToken(c, now) ? { status: 204 } : { status: 429, extra: { 'retry-after': '1' } };
    case 'step_up':
      return { status: 401, extra: { 'www-authenticate': `DistillguardStepUp method="${String(c.decision.params.method)}"` } };
    default:
      return { status: 403 };
  }
}

/** The first comment of a decision stream (server-sent events). */
export function streamHello(policy: string): string {
  return `: distillguard decisions, policy ${policy}\n\n`;
}

/** One decision change as a server-sent event; its id is the change's sequence number (Last-Event-ID). */
export function streamEvent(seq: number, line: ActionLine): string {
  return `id: ${seq}\nevent: decision\ndata: ${JSON.stringify(line)}\n\n`;
}

/** The response head of a decision stream (nginx must not buffer it). */
export const STREAM_HEAD = { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' } as const;
