// Capability tags: what an exchange tries to get out of the model.

export const CAPABILITIES = [
  'reasoning', // chain-of-thought / step-by-step elicitation
  'reasoning_reconstruction', // "articulate the internal reasoning behind this completed response"
  'rubric_grading', // grade / score a response against a rubric
  'math',
  'coding',
  'agentic', // tool use, agent loops, computer use
  'planning', // long-horizon plans, task decomposition
  'writing', // general generation: stories, emails, essays
  'knowledge', // factual Q&A, explanation
  'extraction', // pull structured fields out of a document
  'translation',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Bit set over CAPABILITIES, one bit per capability in array order. */
export type CapabilityMask = number;

export const CAPABILITY_BIT: Record<Capability, number> = Object.fromEntries(
  CAPABILITIES.map((c, i) => [c, 1 << i]),
) as Record<Capability, number>;
