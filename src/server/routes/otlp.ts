// OTLP/HTTP (role `ingest`): `POST /v1/traces` and `POST /v1/logs`, in either encoding of the
// specification: protobuf (`application/x-protobuf`, the default of most SDKs and collectors) or
// JSON (`application/json`), gzip or not. The answer is the Export response in the request's
// encoding (strict OTLP clients parse it); the batch receipt's counts travel in the
// `distillguard-receipt` header. Errors to a protobuf request are a protobuf google.rpc.Status, as
// the specification asks; to a JSON request, the API's usual JSON error.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadOtlpProto, ProtobufError, type OtlpService } from '../../decode/otlp-proto.js';
import { ApiError, classifyError, ERROR_STATUS, sendError } from '../errors.js';
import { exportOtlp, GRPC_STATUS, jsonExportResponse, type OtlpSink } from '../otlp-export.js';
import { decodedBody, spanCount } from './ingest.js';
import { parseJsonDocument } from '../json-body.js';

const PROTOBUF = /^application\/(x-)?protobuf\s*(;|$)/i;
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** The two routes on `ingest` (a plugin whose bodies arrive as bytes, its role checked), into `sink`. */
export function registerOtlpRoutes(ingest: FastifyInstance, sink: OtlpSink): void {
  const proto = loadOtlpProto();
  const isProtobuf = (req: FastifyRequest): boolean => PROTOBUF.test(String(req.headers['content-type'] ?? ''));

  // Errors of these routes (auth, limits, decoding): in protobuf to a protobuf request.
  const errorHandler = (err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const c = classifyError(err);
    if (c.code === 'internal') req.log.error({ err }, 'request failed');
    if (!isProtobuf(req)) return sendError(reply, c.code, c.message, c.headers);
    return reply.code(ERROR_STATUS[c.code]).headers(c.headers).type('application/x-protobuf').send(proto.encodeStatus(GRPC_STATUS[c.code], `${c.code}: ${c.message}`));
  };

  for (const svc of [proto.traces, proto.logs] satisfies OtlpService[]) {
    ingest.post(`/v1/${svc.signal}`, { errorHandler }, async (req, reply) => {
      const type = String(req.headers['content-type'] ?? '');
      const protobuf = PROTOBUF.test(type);
      if (!protobuf && !JSON_TYPE.test(type)) {
        throw new ApiError('unsupported_media_type', `OTLP/HTTP ${type || 'without a content type'} is not supported: send application/x-protobuf or application/json`);
      }
      const bytes = await decodedBody(req, sink.maxDecodedBytes);
      let request: unknown;
      if (protobuf) {
        try {
          request = svc.decodeRequest(bytes);
        } catch (e) {
          if (e instanceof ProtobufError) throw new ApiError('bad_request', e.message);
          throw e;
        }
      } else request = parseJsonDocument(bytes, sink.maxDepth);
      if (svc.signal === 'traces' && spanCount(request) > sink.maxBatchRecords) {
        sink.refused('too_many_records');
        throw new ApiError('too_many_records', `the batch has ${spanCount(request)} spans; at most ${sink.maxBatchRecords} per request: split it`);
      }
      const out = await exportOtlp(sink, req.log, svc.signal, svc.signal, request, req.ingestStart ?? performance.now());
      reply.header('distillguard-receipt', out.receiptHeader);
      if (protobuf) return reply.type('application/x-protobuf').send(svc.encodeResponse(out.partial));
      return jsonExportResponse(svc.signal, out.partial);
    });
  }
}
