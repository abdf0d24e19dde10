// order's slice of the engine configuration, and the build step that turns it into the runtime Ingestor
// (sources → decode → order: lines read, decoded with decode's context, deduplicated, released in
// event-time order).
import type { EngineConfig } from '../config/schema.js';
import type { DecodeContext } from '../decode/index.js';
import { Ingestor, type IngestOptions } from './pipeline.js';

/** What order reads: the lateness bound and the longest line accepted. */
export type OrderConfig = Pick<EngineConfig, 'maxLatenessMs' | 'maxLineBytes'>;

/** Options of the run, not of the configuration (a live service's per-source clocks, timing, stdin). */
export type OrderExtras = Omit<IngestOptions, 'emailKey' | 'shareEmail' | 'maxLatenessMs' | 'maxLineBytes'>;

/** The Ingestor of a validated configuration, decoding with `decode` (decode/config.ts build). */
export function build(cfg: OrderConfig, decode: DecodeContext, extras: OrderExtras = {}): Ingestor {
  return new Ingestor({ ...extras, emailKey: decode.emailKey, shareEmail: decode.shareEmail, maxLatenessMs: cfg.maxLatenessMs, maxLineBytes: cfg.maxLineBytes });
}
