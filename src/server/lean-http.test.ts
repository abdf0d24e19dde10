// The gateway listener's HTTP/1.1 server, spoken to over real loopback sockets: keep-alive and
// pipelining, HTTP/1.0, what it refuses (each with its status, then the connection closes), its two
// timeouts, HEAD, chunked streams, a handler that throws, and bodies in UTF-8.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesOf, headerLines, LeanServer, type LeanRequest, type LeanResponder, type LeanServerOptions, type LeanStream } from './lean-http.js';

let server: LeanServer | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(r) : r()));
  server = undefined;
});

const JSON_TYPE = headerLines({ 'content-type': 'application/json; charset=utf-8' });

async function start(o: Partial<LeanServerOptions> = {}): Promise<{ port: number; seen: LeanRequest[]; errors: unknown[] }> {
  const seen: LeanRequest[] = [];
  const errors: unknown[] = [];
  server = new LeanServer({
    headersTimeoutMs: 5000,
    keepAliveTimeoutMs: 5000,
    handle: (req: LeanRequest, r: LeanResponder) => {
      seen.push(req);
      r.respond(200, JSON_TYPE, bytesOf(JSON.stringify({ path: req.path, query: req.query, account: req.accountId ?? null })));
    },
    onError: (e) => errors.push(e),
    ...o,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return { port, seen, errors };
}

/** Sends `text` on a new connection and collects everything until the server closes it or `until` holds. */
async function exchange(port: number, text: string | string[], until?: (got: string) => boolean, gapMs = 0): Promise<{ got: string; closed: boolean }> {
  const s: Socket = connect(port, '127.0.0.1');
  let got = '';
  let closed = false;
  const done = new Promise<void>((resolve) => {
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (until?.(got)) resolve();
    });
    s.on('close', () => {
      closed = true;
      resolve();
    });
  });
  for (const part of Array.isArray(text) ? text : [text]) {
    s.write(part, 'latin1');
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  await done;
  s.destroy();
  return { got, closed };
}

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
const answers = (got: string): string[] => got.split(/(?=HTTP\/1\.1 )/);

describe('LeanServer: the gateway listener HTTP/1.1 server', () => {
  it('answers pipelined requests in order on a kept-alive connection, with length, date and keep-alive', async () => {
    const { port, seen } = await start();
    const { got, closed } = await exchange(port, GET('/a?x=1', 'X-Account-Id: acct 7\r\nAuthorization: Bearer k\r\n') + GET('/b'), (g) => answers(g).length === 2 && g.endsWith('}'));
    expect(closed).toBe(false);
    const [a, b] = answers(got);
    expect(a).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(a).toContain('content-type: application/json; charset=utf-8\r\n');
    expect(a).toMatch(/\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
    expect(a).toContain('Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n');
    const body = '{"path":"/a","query":"x=1","account":"acct 7"}';
    expect(a).toContain(`Content-Length: ${body.length}\r\n\r\n${body}`);
    expect(b).toContain('{"path":"/b","query":"","account":null}');
    expect(seen[0]).toMatchObject({ method: 'GET', path: '/a', authorization: 'Bearer k', accountId: 'acct 7' });
  });

  it('closes after an HTTP/1.0 request without keep-alive, and after Connection: close', async () => {
    const { port } = await start();
    const old = await exchange(port, 'GET /x HTTP/1.0\r\n\r\n');
    expect(old.closed).toBe(true);
    expect(old.got).toContain('Connection: close\r\n');
    const close = await exchange(port, GET('/x', 'Connection: close\r\n') + GET('/never'));
    expect(close.closed).toBe(true);
    expect(answers(close.got)).toHaveLength(1);
  });

  it.each([
    ['a malformed request line', 'GET /x\r\nHost: x\r\n\r\n', 400, 'malformed request line'],
    ['an absolute-form target', 'GET http://evil/x HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'origin-form'],
    ['HTTP/1.1 without Host', 'GET /x HTTP/1.1\r\n\r\n', 400, 'Host'],
    ['a space before the colon', GET('/x', 'X-Account-Id : a\r\n'), 400, 'malformed header name'],
    ['obsolete line folding', GET('/x', 'X-Other: a\r\n b\r\n'), 400, 'malformed header line'],
    ['a bare LF inside a header', GET('/x', 'X-Other: a\nb\r\n'), 400, 'invalid character'],
    ['a body', `POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nGET /`, 400, 'no request body'],
    ['chunked encoding', GET('/x', 'Transfer-Encoding: chunked\r\n'), 400, 'no request body'],
    ['a repeated header it reads', GET('/x', 'X-Account-Id: a\r\nX-Account-Id: b\r\n'), 400, 'repeated'],
    ['headers beyond the limit', GET('/x', `X-Big: ${'a'.repeat(17_000)}\r\n`), 431, 'too large'],
  ])('refuses %s with its status and closes the connection', async (_, text, status, message) => {
    const { port, seen } = await start();
    const { got, closed } = await exchange(port, text);
    expect(closed).toBe(true);
    expect(got).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(got).toContain('Connection: close\r\n');
    expect(got).toContain(message);
    expect(seen).toEqual([]);
  });

  it('reads header names in any case and values trimmed as String.prototype.trim does, colons and obs-text kept', async () => {
    const { port, seen } = await start();
    const text = `GET /c HTTP/1.1\r\nHOST: h:8080\r\nx-ACCOUNT-id: \t a:b\xe9 \t\r\nAuthorization:Bearer k\xa0\r\nX-Other: \r\nConnection:  Keep-Alive \r\n\r\n`;
    const { got, closed } = await exchange(port, text, (g) => g.endsWith('}'));
    expect(closed).toBe(false);
    expect(got).toMatch(/^HTTP\/1\.1 200 /);
    expect(seen[0]).toMatchObject({ path: '/c', accountId: 'a:b\xe9', authorization: 'Bearer k' });
  });

  it.each([
    ['a DEL in a header it does not read', GET('/x', 'X-Other: a\x7fb\r\n'), 'invalid character in header x-other'],
    ['a header without a name', GET('/x', ': a\r\n'), 'malformed header line'],
    ['a repeat of a header in another case', GET('/x', 'Authorization: a\r\nAUTHORIZATION: a\r\n'), 'header authorization repeated'],
    ['a non-zero length in upper case', GET('/x', 'CONTENT-LENGTH: 01\r\n'), 'no request body'],
  ])('refuses %s (400, closed)', async (_, text, message) => {
    const { port, seen } = await start();
    const { got, closed } = await exchange(port, text);
    expect(closed).toBe(true);
    expect(got).toMatch(/^HTTP\/1\.1 400 /);
    expect(got).toContain(message);
    expect(seen).toEqual([]);
  });

  it('accepts Content-Length: 0 and headers split across packets', async () => {
    const { port, seen } = await start();
    const { got } = await exchange(port, ['GET /split HTTP/1.1\r\nHo', 'st: x\r\nContent-Length: 0\r', '\n\r\n'], (g) => g.endsWith('}'), 20);
    expect(got).toMatch(/^HTTP\/1\.1 200 /);
    expect(seen.map((r) => r.path)).toEqual(['/split']);
  });

  it('answers 408 to a request whose headers do not arrive in time, and closes an idle connection', async () => {
    const { port } = await start({ headersTimeoutMs: 150, keepAliveTimeoutMs: 150 });
    const t0 = Date.now();
    const slow = await exchange(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n');
    expect(slow.got).toMatch(/^HTTP\/1\.1 408 /);
    expect(slow.closed).toBe(true);
    const idle = await exchange(port, GET('/x'));
    expect(idle.closed).toBe(true);
    expect(answers(idle.got)).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('answers HEAD with the headers GET would have and no body', async () => {
    const { port } = await start();
    const { got } = await exchange(port, `HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n${GET('/after')}`, (g) => g.endsWith('}'));
    const [head, after] = answers(got);
    expect(head).toMatch(new RegExp(`Content-Length: ${'{"path":"/h","query":"","account":null}'.length}\r\n\r\n$`));
    expect(after).toContain('"path":"/after"');
  });

  it('sends UTF-8 bodies with their byte length, and answers 500 when a handler throws', async () => {
    const { port, errors } = await start({
      handle: (req, r) => {
        if (req.path === '/boom') throw new Error('a bug');
        r.respond(200, JSON_TYPE, bytesOf(JSON.stringify({ name: 'ünïcødé ✓' })));
      },
    });
    const res = await fetch(`http://127.0.0.1:${port}/u`);
    expect(await res.json()).toEqual({ name: 'ünïcødé ✓' });
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(JSON.stringify({ name: 'ünïcødé ✓' }))));
    const boom = await fetch(`http://127.0.0.1:${port}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(errors).toHaveLength(1);
  });

  it('keeps what a route accepted of a connection for that connection only', async () => {
    const checked: string[] = [];
    const { port } = await start({
      handle: (req, r) => {
        if (req.authorization !== r.authorized) {
          checked.push(req.authorization ?? '-');
          r.authorized = req.authorization;
        }
        r.respond(204, '', '');
      },
    });
    const k = 'Authorization: Bearer k1\r\n';
    await exchange(port, GET('/1', k) + GET('/2', k) + GET('/3', 'Authorization: Bearer k2\r\n'), (g) => answers(g).length === 3);
    await exchange(port, GET('/4', k), (g) => answers(g).length === 1);
    expect(checked).toEqual(['Bearer k1', 'Bearer k2', 'Bearer k1']);
  });

  it('streams chunked events until the client leaves, and ends open streams on close', async () => {
    const streams: LeanStream[] = [];
    const { port } = await start({
      handle: (_req, r) => {
        const s = r.openStream(200, headerLines({ 'content-type': 'text/event-stream' }));
        s.write('data: é\n\n');
        streams.push(s);
      },
    });
    const ctl = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/s`, { signal: ctl.signal });
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = res.body!.getReader();
    streams[0].write('data: 2\n\n');
    let text = '';
    while (!text.includes('data: 2')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toBe('data: é\n\ndata: 2\n\n');
    const gone = new Promise<void>((r) => streams[0].onClose(r));
    ctl.abort();
    await gone;
    expect(streams[0].closed).toBe(true);

    const second = await fetch(`http://127.0.0.1:${port}/s`);
    const body = second.text();
    await new Promise<void>((r) => {
      server!.close(r);
      server = undefined;
    });
    expect(await body).toBe('data: é\n\n');
  });
});
