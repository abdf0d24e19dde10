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

/**
 * Why two linked sets of two or more accounts (sub-campaigns) became one, by the rule that allowed it:
 * - `small_part`: one side had fewer accounts than a campaign: one pairwise link (an identity thing, or
 *   suspicious things along two dimensions) joins it, as it joins a lone account;
 * - `bridge`: many accounts of each side linked across (Linker.bridged), not one coincidental pair;
 * - `shared_tradecraft`: both sides were linked by pipeline evidence alone and their members carry each
 *   other's tradecraft phrases, rare in the background (SharedPipelines: one pipeline's two phrases);
 * - `analyst`: an analyst merged them (a decision).
 */
export type JoinRule = 'small_part' | 'bridge' | 'shared_tradecraft' | 'analyst';

/** Pipeline evidence named on a join: the kind, and its figures. */
export interface PipelineJoinEvidence {
  kind: 'shared_tradecraft' | 'work_queue' | 'shared_client_config' | 'shared_timing';
  detail: Record<string, number>;
}

export interface JoinRecord {
  /** The pair whose link joined the two sets (a in the set that kept its id). */
  a: number;
  b: number;
  at: Millis;
  rule: JoinRule;
  /** The two sets' ids and sizes just before: the one that kept its id first. */
  kept: { id: string; accounts: number };
  joined: { id: string; accounts: number };
  /** `bridge`: distinct accounts of each side (kept, joined) that linked across. */
  across?: [number, number];
  /** The suspicious groups the pair shares (as on a link). */
  kinds: LinkKind[];
  /** The pipeline evidence behind the pair's link, if a pipeline linked them. */
  pipeline: PipelineJoinEvidence[];
}
