// Prometheus metrics of the live service (one registry per server, nothing global).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LiveService } from './live.js';
import type { IngestTimeline } from './ingest-timeline.js';

export interface ServerMetrics {
  registry: Registry;
  received: Counter<'route'>;
  rejected: Counter<'reason'>;
  duplicates: Counter;
  ingestSeconds: Histogram<'route'>;
  verdictSeconds: Histogram;
  refused: Counter<'code'>;
  /** One ingest request's stages (src/server/ingest-timeline.ts), once it is answered. */
  observeTimeline(tl: IngestTimeline): void;
}

/** Buckets of an ingest request's time and of its stages (seconds). */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function buildMetrics(live: LiveService): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'distillguard_process_' });
  const received = new Counter({ name: 'distillguard_records_received_total', help: 'Input items received (lines, spans, payloads), by ingest route', labelNames: ['route'], registers: [registry] });
  const rejected = new Counter({ name: 'distillguard_records_rejected_total', help: 'Input items rejected, by reason code', labelNames: ['reason'], registers: [registry] });
  const duplicates = new Counter({ name: 'distillguard_records_duplicate_total', help: 'Exchanges skipped because their id was already accepted', registers: [registry] });
  const refused = new Counter({ name: 'distillguard_ingest_refused_total', help: 'Ingest requests refused whole, by error code (overloaded, body_too_large, ...)', labelNames: ['code'], registers: [registry] });
  const ingestSeconds = new Histogram({
    name: 'distillguard_ingest_request_seconds',
    help: 'Ingest request latency until the batch is durable and acknowledged',
    labelNames: ['route'],
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const verdictSeconds = new Histogram({
    name: 'distillguard_ingest_to_verdict_seconds',
    help: 'Wall time from a batch arriving until its last record has been judged by the engine',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  live.onLatency((s) => verdictSeconds.observe(s));
  const latencyBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];
  const ackToJudged = new Histogram({ name: 'distillguard_ack_to_judged_seconds', help: 'Wall time from a batch being acknowledged (durable) until its last record has been judged', buckets: latencyBuckets, registers: [registry] });
  const judgedToVisible = new Histogram({ name: 'distillguard_judged_to_visible_seconds', help: 'Wall time from a batch being judged until a refresh that includes it is published (visible to the read API)', buckets: latencyBuckets, registers: [registry] });
  const ackToVisible = new Histogram({ name: 'distillguard_ack_to_visible_seconds', help: 'Wall time from a batch being acknowledged until its judgement is visible to the read API', buckets: latencyBuckets, registers: [registry] });
  live.onJudged((s) => ackToJudged.observe(s));
  live.onVisible((jv, av) => {
    judgedToVisible.observe(jv);
    ackToVisible.observe(av);
  });
  const refreshBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
  const refreshSeconds = new Histogram({ name: 'distillguard_store_refresh_seconds', help: 'Duration of a refresh: deriving the changed rows and publishing the snapshot the read API answers from', buckets: refreshBuckets, registers: [registry] });
  const refreshRows = new Counter({ name: 'distillguard_store_refresh_rows_total', help: 'Rows changed by refreshes (published, then written to the store), by table', labelNames: ['table'], registers: [registry] });
  live.storeWriter.onRefresh((_info, stats) => {
    refreshSeconds.observe(stats.ms / 1000);
    for (const [table, n] of Object.entries(stats.rows)) refreshRows.inc({ table }, n);
  });
  const writeSeconds = new Histogram({ name: 'distillguard_store_write_seconds', help: 'Duration of a store write (the rows changed since the last write, one transaction), behind the published snapshots', buckets: refreshBuckets, registers: [registry] });
  const writeRows = new Counter({ name: 'distillguard_store_write_rows_total', help: 'Rows written to the store, by table', labelNames: ['table'], registers: [registry] });
  live.storeWriter.onStoreWrite((_info, stats) => {
    writeSeconds.observe(stats.ms / 1000);
    for (const [table, n] of Object.entries(stats.rows)) writeRows.inc({ table }, n);
  });
  const gauge = (name: string, help: string, read: () => number | null): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const v = read();
        if (v !== null) this.set(v);
      },
    });
  };
  gauge('distillguard_event_time_lag_seconds', 'Newest event time accepted minus the engine clock (ordering buffer and backlog)', () => {
    const c = live.counts;
    return c.newestTs === null || c.engineTs === null ? null : (c.newestTs - c.engineTs) / 1000;
  });
  gauge('distillguard_engine_event_time_seconds', 'The engine clock (event time, epoch seconds)', () => {
    const t = live.counts.engineTs;
    return t === null ? null : t / 1000;
  });
  gauge('distillguard_engine_behind_seconds', 'Wall seconds of processing the engine needs for its backlog at its measured rate; ingest answers 429 above --max-behind', () => live.behindSeconds);
  gauge('distillguard_store_refresh_number', 'Number of the last refresh published (the Distillguard-Refresh header of read answers)', () => live.storeWriter.lastRefresh?.refresh ?? null);
  gauge('distillguard_store_written_refresh', 'Number of the last refresh the store holds (written behind the published snapshots)', () => live.storeWriter.lastStored?.refresh ?? null);
  gauge('distillguard_backlog_records', 'Accepted records the engine has not consumed yet; ingest answers 429 above the high-water mark', () => live.counts.backlog);
  gauge('distillguard_ordering_buffer_records', 'Accepted records waiting in the bounded-lateness ordering buffer', () => live.counts.buffered);
  gauge('distillguard_accounts_tracked', 'Accounts the engine holds state for', () => live.counts.accounts);
  gauge('distillguard_accounts_flagged', 'Accounts with the verdict distillation', () => live.counts.flagged);
  gauge('distillguard_campaigns', 'Campaigns (linked account groups) the engine holds', () => live.counts.campaigns);
  gauge('distillguard_store_flush_seconds', 'Duration of the last refresh (derive and publish)', () => live.storeWriter.lastFlush.ms / 1000);
  const stageSeconds = new Histogram({
    name: 'distillguard_ingest_stage_seconds',
    help: 'Wall time of each stage of an ingest batch: read, count, decode (its parts: decode_queue, decode_worker, decode_pickup, decode_unpack), order, durable, answer',
    labelNames: ['stage'],
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const stageEngine = new Counter({ name: 'distillguard_ingest_stage_engine_seconds_total', help: 'Main-thread seconds in engine slices during each stage of ingest batches (what a stage waited behind, or overlapped)', labelNames: ['stage'], registers: [registry] });
  const observeTimeline = (tl: IngestTimeline): void => {
    for (const s of tl.stages) {
      stageSeconds.observe({ stage: s.stage }, s.ms / 1000);
      stageEngine.inc({ stage: s.stage }, s.engineMs / 1000);
    }
    for (const p of tl.parts) stageSeconds.observe({ stage: p.part }, p.ms / 1000);
  };
  return { registry, received, rejected, duplicates, ingestSeconds, verdictSeconds, refused, observeTimeline };
}
