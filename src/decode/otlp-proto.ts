// OTLP protobuf (the default encoding of OTLP/HTTP, and the payload of OTLP/gRPC), read with
// protobufjs from the official opentelemetry-proto definitions in `proto/` (see proto/README.md).
//
// A decoded request is turned into the object OTLP/JSON would have given (lowerCamelCase fields,
// int64 as decimal strings, trace and span ids as hex), so both encodings go through one mapping
// (src/decode/otlp.ts) and give identical records.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_FILES = ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry/proto/collector/logs/v1/logs_service.proto'];
const TRACE_SERVICE = 'opentelemetry.proto.collector.trace.v1.TraceService';
const LOGS_SERVICE = 'opentelemetry.proto.collector.logs.v1.LogsService';

/** The request is not a protobuf message of the expected type. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

export type OtlpSignal = 'traces' | 'logs';

/** One OTLP collector service (trace or logs): its gRPC method path and message types. */
export interface OtlpService {
  signal: OtlpSignal;
  /** gRPC path of Export, e.g. `/opentelemetry.proto.collector.trace.v1.TraceService/Export`. */
  exportPath: string;
  /** Bytes of an Export request → the OTLP/JSON-shaped object. Throws ProtobufError. */
  decodeRequest(bytes: Uint8Array): unknown;
  /** The Export response: empty, or partial success with the number rejected and why. */
  encodeResponse(partial: { rejected: number; errorMessage: string } | null): Buffer;
}

export interface OtlpProto {
  traces: OtlpService;
  logs: OtlpService;
  /** google.rpc.Status, the body of OTLP/HTTP protobuf error answers. */
  encodeStatus(code: number, message: string): Buffer;
}

/** The folder holding `opentelemetry/proto/**` (the project's `proto/`, from src/ or dist/src/). */
function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'proto');
    if (existsSync(join(p, PROTO_FILES[0]))) return p;
    dir = dirname(dir);
  }
  throw new Error(`the OTLP .proto files are missing (looked for proto/${PROTO_FILES[0]} above ${fileURLToPath(import.meta.url)})`);
}

/** Loads the definitions (a few ms; once per process is enough, the result is immutable). */
export function loadOtlpProto(): OtlpProto {
  const dir = protoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync(PROTO_FILES, { keepCase: false });
  root.resolveAll();
  // google.rpc.Status (googleapis' google/rpc/status.proto): code = 1, message = 2; `details` (3,
  // repeated Any) is never sent here.
  const status = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
  new protobuf.Root().define('google.rpc').add(status);
  return {
    traces: service(root, TRACE_SERVICE, 'traces', 'rejectedSpans'),
    logs: service(root, LOGS_SERVICE, 'logs', 'rejectedLogRecords'),
    encodeStatus: (code, message) => Buffer.from(status.encode(status.create({ code, message })).finish()),
  };
}

function service(root: protobuf.Root, name: string, signal: OtlpSignal, rejectedField: string): OtlpService {
  const svc = root.lookupService(name);
  const exp = svc.methods.Export;
  const req = root.lookupType(exp.requestType);
  const res = root.lookupType(exp.responseType);
  return {
    signal,
    exportPath: `/${svc.fullName.replace(/^\./, '')}/${exp.name}`,
    decodeRequest(bytes) {
      let msg: protobuf.Message;
      try {
        msg = req.decode(bytes);
      } catch (e) {
        throw new ProtobufError(`not a protobuf ${req.name}: ${(e as Error).message}`);
      }
      const obj = req.toObject(msg, { longs: String, arrays: false, defaults: false });
      hexIds(obj, signal);
      return obj;
    },
    encodeResponse(partial) {
      const body = partial === null ? {} : { partialSuccess: { [rejectedField]: partial.rejected, errorMessage: partial.errorMessage } };
      return Buffer.from(res.encode(res.fromObject(body)).finish());
    },
  };
}

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** OTLP/JSON writes trace and span ids as hex (not base64 like other bytes): do the same. */
function hexIds(req: Obj, signal: OtlpSignal): void {
  const fix = (o: Obj, k: string): void => {
    const v = o[k];
    if (v instanceof Uint8Array) o[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  };
  if (signal === 'traces') {
    for (const rs of list(req.resourceSpans))
      for (const ss of list(rs.scopeSpans))
        for (const s of list(ss.spans)) {
          fix(s, 'traceId');
          fix(s, 'spanId');
          fix(s, 'parentSpanId');
          for (const l of list(s.links)) {
            fix(l, 'traceId');
            fix(l, 'spanId');
          }
        }
  } else {
    for (const rl of list(req.resourceLogs))
      for (const sl of list(rl.scopeLogs))
        for (const r of list(sl.logRecords)) {
          fix(r, 'traceId');
          fix(r, 'spanId');
        }
  }
}
