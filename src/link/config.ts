// link's slice of the engine configuration, and the build step that turns it into the runtime Linker.
import type { EngineConfig } from '../config/schema.js';
import type { StageTimes } from '../core/stage-times.js';
import type { AccountState } from '../observe/account-state.js';
import { Linker, type LinkerHooks } from './linker.js';

/** What link reads: group limits, template similarity, model ceilings, the pairwise rule's numbers. */
export type LinkerConfig = Pick<EngineConfig, 'link' | 'template' | 'modelCeilings' | 'scoring'>;

/** The Linker of a validated configuration, over the observer's accounts. */
export function build(cfg: LinkerConfig, accounts: readonly AccountState[], hooks?: LinkerHooks, times?: StageTimes): Linker {
  return new Linker(cfg, accounts, hooks, times);
}
