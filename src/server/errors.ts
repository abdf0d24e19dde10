// Every failure the HTTP API returns is `{error: {code, message}}` with a stable code.
import type { FastifyError, FastifyReply } from 'fastify';

export const ERROR_STATUS = {
  bad_request: 400,
  bad_encoding: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  conflict: 409,
  gone: 410,
  body_too_large: 413,
  too_many_records: 413,
  unsupported_media_type: 415,
  overloaded: 429,
  header_too_large: 431,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** Thrown by handlers and hooks; the server's error handler answers with its status and body. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}

export function sendError(reply: FastifyReply, code: ErrorCode, message: string, headers: Record<string, string> = {}): FastifyReply {
  const body: ErrorBody = { error: { code, message } };
  return reply.code(ERROR_STATUS[code]).headers(headers).type('application/json; charset=utf-8').send(body);
}

/** Maps fastify's own errors (body limit, media type, validation, bad JSON) to stable codes. */
export function classifyError(err: FastifyError | ApiError | Error): { code: ErrorCode; message: string; headers: Record<string, string> } {
  if (err instanceof ApiError) return { code: err.code, message: err.message, headers: err.headers };
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'body_too_large', message: fe.message, headers: {} };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type', message: fe.message, headers: {} };
    case 'FST_ERR_BAD_URL':
      return { code: 'bad_request', message: 'malformed URL (bad percent-encoding)', headers: {} };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'bad_request', message: fe.message, headers: {} };
    default:
      break;
  }
  if (fe.validation) return { code: 'bad_request', message: fe.message, headers: {} };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { code: fe.statusCode === 413 ? 'body_too_large' : fe.statusCode === 415 ? 'unsupported_media_type' : 'bad_request', message: fe.message, headers: {} };
  }
  return { code: 'internal', message: 'internal error', headers: {} };
}
