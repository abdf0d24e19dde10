// Content signals: what an account's traffic tries to harvest. Each share is over the account's exchanges;
// thresholds keep the ~1% of ordinary prompts that ask for step-by-step answers from counting. The
// thresholds and weights are the configuration's (`scoring.content`, src/config/scoring.ts).
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

/** Number of harvest capabilities making up at least `minShare` of an account's exchanges (scoring.content.breadthShare). */
export function harvestBreadth(caps: ArrayLike<number>, total: number, minShare: number): number {
  if (total === 0) return 0;
  let n = 0;
  for (const b of HARVEST_BITS) if (caps[b] / total >= minShare) n++;
  return n;
}

export const reasoningElicitation = {
  name: 'reasoning-elicitation',
  family: 'content',
  codes: ['reasoning_elicitation'],
  evaluate(s, ctx, out) {
    const p = ctx.scoring.content;
    const share = s.capShare(REASONING);
    if (s.exchanges >= p.minExchanges && share >= p.reasoningShare) {
      out.push({ code: 'reasoning_elicitation', weight: p.reasoningWeight * share, detail: { share } });
    }
  },
} satisfies Signal;

export const reasoningReconstruction = {
  name: 'reasoning-reconstruction',
  family: 'content',
  codes: ['reasoning_reconstruction', 'rubric_grading'],
  evaluate(s, ctx, out) {
    const p = ctx.scoring.content;
    if (s.exchanges < p.minExchanges) return;
    const recon = s.capShare(RECONSTRUCTION);
    if (recon >= p.reconstructionShare) out.push({ code: 'reasoning_reconstruction', weight: p.reconstructionBase + p.reconstructionWeight * recon, detail: { share: recon } });
    const rubric = s.capShare(RUBRIC);
    if (rubric >= p.rubricShare) out.push({ code: 'rubric_grading', weight: p.rubricBase + p.rubricWeight * rubric, detail: { share: rubric } });
  },
} satisfies Signal;

export const capabilityBreadth = {
  name: 'capability-breadth',
  family: 'content',
  codes: ['capability_breadth', 'topic_coverage'],
  evaluate(s, ctx, out) {
    const p = ctx.scoring.content;
    if (s.exchanges < p.breadthMinExchanges) return;
    const breadth = harvestBreadth(s.caps, s.exchanges, p.breadthShare);
    if (breadth >= p.breadthMin) out.push({ code: 'capability_breadth', weight: p.breadthWeight * (breadth - 1), detail: { capabilities: breadth } });
    const distinct = Math.min(1, s.prompts.estimate() / s.exchanges);
    if (s.exchanges >= p.coverageMinExchanges && distinct >= p.coverageDistinct && s.share(s.singleTurn) >= p.coverageSingleTurn) {
      out.push({ code: 'topic_coverage', weight: p.coverageWeight, detail: { distinct_share: distinct } });
    }
  },
} satisfies Signal;

export const harvestingKnobs = {
  name: 'harvesting-knobs',
  family: 'content',
  codes: ['max_output_budget', 'multi_sample', 'logprobs_harvest', 'extended_thinking', 'single_turn'],
  evaluate(s, ctx, out) {
    const p = ctx.scoring.content;
    if (s.exchanges < p.minExchanges) return;
    const ceiling = s.share(s.atCeiling);
    if (ceiling >= p.knobShare) out.push({ code: 'max_output_budget', weight: p.ceilingWeight * ceiling, detail: { share: ceiling } });
    const multi = s.share(s.multiSample);
    if (multi >= p.knobShare) out.push({ code: 'multi_sample', weight: p.multiSampleWeight * multi, detail: { share: multi } });
    const lp = s.share(s.logprobs);
    if (lp >= p.knobShare) out.push({ code: 'logprobs_harvest', weight: p.logprobsWeight * lp, detail: { share: lp } });
    const th = s.share(s.thinking);
    if (th >= p.knobShare) out.push({ code: 'extended_thinking', weight: p.thinkingWeight * th, detail: { share: th } });
    const single = s.share(s.singleTurn);
    if (s.exchanges >= p.singleTurnMinExchanges && single >= p.singleTurnShare) out.push({ code: 'single_turn', weight: p.singleTurnWeight * single, detail: { share: single } });
  },
} satisfies Signal;
