// What the judge's state is made of, for a checkpoint (src/core/state-graph.ts).
import { joinKinds, type StateKinds } from '../core/state-graph.js';
import { CoordinationScratch } from '../signals/coordination.js';
import { AccountVerdicts, NO_REASONS } from './account-verdicts.js';
import { Campaign } from './campaign.js';
import { CampaignCoverage, CoverageSums } from './campaign-coverage.js';
import { DecisionBook } from './decisions.js';
import { GROUP_SCORES_KINDS } from './group-scores.js';
import { Judge } from './judge.js';
import { MemberReasons, StrongestWeights } from './member-reasons.js';
import { PendingExchanges, Tally } from './pending-exchanges.js';

export const JUDGE_KINDS: StateKinds = joinKinds(
  {
    classes: [Judge, AccountVerdicts, Campaign, CampaignCoverage, CoverageSums, DecisionBook, MemberReasons, StrongestWeights, PendingExchanges, Tally, CoordinationScratch],
    constants: [NO_REASONS],
    // A cache of the link reasons last given to each member (rebuilt equal when absent): not state.
    transient: [[Judge, ['lastLinks']]],
  },
  GROUP_SCORES_KINDS,
);
