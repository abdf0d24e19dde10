// The scoring numbers of link and judge, named, documented and overridable through `--config`
// (`{"scoring": {...}}`), with the values the rules were tuned with as defaults. Like src/sim/params.ts:
// every number a rule uses is here, not a literal in the rule.
import { z } from 'zod';

const share = z.number().min(0).max(1);
const count = z.number().int().min(1);

export const ScoringSchema = z.object({
  // --- link: the pairwise rule (src/link/linker.ts)
  /** Members of a suspicious group each newcomer is tested against for a pairwise link. */
  anchors: count.default(6),
  /** Content score both accounts need to be linked by one identity thing (a card, a device) alone. */
  clearHarvest: share.default(0.55),
  /** Distinct shared templates that link two throwaway-looking accounts on their own. */
  pipelineTemplates: count.default(2),
  /** Two established campaigns merge once this many accounts on each side link across... */
  bridgeMin: count.default(3),
  /** ...and this share of the smaller campaign. */
  bridgeShare: share.default(0.3),
  /** Exchanges each side of a link needs (shares over a handful of exchanges are noise; links are forever). */
  minLinkExchanges: count.default(5),
});

export type ScoringParams = z.infer<typeof ScoringSchema>;
