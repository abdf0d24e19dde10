// A JSON document sent as a request body, checked before anything walks it: every route that takes
// one (watermark, sessions, decisions, OTLP/JSON, policy changes) answers the same faults the same way.
import { isUtf8 } from 'node:buffer';
import { nestedDeeper } from '../decode/depth.js';
import { ApiError } from './errors.js';

/** A JSON document body: valid UTF-8, nested at most `maxDepth` deep (checked before anything walks it). */
export function parseJsonDocument(bytes: Buffer, maxDepth: number): unknown {
  const text = utf8Text(bytes);
  if (nestedDeeper(text, maxDepth)) throw new ApiError('bad_request', `the body nests objects and arrays deeper than ${maxDepth} levels`);
  return parseJson(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError('bad_request', `the body is not JSON: ${(e as Error).message}`);
  }
}

/** The body as text; 400 when it is not valid UTF-8 (replacing bytes would change what was sent). */
function utf8Text(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new ApiError('bad_request', 'the body is not valid UTF-8');
  return bytes.toString('utf8');
}
