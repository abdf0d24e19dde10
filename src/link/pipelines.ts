// Whether two accounts are fed by one prompt pipeline or by two that look alike. Separate operators
// harvest the same public benchmarks through the same public agent scaffolds and SDKs, sign up in
// the same weeks and pay with cards of the same big issuers: all of that makes their accounts look
// alike, not one (attribution is what a brief rests on). A pipeline, though, sends its own system
// prompt with its requests: two accounts whose pipeline system prompts have none in common, or where
// one has a pipeline system prompt and the other none, are fed by different pipelines. Between them
// only an identity thing (a card, a device, a sign-up network) is evidence of one operator.
// Not every recurring system prompt is a pipeline's: an app's default one, sent by many ordinary users
// and by a harvester's cover traffic alike, says nothing about which pipeline feeds an account. The
// caller names those common ones (a group of many accounts judged not suspicious: most of its users
// do not harvest). A new pipeline's prompt, before its group is judged, counts as the pipeline's.
import type { Group } from './groups.js';

/**
 * The accounts (given the groups each belongs to) are fed by different pipelines: their system-prompt
 * groups other than common ones share none, and at least one of them has one.
 */
export function differentPipelines(a: readonly Group[], b: readonly Group[], common: (g: Group) => boolean): boolean {
  let systems = 0;
  for (const g of a) {
    if (g.dim !== 'system' || common(g)) continue;
    systems++;
    if (b.includes(g)) return false;
  }
  if (systems > 0) return true;
  for (const g of b) if (g.dim === 'system' && !common(g)) return true;
  return false;
}
