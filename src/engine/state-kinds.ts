// Everything the engine's state is made of, for a checkpoint: the engine and the stages it is built
// from (observe, link, judge) and the order stage that feeds it. Each stage lists its own classes.
import { joinKinds, type StateKinds } from '../core/state-graph.js';
import { OBSERVE_KINDS } from '../observe/state-kinds.js';
import { LINK_KINDS } from '../link/state-kinds.js';
import { JUDGE_KINDS } from '../judge/state-kinds.js';
import { ORDER_KINDS } from '../order/state-kinds.js';
import { Engine } from './engine.js';

export const ENGINE_KINDS: StateKinds = joinKinds({ classes: [Engine], constants: [] }, ORDER_KINDS, OBSERVE_KINDS, LINK_KINDS, JUDGE_KINDS);
