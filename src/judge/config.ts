// judge's slice of the engine configuration, and the build step that turns it into the runtime Judge.
import type { EngineConfig } from '../config/schema.js';
import type { StageTimes } from '../core/stage-times.js';
import type { Observer } from '../observe/observer.js';
import type { LinkView } from '../link/linker.js';
import { Judge } from './judge.js';
import type { PeerEvidence } from './peer.js';

/** What the judge reads: the tick, the verdict thresholds, campaign size and group limits, the scoring numbers. */
export type JudgeConfig = Pick<EngineConfig, 'judgeIntervalMs' | 'thresholds' | 'link' | 'scoring'>;

/** The Judge of a validated configuration, judging the observer's accounts and the linker's groups and sets (read through LinkView). */
export function build(cfg: JudgeConfig, observer: Observer, links: LinkView, peer?: PeerEvidence, times?: StageTimes): Judge {
  return new Judge(cfg, observer, links, peer, times);
}
