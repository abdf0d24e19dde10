// One OTLP Export call (traces or logs), whatever carried it (OTLP/HTTP JSON or protobuf, OTLP/gRPC):
// decode the GenAI spans or log records, take the batch (durable before the answer), and say what
// the OTLP answer must carry. Transport-specific encoding stays with the transport.
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { FastifyBaseLogger } from 'fastify';
import { DecodeFailure } from '../decode/check.js';
import { decodeOtlpLogs } from '../decode/otlp-logs.js';
import { decodeOtlpTraces, type OtlpDecoded } from '../decode/otlp.js';
import type { OtlpSignal } from '../decode/otlp-proto.js';
import type { ServerContext } from './app.js';
import { ApiError, type ErrorCode } from './errors.js';
import type { BatchItem, BatchReceipt } from './live.js';
import { refuseWhenBehind, submitBatch } from './submit.js';

/**
 * Where an Export's records go, and the bounds they are read under: single-node serve's live service
 * (`liveOtlpSink`) or serve --cluster's record stream. Both answer once the batch is durable.
 */
export interface OtlpSink {
  maxLineBytes: number;
  /** Largest body once decompressed (OTLP/HTTP). */
  maxDecodedBytes: number;
  maxDepth: number;
  maxBatchRecords: number;
  /** Largest gRPC message by default. */
  bodyLimit: number;
  /** Throws ApiError (`overloaded`, with Retry-After) when the sink takes no batch now. */
  admit(): void;
  /** Takes the batch; resolves with its receipt once durable. Throws ApiError. */
  submit(items: BatchItem[], route: string, log: FastifyBaseLogger, t0: number): Promise<BatchReceipt>;
  /** Counts a request refused before its records were read (e.g. too many spans). */
  refused(code: ErrorCode): void;
}

/** Single-node serve's sink: the live service, its backpressure and its metrics. */
export function liveOtlpSink(ctx: ServerContext): OtlpSink {
  return {
    maxLineBytes: ctx.live.engine.cfg.maxLineBytes,
    maxDecodedBytes: ctx.maxDecodedBytes,
    maxDepth: ctx.limits.maxDepth,
    maxBatchRecords: ctx.limits.maxBatchRecords,
    bodyLimit: ctx.bodyLimit,
    admit: () => refuseWhenBehind(ctx),
    submit: (items, route, log, t0) => submitBatch(ctx, log, route, items, t0),
    refused: (code) => ctx.metrics.refused.inc({ code }),
  };
}

export interface OtlpExportOutcome {
  receipt: BatchReceipt;
  /** Spans or log records that are not GenAI inference (not records; not rejected). */
  skipped: number;
  /** OTLP partial success: the items rejected and why (null when none was). */
  partial: { rejected: number; errorMessage: string } | null;
  /** The receipt's counts as one header / metadata value. */
  receiptHeader: string;
}

const WHAT: Record<OtlpSignal, string> = { traces: 'span', logs: 'log record' };

/** Decodes and takes one Export request (the OTLP/JSON-shaped object). Throws ApiError. */
export async function exportOtlp(sink: OtlpSink, log: FastifyBaseLogger, signal: OtlpSignal, route: string, request: unknown, t0: number): Promise<OtlpExportOutcome> {
  let decoded: OtlpDecoded;
  try {
    decoded = signal === 'traces' ? decodeOtlpTraces(request, 'otlp', sink.maxLineBytes) : decodeOtlpLogs(request);
  } catch (e) {
    if (e instanceof DecodeFailure) throw new ApiError('bad_request', `not an OTLP ${signal} export: ${e.detail}`);
    throw e;
  }
  const r = await sink.submit(decoded.items, route, log, t0);
  const first = r.rejections[0];
  return {
    receipt: r,
    skipped: decoded.skipped,
    partial: r.rejected === 0 ? null : { rejected: r.rejected, errorMessage: `${r.rejected} ${WHAT[signal]}(s) rejected; first: ${first.reason}: ${first.detail}` },
    receiptHeader: `batch=${r.batch}; received=${r.received}; accepted=${r.accepted}; duplicates=${r.duplicates}; rejected=${r.rejected}; skipped=${decoded.skipped}`,
  };
}

/** The OTLP/JSON Export response: `{}` or `{partialSuccess: {rejectedSpans|rejectedLogRecords, errorMessage}}`. */
export function jsonExportResponse(signal: OtlpSignal, partial: OtlpExportOutcome['partial']): object {
  if (partial === null) return {};
  const field = signal === 'traces' ? 'rejectedSpans' : 'rejectedLogRecords';
  return { partialSuccess: { [field]: String(partial.rejected), errorMessage: partial.errorMessage } };
}

/** The gRPC status of each API error (OTLP: UNAVAILABLE is retried by exporters, the others are not). */
export const GRPC_STATUS: Record<ErrorCode, GrpcStatus> = {
  bad_request: GrpcStatus.INVALID_ARGUMENT,
  bad_encoding: GrpcStatus.INVALID_ARGUMENT,
  unauthorized: GrpcStatus.UNAUTHENTICATED,
  forbidden: GrpcStatus.PERMISSION_DENIED,
  not_found: GrpcStatus.NOT_FOUND,
  body_too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  too_many_records: GrpcStatus.RESOURCE_EXHAUSTED,
  header_too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  request_timeout: GrpcStatus.DEADLINE_EXCEEDED,
  conflict: GrpcStatus.ALREADY_EXISTS,
  gone: GrpcStatus.FAILED_PRECONDITION,
  unsupported_media_type: GrpcStatus.INVALID_ARGUMENT,
  overloaded: GrpcStatus.UNAVAILABLE,
  internal: GrpcStatus.INTERNAL,
  unavailable: GrpcStatus.UNAVAILABLE,
};
