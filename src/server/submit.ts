// One ingest batch from any transport (HTTP routes, OTLP/gRPC): refused while the engine is behind,
// counted in the metrics, answered only once durable. Both transports call this, so limits,
// durability and metrics cannot drift apart.
import type { FastifyBaseLogger } from 'fastify';
import type { ServerContext } from './app.js';
import { ApiError } from './errors.js';
import type { BatchItem, BatchReceipt, SubmitOptions } from './live.js';

/** 429 `overloaded` while the engine is too far behind (records, bytes, or seconds of processing). */
export function refuseWhenBehind(ctx: ServerContext): void {
  const r = ctx.live.refusal();
  if (r === undefined) return;
  ctx.metrics.refused.inc({ code: 'overloaded' });
  throw new ApiError('overloaded', r.message, { 'retry-after': String(r.retryAfter) });
}

/** Takes the batch (checked again: requests read concurrently must not overshoot the mark); resolves once durable. */
export async function submitBatch(ctx: ServerContext, log: FastifyBaseLogger, route: string, items: BatchItem[], t0: number, o: SubmitOptions = {}): Promise<BatchReceipt> {
  const { live, metrics } = ctx;
  refuseWhenBehind(ctx);
  let receipt: BatchReceipt;
  try {
    receipt = await live.submit(items, t0, o);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    log.fatal({ err: e }, 'ingest log write failed; a restart replays what is durable');
    throw new ApiError('unavailable', 'the ingest log cannot be written; the batch was not accepted');
  }
  if (receipt.replayed === true) return receipt; // the original batch was counted when it was taken
  metrics.received.inc({ route }, items.length);
  for (const [reason, n] of Object.entries(receipt.rejected_by_reason)) metrics.rejected.inc({ reason }, n);
  if (receipt.duplicates > 0) metrics.duplicates.inc(receipt.duplicates);
  metrics.ingestSeconds.observe({ route }, (performance.now() - t0) / 1000);
  return receipt;
}
