// A listing answered as bytes made from each row's JSON. The rows of a snapshot are immutable and a
// refresh shares every unchanged row with the next snapshot (./results-view.ts), so a row's text is
// made once, not once per request: a dashboard or a client polling `/v1/accounts?verdict=distillation`
// every few hundred ms had fastify stringify the same ~1,000 rows each time, measure the string and
// encode it into the socket (13.9% of serve's main thread under a scale-2 burst with the
// summary/accounts reader of bench:serve, more than the ingest log and the order stage together).
// And one snapshot asked the same listing again is the same bytes: kept with the snapshot (a few
// answers each), gone with it.

/** Each row object's JSON text, made the first time it is listed. */
const rowText = new WeakMap<object, string>();

function textOf(row: object): string {
  let s = rowText.get(row);
  if (s === undefined) {
    s = JSON.stringify(row);
    rowText.set(row, s);
  }
  return s;
}

/**
 * The UTF-8 bytes of `JSON.stringify({ [key]: rows, ...rest })` (`rest` after the rows, in its own
 * key order), each row's text made once per row object.
 */
export function listingJson(key: string, rows: readonly object[], rest: object): Buffer {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) parts[i] = textOf(rows[i]);
  const tail = JSON.stringify(rest);
  return Buffer.from(`{${JSON.stringify(key)}:[${parts.join(',')}]${tail === '{}' ? '}' : `,${tail.slice(1)}`}`);
}

/** Answers kept per snapshot (at most this many, the first asked: a poller asks the same few). */
export const ANSWERS_PER_SNAPSHOT = 8;
/** …and at most these bytes of answers per snapshot. */
export const ANSWER_BYTES_PER_SNAPSHOT = 8 * 2 ** 20;

const answers = new WeakMap<object, { bytes: number; byQuery: Map<string, Buffer> }>();

/** The answer to `query` kept with `snapshot`, if any. */
export function keptAnswer(snapshot: object, query: string): Buffer | undefined {
  return answers.get(snapshot)?.byQuery.get(query);
}

/** Keeps `body` as the answer to `query` while `snapshot` lives (within the bounds above); returns it. */
export function keepAnswer(snapshot: object, query: string, body: Buffer): Buffer {
  let kept = answers.get(snapshot);
  if (kept === undefined) answers.set(snapshot, (kept = { bytes: 0, byQuery: new Map() }));
  if (kept.byQuery.size < ANSWERS_PER_SNAPSHOT && kept.bytes + body.length <= ANSWER_BYTES_PER_SNAPSHOT) {
    kept.byQuery.set(query, body);
    kept.bytes += body.length;
  }
  return body;
}
