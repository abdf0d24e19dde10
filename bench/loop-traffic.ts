// bench:serve's looped traffic: pass k of the input sent again `shift` ms later in event time, with
// new exchange ids, so a paced run lasts as long as asked with the same accounts carrying on. Done on
// the bytes (no string of the body, no regular expression): the client shares the machine with the
// server it measures, and the string rewrite cost it ~12 CPU-µs a line.

const TS = Buffer.from('"ts":"');
const ID = Buffer.from('"id":"');
const QUOTE = 0x22;

/**
 * `body` with every `"ts":"<time>"` moved `shift` ms later (written as an ISO time) and every
 * `"id":"<id>"` that starts an object member (after `{` or `,`) given the suffix `~k`: the bytes of
 * replacing /"ts":"([^"]+)"/ and /([{,]"id":")([^"]+)"/ in its text.
 */
export function shiftBody(body: Buffer, shift: number, k: number): Buffer {
  const suffix = Buffer.from(`~${k}`);
  const pieces: Buffer[] = [];
  let from = 0; // bytes before this are in pieces
  let ts = body.indexOf(TS);
  let id = body.indexOf(ID);
  while (ts >= 0 || id >= 0) {
    if (id < 0 || (ts >= 0 && ts < id)) {
      const start = ts + TS.length;
      const end = body.indexOf(QUOTE, start);
      if (end < 0) break;
      if (end > start) {
        pieces.push(body.subarray(from, start), Buffer.from(new Date(Date.parse(body.toString('latin1', start, end)) + shift).toISOString()));
        from = end;
      }
      ts = body.indexOf(TS, end);
      if (id >= 0 && id < end) id = body.indexOf(ID, end);
    } else {
      const start = id + ID.length;
      const end = body.indexOf(QUOTE, start);
      if (end < 0) break;
      if (end > start && id > 0 && (body[id - 1] === 0x7b || body[id - 1] === 0x2c)) {
        pieces.push(body.subarray(from, end), suffix);
        from = end;
      }
      id = body.indexOf(ID, end);
      if (ts >= 0 && ts < end) ts = body.indexOf(TS, end);
    }
  }
  pieces.push(body.subarray(from));
  return Buffer.concat(pieces);
}
