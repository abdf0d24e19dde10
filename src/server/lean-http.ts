// A lean HTTP/1.1 server for the gateway listener's thread (gateway-worker.ts): bodiless GET/HEAD
// requests on keep-alive connections, answered synchronously with one write each. node's `http`
// costs that thread ~9 KB of garbage and ~35 µs in the handler per request (IncomingMessage,
// ServerResponse, header objects, per-request timers), so at 5,000 requests/s it scavenged 15-25 times
// a second, 0.7-0.8 ms each, and every request that arrived during one waited for it
// (bench/results/i14b-summary.md).
// Here a request is a latin1 view of its header block, the few headers a route reads, and one string
// written to the socket.
//
// What it accepts and refuses (RFC 9112): a request line `METHOD SP origin-form SP HTTP/1.0|1.1`,
// header lines `name: value` ending in CRLF, at most `maxHeaderBytes` in all (431 beyond); no
// request body (a Content-Length other than 0 or any Transfer-Encoding is answered 400 and the
// connection closed, so no body bytes can be read as a request); obsolete line folding, a bare CR or
// LF, a space before the colon, control characters, a duplicated header this server reads: 400 and
// close. HTTP/1.1 needs a Host. Pipelined requests are answered in order; reading pauses while the
// client does not read its answers. A request's header block must be complete `headersTimeoutMs`
// after its first byte (or after the connection opened): 408 and close; an idle keep-alive connection
// is closed after `keepAliveTimeoutMs`. Both are checked by one sweep, every quarter of the shorter.
import { createServer, type Server, type Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';

/** What a route reads of one request. */
export interface LeanRequest {
  method: string;
  /** The request target's path, still percent-encoded. */
  path: string;
  /** After `?`, without it ('' when none). */
  query: string;
  authorization: string | undefined;
  accountId: string | undefined;
  lastEventId: string | undefined;
}

/** A server-sent stream a route opened on a connection (chunked): it ends when the client goes. */
export interface LeanStream {
  write(text: string): void;
  end(): void;
  readonly closed: boolean;
  onClose(l: () => void): void;
}

export interface LeanResponder {
  /**
   * The Authorization value a route last accepted on this connection (a gateway sends one key on
   * every request): a route may skip checking it again. Only ever its own client's proven value.
   */
  authorized: string | undefined;
  /** One complete answer. `headers`: lines `name: value\r\n` (latin1); `body`: bytes as a latin1 string (see `bytesOf`). */
  respond(status: number, headers: string, body: string): void;
  /** Answers with a chunked stream that stays open; only on a GET. */
  openStream(status: number, headers: string): LeanStream;
}

export interface LeanServerOptions {
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** The request line and headers (node's default maximum: 16 KiB). */
  maxHeaderBytes?: number;
  /** A stream whose client has this much unread is closed (it resumes with Last-Event-ID). */
  maxStreamBacklogBytes?: number;
  /** Handles one request: it must answer through `r` before returning (or throw: 500). */
  handle(req: LeanRequest, r: LeanResponder): void;
  /** A handler threw (a bug): it was answered 500. */
  onError(e: unknown): void;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII: what an origin-form request target may hold. */
const TARGET = /^\/[\x21-\x7e]*$/;
/** A field value: visible characters, spaces and tabs, obs-text; no control characters. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** The headers this server reads, each at most once (a bit each, by index, to tell a repeat). */
const READ_NAMES = ['authorization', 'x-account-id', 'last-event-id', 'content-length', 'transfer-encoding', 'host', 'connection'];
const [AUTHORIZATION, ACCOUNT_ID, LAST_EVENT_ID, , TRANSFER_ENCODING, HOST, CONNECTION] = READ_NAMES.keys();
/** 1 at the latin1 codes of a token's characters (RFC 9110). */
const TOKEN_CHAR = new Uint8Array(256).map((_, c) => (TOKEN.test(String.fromCharCode(c)) ? 1 : 0));
/** 1 at the latin1 codes String.prototype.trim removes. */
const TRIMMED = new Uint8Array(256).map((_, c) => (String.fromCharCode(c).trim() === '' ? 1 : 0));

/** The index in READ_NAMES of the header named by block[start, end) (any case), or -1. */
function readHeader(block: string, start: number, end: number): number {
  next: for (let h = 0; h < READ_NAMES.length; h++) {
    const name = READ_NAMES[h];
    if (name.length !== end - start) continue;
    for (let i = 0; i < name.length; i++) {
      const c = block.charCodeAt(start + i);
      if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== name.charCodeAt(i)) continue next;
    }
    return h;
  }
  return -1;
}

/** A UTF-8 string as the latin1 string of its bytes (what `respond` takes as a body); ASCII is its own. */
export function bytesOf(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}

/** `name: value\r\n` lines of a header record; throws on a character that cannot be sent (as node's `http` does). */
export function headerLines(headers: Record<string, string>): string {
  let out = '';
  for (const [k, v] of Object.entries(headers)) {
    if (!TOKEN.test(k) || !FIELD_VALUE.test(v)) throw new Error(`invalid response header ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    out += `${k}: ${v}\r\n`;
  }
  return out;
}

/** The request could not be read: answered with `status` and the connection closed. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class LeanServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly sweep: NodeJS.Timeout;
  private dateSecond = -1;
  private dateLine = '';

  constructor(readonly o: LeanServerOptions) {
    this.server = createServer({ noDelay: true }, (socket) => {
      const c = new Connection(socket, this);
      this.connections.add(c);
      socket.on('close', () => this.connections.delete(c));
    });
    this.sweep = setInterval(() => this.expire(), Math.max(10, Math.min(1000, o.headersTimeoutMs / 4, o.keepAliveTimeoutMs / 4)));
    this.sweep.unref();
  }

  listen(port: number, host: string): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const a = this.server.address();
        resolve(typeof a === 'object' && a !== null ? { address: a.address, port: a.port } : { address: host, port });
      });
    });
  }

  /** Stops accepting and closes every connection (open streams end); `done` once all are closed. */
  close(done: () => void): void {
    clearInterval(this.sweep);
    this.server.close(() => done());
    for (const c of this.connections) c.close();
  }

  /** `Date: …\r\n`, formatted once a second. */
  date(now: number): string {
    const s = Math.floor(now / 1000);
    if (s !== this.dateSecond) {
      this.dateSecond = s;
      this.dateLine = `Date: ${new Date(s * 1000).toUTCString()}\r\n`;
    }
    return this.dateLine;
  }

  private expire(): void {
    const now = Date.now();
    for (const c of this.connections) c.expire(now);
  }
}

class Connection implements LeanResponder {
  authorized: string | undefined;
  private pending: Buffer | undefined;
  /** When the header block now awaited started (its first byte, or the connection). */
  private waitingSince: number;
  /** Since the last answer, for an idle keep-alive connection; NaN while a request is in progress. */
  private idleSince = NaN;
  private keepAlive = true;
  private head = false;
  private answered = false;
  private done = false;
  private stream: ChunkedStream | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly server: LeanServer,
  ) {
    this.waitingSince = Date.now();
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('drain', () => socket.resume());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.done = true;
      this.stream?.closedByClient();
    });
  }

  private read(chunk: Buffer): void {
    if (this.done || this.stream) return;
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    if (Number.isNaN(this.waitingSince)) this.waitingSince = Date.now(); // the first byte of a request
    this.idleSince = NaN;
    const max = this.server.o.maxHeaderBytes ?? 16 * 1024;
    let at = 0;
    while (at < buf.length) {
      const end = buf.indexOf(CRLF2, at);
      if ((end < 0 ? buf.length : end) - at > max) return this.refuse(new Refused(431, 'request header fields too large'));
      if (end < 0) {
        this.pending = Buffer.from(buf.subarray(at)); // a copy: a partial request keeps no 64 KiB chunk alive
        break;
      }
      this.request(buf.toString('latin1', at, end));
      at = end + 4;
      if (this.done || this.stream) return;
      if (!this.keepAlive) return this.finish();
      this.waitingSince = Date.now();
    }
    if (this.pending === undefined) {
      this.waitingSince = NaN;
      this.idleSince = Date.now();
    }
    // The client does not read its answers: read no more requests until it does.
    if (this.socket.writableNeedDrain) this.socket.pause();
  }

  private request(block: string): void {
    let req: LeanRequest;
    try {
      req = this.parse(block);
    } catch (e) {
      if (e instanceof Refused) return this.refuse(e);
      throw e;
    }
    this.answered = false;
    try {
      this.server.o.handle(req, this);
      if (!this.answered) throw new Error(`no answer to ${req.method} ${req.path}`);
    } catch (e) {
      this.server.o.onError(e);
      if (this.stream) this.stream.end();
      else if (!this.answered) this.respond(500, '', bytesOf(JSON.stringify({ error: { code: 'internal', message: 'internal error' } })), 'application/json; charset=utf-8');
    }
  }

  // The header lines are read in place, by character code: no line, name or value is copied but the
  // values of the few headers read (the parse was ~850 bytes of garbage per request, a quarter of all).
  private parse(block: string): LeanRequest {
    let eol = block.indexOf('\r\n');
    const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/1\.([01])$/.exec(eol < 0 ? block : block.slice(0, eol));
    if (!m) throw new Refused(400, 'malformed request line');
    const [, method, target, minor] = m;
    if (!TARGET.test(target)) throw new Refused(400, 'the request target must be a path (origin-form)');
    const req: LeanRequest = { method, path: target, query: '', authorization: undefined, accountId: undefined, lastEventId: undefined };
    const q = target.indexOf('?');
    if (q >= 0) {
      req.path = target.slice(0, q);
      req.query = target.slice(q + 1);
    }
    let host = false;
    let connection = '';
    let seen = 0;
    while (eol >= 0) {
      const start = eol + 2;
      eol = block.indexOf('\r\n', start);
      const end = eol < 0 ? block.length : eol;
      const colon = block.indexOf(':', start);
      if (colon <= start || colon >= end) throw new Refused(400, 'malformed header line');
      for (let i = start; i < colon; i++) if (TOKEN_CHAR[block.charCodeAt(i)] !== 1) throw new Refused(400, 'malformed header name');
      // As String.prototype.trim, then every character a field value may hold.
      let from = colon + 1;
      let to = end;
      while (from < to && TRIMMED[block.charCodeAt(from)] === 1) from++;
      while (to > from && TRIMMED[block.charCodeAt(to - 1)] === 1) to--;
      for (let i = from; i < to; i++) {
        const c = block.charCodeAt(i);
        if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) throw new Refused(400, `invalid character in header ${block.slice(start, colon).toLowerCase()}`);
      }
      const h = readHeader(block, start, colon);
      if (h < 0) continue;
      const bit = 1 << h;
      if (seen & bit) throw new Refused(400, `header ${READ_NAMES[h]} repeated`);
      seen |= bit;
      const value = block.slice(from, to);
      if (h === AUTHORIZATION) req.authorization = value;
      else if (h === ACCOUNT_ID) req.accountId = value;
      else if (h === LAST_EVENT_ID) req.lastEventId = value;
      else if (h === HOST) host = true;
      else if (h === CONNECTION) connection = value.toLowerCase();
      else if (h === TRANSFER_ENCODING || !/^0+$/.test(value)) throw new Refused(400, 'the gateway listener takes no request body');
    }
    if (minor === '1' && !host) throw new Refused(400, 'an HTTP/1.1 request needs a Host header');
    const tokens = connection === '' ? [] : connection.split(',').map((t) => t.trim());
    this.keepAlive = minor === '1' ? !tokens.includes('close') : tokens.includes('keep-alive');
    this.head = method === 'HEAD';
    return req;
  }

  respond(status: number, headers: string, body: string, type?: string): void {
    if (this.answered) throw new Error('answered twice');
    this.answered = true;
    const now = Date.now();
    const connection = this.keepAlive ? `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(this.server.o.keepAliveTimeoutMs / 1000)}\r\n` : 'Connection: close\r\n';
    // 204 and 304 have no body and no length; HEAD says the length GET would have.
    const length = status === 204 || status === 304 ? '' : `Content-Length: ${body.length}\r\n`;
    const text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${headers}${type ? `content-type: ${type}\r\n` : ''}${this.server.date(now)}${connection}${length}\r\n${this.head ? '' : body}`;
    this.socket.write(text, 'latin1');
  }

  openStream(status: number, headers: string): LeanStream {
    if (this.head) {
      this.respond(status, headers, '');
      return ChunkedStream.ended();
    }
    if (this.answered) throw new Error('answered twice');
    this.answered = true;
    this.socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${headers}${this.server.date(Date.now())}Transfer-Encoding: chunked\r\n\r\n`, 'latin1');
    this.stream = new ChunkedStream(this.socket, this.server.o.maxStreamBacklogBytes ?? 8 * 1024 * 1024);
    this.pending = undefined;
    return this.stream;
  }

  /** A request that cannot be read: its status and a JSON error, then the connection closes. */
  private refuse(e: Refused): void {
    this.keepAlive = false;
    this.answered = false;
    const code = e.status === 431 ? 'header_too_large' : e.status === 408 ? 'request_timeout' : 'bad_request';
    this.respond(e.status, '', bytesOf(JSON.stringify({ error: { code, message: e.message } })), 'application/json; charset=utf-8');
    this.finish();
  }

  private finish(): void {
    this.done = true;
    this.pending = undefined;
    this.socket.end();
  }

  expire(now: number): void {
    if (this.done || this.stream) return;
    if (!Number.isNaN(this.waitingSince) && now - this.waitingSince > this.server.o.headersTimeoutMs) {
      this.head = false;
      return this.refuse(new Refused(408, 'request header timeout'));
    }
    if (!Number.isNaN(this.idleSince) && now - this.idleSince > this.server.o.keepAliveTimeoutMs) this.finish();
  }

  /** Between two events no request is being answered: a connection is idle, awaiting headers or streaming. */
  close(): void {
    if (this.stream) this.stream.end();
    else if (!this.done) this.finish();
  }
}

class ChunkedStream implements LeanStream {
  closed = false;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly socket: Socket | undefined,
    private readonly maxBacklog: number,
  ) {}

  static ended(): ChunkedStream {
    const s = new ChunkedStream(undefined, 0);
    s.closed = true;
    return s;
  }

  write(text: string): void {
    if (this.closed || !this.socket) return;
    if (this.socket.writableLength > this.maxBacklog) {
      this.socket.destroy();
      return;
    }
    this.socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`, 'utf8');
  }

  end(): void {
    if (this.closed || !this.socket) return;
    this.socket.end('0\r\n\r\n');
    this.closedByClient();
  }

  closedByClient(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.listeners.splice(0)) l();
  }

  onClose(l: () => void): void {
    if (this.closed) l();
    else this.listeners.push(l);
  }
}
