// A careless or poisoned feed, built from a provider's own traffic and ground truth (tests and
// bench:intel): it lists the network prefixes, ASNs and prompt scaffolds that the most legitimate
// accounts share (carrier NAT, campuses, offices, benign everyday prompts), as if they were a campaign's.
// Matching it must ban nobody.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { CampaignOut, Indicator } from '../core/output.js';
import { ipPrefix } from '../sketches/keyed-hash.js';
import { encodeFingerprint, scaffoldWindows, TemplateFingerprinter } from './fingerprint.js';
import type { CommunityKeysConfig } from '../config/intel.js';
import { Keyring } from './keyring.js';
import { buildBundle, type StixBundle } from './stix/export.js';

const TOP = 15;

function top(counts: Map<string, Set<string>>, n: number): string[] {
  return [...counts].sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([k]) => k);
}

function add(m: Map<string, Set<string>>, k: string, account: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(account);
}

export async function poisonedFeed(inputPath: string, truthPath: string, keys: CommunityKeysConfig | { keys: { id: string; secret: string }[] }): Promise<StixBundle> {
  const truth = JSON.parse(await readFile(truthPath, 'utf8')) as { start: string; accounts: Record<string, { label: string }> };
  const keyring = Keyring.parse(keys);
  const fp = new TemplateFingerprinter(keyring);
  const prefixes = new Map<string, Set<string>>();
  const asns = new Map<string, Set<string>>();
  const prompts = new Map<string, Set<string>>();
  const lines = createInterface({ input: createReadStream(inputPath), crlfDelay: Infinity });
  for await (const line of lines) {
    const r = JSON.parse(line) as { type: string; account_id: string; client?: { ip?: string; asn?: number }; request?: { messages?: { role: string; content: unknown }[] } };
    if (r.type !== 'exchange' || truth.accounts[r.account_id]?.label === 'distillation') continue;
    if (r.client?.ip) add(prefixes, ipPrefix(r.client.ip), r.account_id);
    if (r.client?.asn !== undefined) add(asns, String(r.client.asn), r.account_id);
    const last = r.request?.messages?.filter((m) => m.role === 'user').at(-1);
    if (typeof last?.content === 'string') for (const w of scaffoldWindows(last.content)) add(prompts, `${w.window}\u0000${w.text}`, r.account_id);
  }
  const indicators: Indicator[] = [
    ...top(prefixes, TOP).map((value) => ({ kind: 'ip_prefix', value })),
    ...top(asns, 5).map((value) => ({ kind: 'asn', value })),
    ...top(prompts, TOP).map((k) => {
      const [window, text] = k.split('\u0000');
      return { kind: 'template_fingerprint', value: encodeFingerprint(fp.sign(text, window as 'head' | 'tail')) };
    }),
  ];
  const campaign: CampaignOut = {
    campaign_id: 'poison', accounts: [], exchanges: 0, first_seen: truth.start, last_seen: truth.start, flagged_at: truth.start,
    score: 1, capabilities: {}, reasons: [], indicators,
  };
  return buildBundle([campaign], { producer: 'careless peer', tlp: 'amber', asOf: truth.start });
}
