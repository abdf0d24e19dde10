// decode's slice of the engine configuration, and the build step that turns it into the runtime context
// every decoder reads (decodeLine, the OTLP and LiteLLM decoders, the decode workers).
import type { EngineConfig } from '../config/schema.js';
import type { DecodeContext } from './index.js';

/** What decode reads: the key of the e-mail hash, resolved (an install's secret when not configured: src/config/secret.ts). */
export type DecodeConfig = Required<Pick<EngineConfig, 'emailKey'>>;

/** The decode context of a validated configuration; `shareEmail`: community-keyed e-mail hashes, when sharing is configured. */
export function build(cfg: DecodeConfig, shareEmail?: (address: string) => string[]): DecodeContext {
  return { emailKey: Buffer.from(cfg.emailKey), shareEmail };
}
