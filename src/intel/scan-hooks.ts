// What a scan needs from intel when community keys are configured: e-mail hashes on ingest, template
// windows from the engine, and shareable campaign indicators at the end; peer indicators when given.
import type { EngineConfig } from '../config/schema.js';
import type { ExtraIndicators } from '../engine/results.js';
import type { EngineHooks, PeerEvidence } from '../judge/peer.js';
import { ShareableIndicators } from './indicators.js';
import { formatKeyed, Keyring } from './keyring.js';

export interface IntelScanHooks {
  shareEmail?: (address: string) => string[];
  engine: EngineHooks;
  extra?: ExtraIndicators;
}

export function intelScanHooks(cfg: EngineConfig, peer?: PeerEvidence & { onTemplate?: EngineHooks['onTemplate'] }): IntelScanHooks {
  const keyring = cfg.intel ? new Keyring(cfg.intel) : undefined;
  const share = keyring ? new ShareableIndicators(keyring) : undefined;
  const listeners = [share?.onTemplate, peer?.onTemplate].filter((f) => f !== undefined);
  return {
    shareEmail: keyring ? (address) => keyring.hashAll('email', address).map(formatKeyed) : undefined,
    engine: {
      onTemplate: listeners.length === 0 ? undefined : (id, window, salt) => { for (const l of listeners) l(id, window, salt); },
      peer,
    },
    extra: share?.forCampaign,
  };
}
