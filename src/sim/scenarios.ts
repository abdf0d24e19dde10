// Named scenarios: which actors run, at what base size and for how long.
import type { CampaignKind } from './ctx.js';

export interface Scenario {
  name: string;
  description: string;
  campaigns: readonly CampaignKind[];
  hardNegatives: boolean;
  /** Multiplies --scale (tiny runs default at a small fixed size). */
  baseScale: number;
  /** Default window length in days. */
  days: number;
  /** Operators who hide their infrastructure (src/sim/hidden.ts): accounts at scale 1 and level of care. */
  hidden?: readonly { accounts: number; care: 'plain' | 'careful' }[];
  /** Several hidden operators harvest one public payload set (they look alike, and are not one). */
  sharedItems?: boolean;
  /** The hard negatives that share one property each with the hidden operator (course cohort, prompt
   *  library, evaluation org, ed-tech backend, regional outage). Only these scenarios run them, so
   *  the older scenarios' outputs stay byte-identical. */
  disclosureNegatives?: boolean;
}

const ALL: readonly CampaignKind[] = ['farm', 'hydra', 'trace_harvest', 'evasive', 'pivot'];

export const SCENARIO_LIST: readonly Scenario[] = [
  { name: 'default', description: 'organic background, every hard negative and all five campaign kinds', campaigns: ALL, hardNegatives: true, baseScale: 1, days: 21 },
  { name: 'farm', description: 'background + hard negatives + a churning account farm fed by one work queue', campaigns: ['farm'], hardNegatives: true, baseScale: 1, days: 21 },
  { name: 'hydra', description: 'background + hard negatives + a proxy-reseller network mixing real customers with distillation', campaigns: ['hydra'], hardNegatives: true, baseScale: 1, days: 21 },
  { name: 'trace-harvest', description: 'background + hard negatives + a few high-volume accounts reconstructing reasoning traces', campaigns: ['trace_harvest'], hardNegatives: true, baseScale: 1, days: 21 },
  { name: 'evasive', description: 'background + hard negatives + low-rate accounts posing as individuals with paraphrased scaffolds', campaigns: ['evasive'], hardNegatives: true, baseScale: 1, days: 21 },
  { name: 'pivot', description: 'background + hard negatives + a farm that moves half its traffic to a new model within a day of release', campaigns: ['pivot'], hardNegatives: true, baseScale: 1, days: 21 },
  { name: 'hard-negatives', description: 'background + every hard negative, no campaign (false-positive testing)', campaigns: [], hardNegatives: true, baseScale: 1, days: 21 },
  ...[50, 250, 1000].flatMap((accounts): Scenario[] => [
    { name: `hidden-${accounts}`, description: `background + every hard negative old and new + ${accounts} aged, clean accounts of one operator who hides its infrastructure`, campaigns: [], hardNegatives: true, baseScale: 1, days: 21, hidden: [{ accounts, care: 'plain' }], disclosureNegatives: true },
    { name: `hidden-careful-${accounts}`, description: `as hidden-${accounts}, the operator more careful (more cover traffic, more phrase variants, three client configs, spread restarts)`, campaigns: [], hardNegatives: true, baseScale: 1, days: 21, hidden: [{ accounts, care: 'careful' }], disclosureNegatives: true },
  ]),
  { name: 'hidden-two', description: 'two hidden operators (250 accounts each, one plain, one careful) harvesting one public payload set: attribution', campaigns: [], hardNegatives: true, baseScale: 1, days: 21, hidden: [{ accounts: 250, care: 'plain' }, { accounts: 250, care: 'careful' }], sharedItems: true, disclosureNegatives: true },
  { name: 'hidden-negatives', description: 'background + every hard negative old and new, no campaign (false-positive testing for the hidden operator)', campaigns: [], hardNegatives: true, baseScale: 1, days: 21, disclosureNegatives: true },
  { name: 'tiny', description: 'default at a small fixed size (~30k exchanges over 7 days) for fast tests', campaigns: ALL, hardNegatives: true, baseScale: 0.15, days: 7 },
];

export function scenario(name: string): Scenario {
  const s = SCENARIO_LIST.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario "${name}" (expected one of: ${SCENARIO_LIST.map((x) => x.name).join(', ')})`);
  return s;
}
