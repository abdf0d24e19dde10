// Every per-account signal, listed explicitly (no registration by import side effect).
import { noDiurnalRest, rateVsAge, regularInterarrival } from './behaviour.js';
import { capabilityBreadth, harvestingKnobs, reasoningElicitation, reasoningReconstruction } from './content.js';
import { fraudSignupPath } from './identity.js';
import type { Signal } from './signal.js';

export const SIGNALS: readonly Signal[] = [
  reasoningElicitation,
  reasoningReconstruction,
  capabilityBreadth,
  harvestingKnobs,
  noDiurnalRest,
  regularInterarrival,
  rateVsAge,
  fraudSignupPath,
];
