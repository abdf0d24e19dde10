// What observe's state is made of, for a checkpoint (src/core/state-graph.ts): every class its state
// holds and the shared objects compared by identity.
import { joinKinds, type StateKinds } from '../core/state-graph.js';
import { Hll } from '../sketches/hll.js';
import { ACCOUNT_STATE_KINDS } from './account-state.js';
import { CONTENT_TAGS_KINDS } from './content-tags.js';
import { Observer } from './observer.js';
import { TopK } from './topk.js';

export const OBSERVE_KINDS: StateKinds = joinKinds({ classes: [Observer, TopK, Hll], constants: [] }, ACCOUNT_STATE_KINDS, CONTENT_TAGS_KINDS);
