// The account-link graph of each output campaign, from the judge's link log: which two accounts were
// linked, when, and along which dimensions. Values are privacy-safe (keyed hashes, template cluster
// ids, network prefixes), like the campaign indicators.
import { toIso } from '../core/time.js';
import { keyedHash } from '../sketches/keyed-hash.js';
import type { LinkKind, LinkRecord } from '../link/link-log.js';
import type { LinkKindOut, LinkOut } from '../core/output.js';
import type { Engine } from './engine.js';

/**
 * The links of the campaigns in `campaignOf` (account id → campaign id), or only of those in `only`.
 * `cache` keeps each link's output kinds (a link never changes; only its campaign can), so a live
 * refresh does not hash them again.
 */
export function collectLinks(
  engine: Engine,
  campaignOf: ReadonlyMap<string, string>,
  indicatorKey: string,
  only?: ReadonlySet<string>,
  cache?: WeakMap<LinkRecord, LinkKindOut[]>,
): LinkOut[] {
  const { list, prefixNames } = engine.observer;
  const out: LinkOut[] = [];
  for (const l of engine.linker.linkLog) {
    const a = list[l.a].id;
    const b = list[l.b].id;
    const c = campaignOf.get(a);
    if (c === undefined || campaignOf.get(b) !== c || (only !== undefined && !only.has(c))) continue;
    let kinds = cache?.get(l);
    if (kinds === undefined) {
      kinds = l.kinds.map((k) => kindOut(k, indicatorKey, prefixNames));
      cache?.set(l, kinds);
    }
    out.push({ campaign_id: c, a, b, at: toIso(l.at), kinds });
  }
  return out;
}

function kindOut(k: LinkKind, indicatorKey: string, prefixNames: ReadonlyMap<number, string>): LinkKindOut {
  const value = k.key.slice(k.key.indexOf(':') + 1);
  let ref: string;
  if (k.dim === 'template') ref = `t${value}`;
  else if (k.dim === 'ip_prefix') ref = prefixNames.get(Number(value)) ?? keyedHash(indicatorKey, value).slice(0, 16);
  else ref = keyedHash(indicatorKey, k.key).slice(0, 16);
  return { dimension: k.dim, ref, suspicion: Math.round(k.suspicion * 1e4) / 1e4 };
}
