// The account-link graph of each output campaign, from the judge's link log: which two accounts were
// linked, when, and along which dimensions. Values are privacy-safe (keyed hashes, template cluster
// ids, network prefixes), like the campaign indicators.
import { toIso } from '../core/time.js';
import { keyedHash } from '../sketches/keyed-hash.js';
import type { LinkKind, LinkRecord } from '../link/link-log.js';
import type { JoinOut, LinkKindOut, LinkOut } from '../core/output.js';
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

/**
 * Why the parts of a campaign were joined (the linker's join log): the joins whose two accounts are both
 * among `members` (account indexes), oldest first. Refs are privacy-safe, as on links.
 */
export function joinsOut(engine: Engine, members: ReadonlySet<number>, indicatorKey: string): JoinOut[] {
  const { list, prefixNames } = engine.observer;
  const out: JoinOut[] = [];
  for (const j of engine.linker.joinLog) {
    if (!members.has(j.a) || !members.has(j.b)) continue;
    const evidence: JoinOut['evidence'] = j.kinds.map((k) => {
      const o = kindOut(k, indicatorKey, prefixNames);
      return { kind: o.dimension, ref: o.ref, suspicion: o.suspicion };
    });
    for (const p of j.pipeline) evidence.push({ kind: p.kind, detail: p.detail });
    const row: JoinOut = {
      at: toIso(j.at),
      rule: j.rule,
      parts: [
        { campaign_id: j.kept.id, accounts: j.kept.accounts },
        { campaign_id: j.joined.id, accounts: j.joined.accounts },
      ],
      a: list[j.a].id,
      b: list[j.b].id,
      evidence,
    };
    if (j.across) row.accounts_across = [...j.across];
    out.push(row);
  }
  return out;
}
