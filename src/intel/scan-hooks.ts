// What a scan needs from intel: with community keys configured, e-mail hashes on ingest, template
// windows from the engine and shareable campaign indicators at the end; with peer intel given, the
// peers' indicators matched inside the engine and the sightings written beside the outputs.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineConfig } from '../config/schema.js';
import { InputError } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import type { ExtraIndicators } from '../engine/results.js';
import type { EngineHooks } from '../judge/peer.js';
import { Allowlist } from './allowlist.js';
import { loadPeerIndicators } from './import.js';
import { ShareableIndicators } from './indicators.js';
import { formatKeyed, Keyring } from './keyring.js';
import { PeerIndicators } from './peer.js';
import { sightingsBundle } from './stix/sightings.js';

export const SIGHTINGS_FILE = 'peer-sightings.json';

export interface IntelScanHooks {
  shareEmail?: (address: string) => string[];
  engine: EngineHooks;
  extra?: ExtraIndicators;
  peer?: PeerIndicators;
  /** Call once the engine exists. */
  bind(engine: Engine): void;
  /** After the scan: writes the sightings of peer indicators; returns a one-line summary, if any. */
  finish(out: string, producer?: string): Promise<string | undefined>;
}

export async function intelScanHooks(cfg: EngineConfig, peerIntel?: string): Promise<IntelScanHooks> {
  const keyring = cfg.intel ? new Keyring(cfg.intel) : undefined;
  if (peerIntel !== undefined && !keyring) throw new InputError('--peer-intel needs community keys: set "intel": {"keys": [...]} in --config');
  const share = keyring ? new ShareableIndicators(keyring) : undefined;
  const peer = keyring && peerIntel !== undefined ? new PeerIndicators(await loadPeerIndicators(peerIntel), keyring, new Allowlist(cfg.intel?.allowlist, keyring)) : undefined;
  const listeners = [share?.onTemplate, peer?.onTemplate].filter((f) => f !== undefined);
  return {
    shareEmail: keyring ? (address) => keyring.hashAll('email', address).map(formatKeyed) : undefined,
    engine: {
      onTemplate: listeners.length === 0 ? undefined : (id, window, salt) => { for (const l of listeners) l(id, window, salt); },
      peer,
    },
    extra: share?.forCampaign,
    peer,
    bind(engine) {
      peer?.bind(engine.observer);
    },
    async finish(out, producer = 'distillguard') {
      if (!peer) return undefined;
      const sightings = peer.sightings();
      await writeFile(join(out, SIGHTINGS_FILE), `${JSON.stringify(sightingsBundle(sightings, { producer, tlp: 'amber' }), null, 2)}\n`);
      return `peer intel: ${peer.size} indicators in use (${peer.suppressed.length} on the warninglist, ${peer.unmatchable.length} under unknown keys), ${sightings.length} sighted → ${SIGHTINGS_FILE}`;
    },
  };
}
