// Why two parts of a campaign were joined, in one plain sentence: the brief (HTML, PDF, Markdown) and
// the dashboard's campaign page say it alike. Its own module so the page's bundle takes only this.
import type { JoinOut } from '../core/output.js';
import { kindName } from './kind-names.js';

const JOIN_RULES: Record<string, string> = {
  small_part: 'one link (the smaller part had fewer accounts than a campaign)',
  bridge: 'several accounts of each part linked across',
  shared_tradecraft: 'the members of both parts carry each other’s tradecraft phrases, rare in the background',
  analyst: 'an analyst merged them',
};

/** Why two parts of the campaign were joined, in one plain sentence (event time first), for every rendering. */
export function joinSentence(j: JoinOut): string {
  const [kept, joined] = j.parts;
  const across = j.accounts_across ? ` (${j.accounts_across[0]} and ${j.accounts_across[1]} accounts)` : '';
  // The same kind of evidence at the same suspicion is said once, with its count.
  const counts = new Map<string, number>();
  for (const e of j.evidence) {
    const s = e.suspicion !== undefined ? `${kindName(e.kind)} (suspicion ${e.suspicion.toFixed(2)})` : kindName(e.kind);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const evidence = [...counts].map(([s, n]) => (n > 1 ? `${s} ×${n}` : s));
  const shared = evidence.length ? `; shared: ${evidence.join(', ')}` : '';
  // The parts' ids are the linker's, seen nowhere else in the brief: the reader gets their sizes.
  return `${j.at.slice(0, 16).replace('T', ' ')} UTC: a part of ${joined.accounts} accounts joined one of ${kept.accounts}: ${JOIN_RULES[j.rule] ?? j.rule}${across}${shared}.`;
}
