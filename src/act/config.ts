// act's configuration is a policy (./policy-schema.ts, loaded and validated by ./policy-load.ts); the build
// step turns it into the runtime PolicyStage, subscribed to an engine's judgements.
import type { StageTimes } from '../core/stage-times.js';
import type { Engine } from '../engine/engine.js';
import type { Policy } from './policy-schema.js';
import { PolicyStage } from './policy-stage.js';

export function build(policy: Policy, engine: Engine, times?: StageTimes): PolicyStage {
  return new PolicyStage(engine, policy, times);
}
