// Batches of lines and of decoded records as NATS message payloads: a header (the few strings and
// the rare objects, in V8's structured-clone form: undefined, NaN and -0 come back as they were, as
// through a worker thread's postMessage) then the typed arrays' bytes, so a batch crosses the network
// as it crosses to a worker thread, without a text form of every line or number.
import { deserialize, serialize } from 'node:v8';
import type { EncodedBatch } from '../engine/record-codec.js';
import type { LineBytes } from '../sources/line-bytes.js';

interface Frame {
  header: unknown;
  sections: Uint8Array[];
}

function pack({ header, sections }: Frame): Uint8Array {
  const head = serialize({ h: header, s: sections.map((x) => x.byteLength) });
  const out = Buffer.allocUnsafe(4 + head.length + sections.reduce((n, x) => n + x.byteLength, 0));
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  let at = 4 + head.length;
  for (const x of sections) {
    out.set(x, at);
    at += x.byteLength;
  }
  return out;
}

function unpack(buf: Uint8Array): { header: unknown; sections: Uint8Array<ArrayBuffer>[] } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 4) throw new Error('cluster message: truncated frame');
  const n = b.readUInt32LE(0);
  const { h, s } = deserialize(b.subarray(4, 4 + n)) as { h: unknown; s: number[] };
  let at = 4 + n;
  const sections = s.map((len) => {
    // A copy: typed arrays need aligned, owned buffers.
    const x = new Uint8Array(new ArrayBuffer(len));
    x.set(b.subarray(at, at + len));
    at += len;
    return x;
  });
  if (at !== b.length) throw new Error('cluster message: frame length does not match its header');
  return { header: h, sections };
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function packLines(l: LineBytes): Uint8Array {
  return pack({
    header: { file: l.file, count: l.count, large: l.large, largeAt: l.largeAt },
    sections: [bytesOf(l.ends.subarray(0, l.count)), bytesOf(l.lineNos.subarray(0, l.count)), l.data],
  });
}

export function unpackLines(buf: Uint8Array): LineBytes {
  const { header, sections } = unpack(buf);
  const h = header as Pick<LineBytes, 'file' | 'count' | 'large' | 'largeAt'>;
  const [ends, lineNos, data] = sections;
  return { ...h, ends: new Int32Array(ends.buffer), lineNos: new Int32Array(lineNos.buffer), data: data as Uint8Array<ArrayBuffer> };
}

export function packDecoded(b: EncodedBatch): Uint8Array {
  return pack({ header: { count: b.count, bands: b.bands, strs: b.strs, others: b.others }, sections: [b.kinds, bytesOf(b.nums), bytesOf(b.phrases)] });
}

export function unpackDecoded(buf: Uint8Array): EncodedBatch {
  const { header, sections } = unpack(buf);
  const h = header as Pick<EncodedBatch, 'count' | 'bands' | 'strs' | 'others'>;
  return { count: h.count, bands: h.bands, strs: h.strs, others: h.others, kinds: sections[0] as Uint8Array<ArrayBuffer>, nums: new Float64Array(sections[1].buffer), phrases: new Uint32Array(sections[2].buffer) };
}

/** Splits a batch into batches of at most `maxBytes` of line text (a line is never split), in order. */
export function splitLines(l: LineBytes, maxBytes: number): LineBytes[] {
  const out: LineBytes[] = [];
  let from = 0;
  while (from < l.count) {
    const base = from === 0 ? 0 : l.ends[from - 1];
    let to = from + 1;
    while (to < l.count && l.ends[to] - base <= maxBytes) to++;
    const large: LineBytes['large'] = [];
    const largeAt: number[] = [];
    l.large.forEach((r, i) => {
      if (l.largeAt[i] >= from && l.largeAt[i] < to) {
        large.push(r);
        largeAt.push(l.largeAt[i] - from);
      }
    });
    out.push({
      file: l.file,
      count: to - from,
      data: l.data.slice(base, l.ends[to - 1]),
      ends: Int32Array.from(l.ends.subarray(from, to), (e) => e - base),
      lineNos: l.lineNos.slice(from, to),
      large,
      largeAt,
    });
    from = to;
  }
  return out;
}
