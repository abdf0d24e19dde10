// The links that joined accounts into campaigns, with what linked them: the account-link graph the
// analyst sees. Only unions are recorded (a link inside an already-joined set adds nothing to a
// campaign), so the log is a spanning forest: fewer entries than accounts, each with a few kinds.
import type { Millis } from '../core/records.js';
import type { Dimension } from './dimensions.js';
import type { GroupIndex } from './groups.js';
import type { LinkFeedback } from './linker.js';

/** Shared things named on one link, at most. */
export const MAX_LINK_KINDS = 4;

export interface LinkKind {
  dim: Dimension;
  /** The group key (`dimension:value`): raw here, made privacy-safe on output. */
  key: string;
  suspicion: number;
}

export interface LinkRecord {
  a: number;
  b: number;
  at: Millis;
  kinds: LinkKind[];
}

/** The suspicious groups two accounts share, most suspicious first, at most MAX_LINK_KINDS. */
export function sharedKinds(groups: GroupIndex, judged: Pick<LinkFeedback, 'suspicion' | 'suspicionMin'>, a: number, b: number): LinkKind[] {
  const out: LinkKind[] = [];
  for (const g of groups.refs(a)) {
    const suspicion = judged.suspicion(g);
    if (suspicion >= judged.suspicionMin && g.members.has(b)) out.push({ dim: g.dim, key: g.key, suspicion });
  }
  out.sort((x, y) => y.suspicion - x.suspicion || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return out.slice(0, MAX_LINK_KINDS);
}
