// Campaign indicators a peer can match: community-keyed hashes of identifiers, keyed template
// fingerprints and the networks (ASNs) an operation runs from. Added to the contract's `indicators`
// beside the engine's own (network prefixes and client fingerprints are already there).
import type { Indicator } from '../core/output.js';
import type { Campaign } from '../judge/campaign.js';
import type { EngineHooks } from '../judge/peer.js';
import type { AccountState } from '../observe/account-state.js';
import { encodeFingerprint, TemplateFingerprinter, WINDOW_SALT, type WindowName } from './fingerprint.js';
import { formatKeyed, type Keyring } from './keyring.js';

/** Indicator kinds this module adds. */
export const SHARED_KINDS = {
  email: 'email_hmac',
  payment: 'payment_hmac',
  template: 'template_fingerprint',
  asn: 'asn',
} as const;

/** Share of a campaign's members that must hold a template or ASN for it to describe the campaign. */
const MEMBER_SHARE = 0.3;
/** Most template fingerprints per campaign (the most widely used first). */
const MAX_TEMPLATES = 24;

export class ShareableIndicators {
  /** First scaffold window of each template cluster, by cluster id (kept in memory only, never written). */
  private readonly windows = new Map<number, { text: string; window: WindowName }>();
  private readonly fingerprinter: TemplateFingerprinter;

  constructor(private readonly keyring: Keyring) {
    this.fingerprinter = new TemplateFingerprinter(keyring);
  }

  /** The engine hook that records each template's window. */
  readonly onTemplate: NonNullable<EngineHooks['onTemplate']> = (id, text, salt) => {
    this.windows.set(id, { text, window: salt === WINDOW_SALT.tail ? 'tail' : 'head' });
  };

  /** Indicators of one campaign from its members' state. */
  readonly forCampaign = (_c: Campaign, members: readonly AccountState[]): Indicator[] => {
    const out: Indicator[] = [];
    const current = this.keyring.current.id;
    const templates = new Map<number, number>();
    const asns = new Map<number, number>();
    for (const s of members) {
      for (const e of s.emailShared ?? []) if (e.startsWith(`${current}:`)) out.push({ kind: SHARED_KINDS.email, value: e });
      if (s.paymentFingerprint) out.push({ kind: SHARED_KINDS.payment, value: formatKeyed(this.keyring.hash('payment_fingerprint', s.paymentFingerprint)) });
      const minTemplate = Math.max(2, 0.05 * s.exchanges);
      for (let i = 0; i < s.templates.size; i++) {
        if (s.templates.guaranteed(i) >= minTemplate) templates.set(s.templates.key(i), (templates.get(s.templates.key(i)) ?? 0) + 1);
      }
      for (const a of s.asns.heavy(Math.max(1, 0.3 * s.exchanges))) asns.set(a, (asns.get(a) ?? 0) + 1);
    }
    const need = Math.max(2, MEMBER_SHARE * members.length);
    const common = [...templates].filter(([, n]) => n >= need).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, MAX_TEMPLATES);
    for (const [id] of common) {
      const w = this.windows.get(id);
      if (w) out.push({ kind: SHARED_KINDS.template, value: encodeFingerprint(this.fingerprinter.sign(w.text, w.window)) });
    }
    for (const [asn, n] of asns) if (n >= need) out.push({ kind: SHARED_KINDS.asn, value: String(asn) });
    return out;
  };
}
