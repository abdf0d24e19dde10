// observe's slice of the engine configuration, and the build step that turns it into the runtime
// Observer. Observe reads no option: what it keeps per account is fixed in size by design
// (./account-state.ts); this slice is where an option would go.
import type { EngineConfig } from '../config/schema.js';
import type { StageTimes } from '../core/stage-times.js';
import { Observer } from './observer.js';

export type ObserverConfig = Pick<EngineConfig, never>;

export function build(_cfg: ObserverConfig, times?: StageTimes): Observer {
  return new Observer(times);
}
