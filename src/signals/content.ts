// Content signals: what an account's traffic tries to harvest. Each share is over the account's exchanges;
// thresholds keep the ~1% of ordinary prompts that ask for step-by-step answers from counting.
import { CAPABILITY_BIT } from '../core/capabilities.js';
import type { Capability } from '../core/capabilities.js';
import type { Signal } from './signal.js';

const bitIndex = (c: Capability): number => Math.log2(CAPABILITY_BIT[c]);
export const REASONING = bitIndex('reasoning');
export const RECONSTRUCTION = bitIndex('reasoning_reconstruction');
export const RUBRIC = bitIndex('rubric_grading');

/** Capabilities that cost most to build and that harvesting targets. */
export const HARVEST_CAPABILITIES: Capability[] = [
  'reasoning',
  'reasoning_reconstruction',
  'rubric_grading',
  'math',
  'coding',
  'agentic',
  'planning',
];
const HARVEST_BITS = HARVEST_CAPABILITIES.map(bitIndex);

/** Minimum exchanges before shares mean anything. */
const MIN_EXCHANGES = 3;

/** Number of harvest capabilities making up at least `minShare` of an account's exchanges. */
export function harvestBreadth(caps: ArrayLike<number>, total: number, minShare = 0.05): number {
  if (total === 0) return 0;
  let n = 0;
  for (const b of HARVEST_BITS) if (caps[b] / total >= minShare) n++;
  return n;
}

export const reasoningElicitation = {
  name: 'reasoning-elicitation',
  family: 'content',
  codes: ['reasoning_elicitation'],
  evaluate(s, _ctx, out) {
    const share = s.capShare(REASONING);
    if (s.exchanges >= MIN_EXCHANGES && share >= 0.2) {
      out.push({ code: 'reasoning_elicitation', weight: 1.2 * share, detail: { share } });
    }
  },
} satisfies Signal;

export const reasoningReconstruction = {
  name: 'reasoning-reconstruction',
  family: 'content',
  codes: ['reasoning_reconstruction', 'rubric_grading'],
  evaluate(s, _ctx, out) {
    if (s.exchanges < MIN_EXCHANGES) return;
    const recon = s.capShare(RECONSTRUCTION);
    if (recon >= 0.05) out.push({ code: 'reasoning_reconstruction', weight: 0.5 + 1.5 * recon, detail: { share: recon } });
    const rubric = s.capShare(RUBRIC);
    if (rubric >= 0.05) out.push({ code: 'rubric_grading', weight: 0.3 + 1.0 * rubric, detail: { share: rubric } });
  },
} satisfies Signal;

export const capabilityBreadth = {
  name: 'capability-breadth',
  family: 'content',
  codes: ['capability_breadth', 'topic_coverage'],
  evaluate(s, _ctx, out) {
    if (s.exchanges < 10) return;
    const breadth = harvestBreadth(s.caps, s.exchanges);
    if (breadth >= 3) out.push({ code: 'capability_breadth', weight: 0.3 * (breadth - 1), detail: { capabilities: breadth } });
    const distinct = Math.min(1, s.prompts.estimate() / s.exchanges);
    if (s.exchanges >= 20 && distinct >= 0.85 && s.share(s.singleTurn) >= 0.8) {
      out.push({ code: 'topic_coverage', weight: 0.3, detail: { distinct_share: distinct } });
    }
  },
} satisfies Signal;

export const harvestingKnobs = {
  name: 'harvesting-knobs',
  family: 'content',
  codes: ['max_output_budget', 'multi_sample', 'logprobs_harvest', 'extended_thinking', 'single_turn'],
  evaluate(s, _ctx, out) {
    if (s.exchanges < MIN_EXCHANGES) return;
    const ceiling = s.share(s.atCeiling);
    if (ceiling >= 0.2) out.push({ code: 'max_output_budget', weight: 1.0 * ceiling, detail: { share: ceiling } });
    const multi = s.share(s.multiSample);
    if (multi >= 0.2) out.push({ code: 'multi_sample', weight: 0.5 * multi, detail: { share: multi } });
    const lp = s.share(s.logprobs);
    if (lp >= 0.2) out.push({ code: 'logprobs_harvest', weight: 0.5 * lp, detail: { share: lp } });
    const th = s.share(s.thinking);
    if (th >= 0.2) out.push({ code: 'extended_thinking', weight: 0.5 * th, detail: { share: th } });
    const single = s.share(s.singleTurn);
    if (s.exchanges >= 10 && single >= 0.8) out.push({ code: 'single_turn', weight: 0.3 * single, detail: { share: single } });
  },
} satisfies Signal;
