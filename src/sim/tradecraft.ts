// Text that one author writes once and many prompts reuse: an operator's elicitation, formatting and
// follow-up phrases, a course's prompt guide, a prompt-library extension's snippets, an evaluation
// harness's instructions. Every one of them comes from the same combinatorial generator, so the
// phrases of an operator and those of a popular library look alike as text; what differs is how
// many unrelated accounts use them. Also: small per-use variations, and the rewording an operator
// applies to each payload so that no two requests look alike while the item stays the same.
import type { Rng } from './rng.js';

const ELICIT_VERBS = ['Lay out', 'Spell out', 'Walk through', 'Write down', 'Trace', 'Narrate', 'Document', 'Make explicit', 'Set out', 'List'];
const ELICIT_OBJECTS = [
  'every inference you make', 'each intermediate deduction', 'the whole chain of reasoning', 'all the sub-steps',
  'how each step follows from the previous one', 'your assumptions and how you tested them', 'the reasoning behind every choice',
  'each partial result and why it holds', 'the path from the givens to the result', 'every check you perform',
];
const ELICIT_TAILS = [' before answering', ' in numbered points', ', leaving nothing implicit', ' as you go', ' in full', ' one line per step', ' without skipping anything', ''];
const FORMAT_LABELS = ['RESULT', 'VERDICT', 'OUTCOME', 'FINAL', 'CONCLUSION', 'SOLUTION', 'BOTTOM LINE', 'TAKEAWAY'];
const FORMAT_SHAPES = [
  (l: string) => `Finish with a line that starts with "${l}:".`,
  (l: string) => `Close with a short section titled ${l}.`,
  (l: string) => `Put the final answer after the marker ${l} >>.`,
  (l: string) => `End on one line: ${l} = <answer>.`,
  (l: string) => `Use headings for each stage and a closing ${l} block.`,
  (l: string) => `Mark the end of your work with ${l}: followed by the answer only.`,
];
const FOLLOW_LEADS = ['Now', 'Next', 'Then', 'Good.', 'OK.', 'Before we finish,'];
const FOLLOW_ACTS = ['audit', 'double-check', 'stress-test', 'critique', 'review', 'challenge', 're-derive'];
const FOLLOW_OBJECTS = ['your derivation', 'every step above', 'the argument you gave', 'the weakest step', 'your last answer'];
const FOLLOW_TAILS = [
  ' for gaps and restate the conclusion in one line.', ' against an edge case and say what changes.',
  ' for hidden assumptions, then give the corrected final answer.', ' and rewrite it as a clean step-by-step solution.',
  ' and explain which step a beginner would get wrong.', ' and summarise the method in three sentences.',
];

/** A set of phrases written by one author: elicitation, formatting instructions and follow-up turns. */
export interface PhraseBook {
  elicit: string[];
  format: string[];
  followups: string[];
}

export function phraseBook(r: Rng, n: { elicit: number; format: number; followups: number }): PhraseBook {
  const pick = (k: number, make: () => string): string[] => {
    const out = new Set<string>();
    for (let guard = 0; out.size < k && guard < k * 50; guard++) out.add(make());
    return [...out];
  };
  return {
    elicit: pick(n.elicit, () => `${r.pick(ELICIT_VERBS)} ${r.pick(ELICIT_OBJECTS)}${r.pick(ELICIT_TAILS)}.`),
    format: pick(n.format, () => r.pick(FORMAT_SHAPES)(r.pick(FORMAT_LABELS))),
    followups: pick(n.followups, () => `${r.pick(FOLLOW_LEADS)} ${r.pick(FOLLOW_ACTS)} ${r.pick(FOLLOW_OBJECTS)}${r.pick(FOLLOW_TAILS)}`),
  };
}

const SMALL_SWAPS: readonly (readonly [string, string])[] = [
  ['every', 'each'], ['each', 'every'], ['all the', 'all of the'], ['your', 'the'], ['one line', 'a single line'],
  ['before answering', 'before you answer'], ['in full', 'fully'], ['short', 'brief'], ['Now', 'Now,'], ['final answer', 'answer'],
];

/** One use of a phrase: the small edits a template engine, a person or an LLM rewriter makes. */
export function vary(r: Rng, phrase: string, amount: number): string {
  let s = phrase;
  if (r.chance(amount)) {
    const [a, b] = r.pick(SMALL_SWAPS);
    const i = s.indexOf(a);
    if (i >= 0) s = s.slice(0, i) + b + s.slice(i + a.length);
  }
  if (r.chance(amount * 0.5)) s = s.replace(/\.$/, '');
  if (r.chance(amount * 0.4) && /^[A-Z][a-z]/.test(s)) s = s[0].toLowerCase() + s.slice(1);
  if (r.chance(amount * 0.3) && /^[A-Za-z][a-z]/.test(s)) s = `Please ${s[0].toLowerCase()}${s.slice(1)}`;
  if (r.chance(amount * 0.2)) s = s.replace(', ', ' - ');
  return s;
}

/** Put phrases into a text: before it, after it, or between two of its sentences. */
export function place(r: Rng, text: string, phrases: readonly string[]): string {
  let out = text;
  for (const ph of phrases) {
    const where = r.float();
    if (where < 0.4) out = `${ph}\n\n${out}`;
    else if (where < 0.8) out = `${out}\n\n${ph}`;
    else {
      const cut = out.indexOf('. ', Math.floor(out.length / 3));
      out = cut < 0 ? `${out} ${ph}` : `${out.slice(0, cut + 1)} ${ph} ${out.slice(cut + 2)}`;
    }
  }
  return out;
}

const LEADS = [
  '', '', 'Here is a problem.', 'Consider the following.', 'Task:', 'Problem statement:', 'I have this one:', 'Next item.',
  'Please take a look at this.', 'Question for you.', 'Help me with the following.', 'Working on this now:', 'New one:',
];
const VERB_SWAPS: readonly (readonly [RegExp, readonly string[]])[] = [
  [/\bFind\b/, ['Determine', 'Work out', 'Compute', 'Figure out']],
  [/\bWrite\b/, ['Create', 'Produce', 'Put together', 'Draft']],
  [/\bExplain\b/, ['Describe', 'Clarify', 'Discuss']],
  [/\bImplement\b/, ['Build', 'Code up', 'Write']],
  [/\bCreate\b/, ['Build', 'Put together', 'Draft']],
  [/\bGiven\b/, ['Suppose we have', 'Take', 'Assume']],
  [/\bDesign\b/, ['Architect', 'Sketch out']],
  [/\bEvaluate\b/, ['Compute', 'Work out']],
  [/\bSolve\b/, ['Work out', 'Answer']],
  [/\bshow\b/, ['demonstrate', 'prove']],
  [/\bHow many\b/, ['What is the number of', 'Count how many']],
];

/**
 * The operator's rewriter: the same item comes out differently each time (lead-in, verbs, sentence
 * order, case) while what is asked, its numbers and names, stays the same.
 */
export function reword(r: Rng, item: string): string {
  let s = item;
  for (const [re, alts] of VERB_SWAPS) if (re.test(s) && r.chance(0.6)) s = s.replace(re, r.pick(alts));
  const sentences = s.split(/(?<=[.?!])\s+(?=[A-Z])/);
  if (sentences.length >= 3 && r.chance(0.35)) {
    const i = r.int(1, sentences.length - 2);
    [sentences[i], sentences[i + 1]] = [sentences[i + 1], sentences[i]];
    s = sentences.join(' ');
  }
  const lead = r.pick(LEADS);
  if (lead) s = `${lead} ${s}`;
  if (r.chance(0.15)) s = s.replace(/\s+/g, ' ');
  return s;
}
