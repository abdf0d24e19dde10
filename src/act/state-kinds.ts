// What the act stage's state is made of, for a checkpoint (src/core/state-graph.ts).
import { joinKinds, type StateKinds } from '../core/state-graph.js';
import { DECIDED_FROM_KINDS } from './decided-from.js';
import { POLICY_STAGE_KINDS } from './policy-stage.js';

export const ACT_KINDS: StateKinds = joinKinds(POLICY_STAGE_KINDS, DECIDED_FROM_KINDS);
