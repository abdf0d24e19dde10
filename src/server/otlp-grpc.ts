// OTLP/gRPC (`serve --otlp-grpc-port N`, 4317 by convention): the collector's TraceService and
// LogsService Export methods, with @grpc/grpc-js, beside the HTTP API and over the same live
// service: the same keys (`authorization: Bearer <key>` metadata, role `ingest`), the same
// backpressure and decoding, and an answer only once the batch is durable in the ingest log.
//
// Messages arrive as bytes and are decoded in the handler (not by grpc-js), so a message that is
// not protobuf gets INVALID_ARGUMENT with the reason rather than a bare INTERNAL. Status codes:
// UNAUTHENTICATED / PERMISSION_DENIED (keys), INVALID_ARGUMENT (bad message), RESOURCE_EXHAUSTED
// (over the size limit; grpc-js itself), UNAVAILABLE (overloaded or the log cannot be written:
// exporters retry it), UNIMPLEMENTED (any other method; grpc-js itself).
import * as grpc from '@grpc/grpc-js';
import type { FastifyBaseLogger } from 'fastify';
import { loadOtlpProto, ProtobufError, type OtlpService } from '../decode/otlp-proto.js';
import { ApiError, classifyError } from './errors.js';
import { authorize, type KeyRing } from './keys.js';
import { exportOtlp, GRPC_STATUS, type OtlpSink } from './otlp-export.js';

export interface OtlpGrpcOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  keys: KeyRing | null;
  /** Largest message once decompressed, bytes (default: the HTTP body limit). */
  maxMessageBytes?: number;
}

export interface OtlpGrpcServer {
  /** The port actually bound. */
  port: number;
  /** Stops taking calls and waits for those in flight (forced after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

const bytes = (b: Buffer): Buffer => b;

/**
 * Sends grpc-js's own diagnostics (bind failures, transport errors) to the server's structured log
 * instead of the console. grpc-js keeps one logger per process, so the CLI calls this once.
 */
export function routeGrpcLogs(log: FastifyBaseLogger): void {
  grpc.setLogger({ error: (...a: unknown[]) => log.warn({ component: 'grpc' }, a.map(String).join(' ')) });
}

/** The collector's two Export services on their own port, into `sink` (serve's live service, or serve --cluster's stream). */
export async function startOtlpGrpc(sink: OtlpSink, log: FastifyBaseLogger, o: OtlpGrpcOptions): Promise<OtlpGrpcServer> {
  const proto = loadOtlpProto();
  const max = o.maxMessageBytes ?? sink.bodyLimit;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': max });

  const exportHandler =
    (svc: OtlpService): grpc.handleUnaryCall<Buffer, Buffer> =>
    (call, callback) => {
      const t0 = performance.now();
      const route = `grpc-${svc.signal}`;
      const run = async (): Promise<Buffer> => {
        authorize(o.keys, call.metadata.get('authorization')[0], 'ingest');
        sink.admit();
        let request: unknown;
        try {
          request = svc.decodeRequest(call.request);
        } catch (e) {
          if (e instanceof ProtobufError) throw new ApiError('bad_request', e.message);
          throw e;
        }
        const out = await exportOtlp(sink, log, svc.signal, route, request, t0);
        const md = new grpc.Metadata();
        md.set('distillguard-receipt', out.receiptHeader);
        call.sendMetadata(md);
        return svc.encodeResponse(out.partial);
      };
      run().then(
        (res) => callback(null, res),
        (err: Error) => {
          const c = classifyError(err);
          if (c.code === 'internal') log.error({ err, route }, 'gRPC export failed');
          callback({ code: GRPC_STATUS[c.code], details: `${c.code}: ${c.message}` });
        },
      );
    };

  for (const svc of [proto.traces, proto.logs]) {
    const def: grpc.ServiceDefinition = {
      Export: { path: svc.exportPath, requestStream: false, responseStream: false, requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes },
    };
    server.addService(def, { Export: exportHandler(svc) });
  }

  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${o.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
