// The gateway's read routes on the main API: an account's decision from memory, the nginx
// `auth_request` answer, the table of decisions and a stream of decision changes (server-sent
// events). Single-node serve answers them from its policy stage, serve --cluster from the judge's
// `dg.decisions`: both through a DecisionSource, so a gateway in front of either sees the same answers.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from '../errors.js';
import { ACCOUNT_HEADER, authAnswer, STREAM_HEAD, streamEvent, streamHello } from '../decision-answer.js';
import type { DecisionSource } from '../decision-source.js';

/** Registers the four routes on `r` (its hooks decide who may ask); `policy` is the version `/v1/decisions` names. */
export function registerGatewayAnswers(r: FastifyInstance, source: DecisionSource, policy: () => unknown): void {
  r.get<{ Params: { id: string } }>('/v1/decision/:id', (req, reply) => {
    const c = source.decision(req.params.id);
    return reply.header('content-type', 'application/json; charset=utf-8').send(c.json);
  });

  // nginx auth_request (statuses and headers: decision-answer.ts).
  r.get<{ Querystring: { account_id?: string } }>('/v1/gateway/auth', (req, reply) => {
    const h = req.headers[ACCOUNT_HEADER];
    const id = (typeof h === 'string' && h !== '' ? h : undefined) ?? req.query.account_id;
    if (!id) throw new ApiError('bad_request', `name the account in the ${ACCOUNT_HEADER} header or ?account_id=`);
    const c = source.decision(id);
    const { status, extra } = authAnswer(c);
    reply.headers(c.headers);
    if (extra) reply.headers(extra);
    return reply.code(status).send();
  });

  r.get('/v1/decisions', () => ({ decisions: source.snapshot(), policy: policy() }));

  r.get<{ Querystring: { last_event_id?: string } }>('/v1/decisions/stream', (req, reply) => {
    const h = req.headers['last-event-id'] ?? req.query.last_event_id;
    const last = h === undefined ? undefined : Number(h);
    if (last !== undefined && !Number.isSafeInteger(last)) throw new ApiError('bad_request', 'Last-Event-ID: expected an integer');
    stream(reply, source, last);
  });
}

function stream(reply: FastifyReply, source: DecisionSource, last: number | undefined): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, STREAM_HEAD);
  res.write(streamHello(source.label));
  const unsubscribe = source.subscribe(last, (seq, line) => res.write(streamEvent(seq, line)));
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  ping.unref();
  res.on('close', () => {
    clearInterval(ping);
    unsubscribe();
  });
}
