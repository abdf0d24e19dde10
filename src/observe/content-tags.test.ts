import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES, CAPABILITY_BIT, type Capability } from '../core/capabilities.js';
import {
  CapabilityTagger,
  HEAD_CHARS,
  TAIL_CHARS,
  capabilitiesOf,
  capabilityRuleSources,
  isReasoningElicitation,
  isReasoningReconstruction,
  isRubricGrading,
  maskOf,
  tagCapabilities,
  tagText,
  tagTextExhaustive,
} from './content-tags.js';
import { CORPORA, corpusSkipReason, loadPromptCorpus } from '../sketches/prompt-corpus.js';

const has = (text: string, cap: Capability): boolean => (tagText(text) & CAPABILITY_BIT[cap]) !== 0;

const CASES: Record<Capability, { yes: string[]; no: string[] }> = {
  reasoning: {
    yes: [
      "Solve this riddle. Let's think step by step.",
      'Show your work.',
      'Please explain your reasoning before giving the final answer.',
      'Use chain-of-thought and then answer.',
      'Think carefully about each option before you choose.',
      'Walk me through your reasoning.',
      'Answer inside <thinking> tags first.',
      '请一步一步地思考这个问题',
      'Explica el problema paso a paso',
    ],
    no: ['Write a haiku about autumn.', 'What is the capital of France?', 'I think the movie was good.', 'Stepping stones by the river'],
  },
  reasoning_reconstruction: {
    yes: [
      'Here is a question and its answer. Imagine and articulate the internal reasoning behind the completed response.',
      'Given the final answer below, reconstruct the step-by-step reasoning that led to this answer.',
      'Infer the thought process that produced the following response.',
    ],
    no: ['Explain your reasoning.', 'What led to the fall of Rome?', 'Reconstruct the timeline of the French Revolution.'],
  },
  rubric_grading: {
    yes: [
      'Grade the following response on a scale of 1 to 10.',
      'Evaluate the answer below against this rubric: accuracy, clarity, concision.',
      'Score this essay from 1-5 based on clarity.',
      'Assign a score to each response.',
      'Which response is better, A or B?',
    ],
    no: ['What is the exchange rate today?', 'The birth rate fell sharply.', 'Mark the calendar for Friday.'],
  },
  math: {
    yes: [
      "Janet's ducks lay 16 eggs per day. She eats three for breakfast. How many eggs are left?",
      'Solve for x: 3x + 5 = 20',
      'What is 17 times 23?',
      'Compute the derivative of sin(x) * x^2.',
      'Simplify \\frac{6}{8}.',
      'Find the area of a circle with radius 4 cm and height 3 cm.',
    ],
    no: ['How many people live in Paris?', 'What year did WW2 end?', 'Write a poem about numbers.'],
  },
  coding: {
    yes: [
      '```python\nprint(1)\n```',
      'Write a Python function that reverses a list.',
      'Fix this: TypeError: undefined is not a function',
      'SELECT name FROM users WHERE id = 1',
      'Write a JavaScript function to debounce calls.',
      'How do I center a div in CSS?',
      'def add(a, b):\n    return a + b',
      'What does C++ std::move do?',
    ],
    no: ['Write a poem about my cat.', 'The class went on a field trip.', 'How did people react to the news?'],
  },
  agentic: {
    yes: [
      'You have access to the following tools: search, calculator.',
      'Thought: I need to look this up.\nAction: search\nAction Input: weather in Paris',
      'Use the browser tool to find the price.',
      'Execute the command ls -la and report the output.',
      'You are an autonomous agent operating a Linux machine.',
      'Emit a function call to get_weather.',
    ],
    no: ['My real estate agent called me.', 'Act as a travel agent and suggest destinations.', 'Call me tomorrow.'],
  },
  planning: {
    yes: [
      'Create a 30-day study plan for the GRE.',
      'Give me a roadmap to become a data engineer.',
      'Break this project down into smaller tasks.',
      'What are the steps to achieve financial independence?',
      'Plan a trip to Japan for two weeks.',
    ],
    no: ['I plan to go home early.', 'Describe the plant cell.', 'Take a break.'],
  },
  writing: {
    yes: [
      'Write a short story about a dragon.',
      'Compose an email to my landlord about the broken heater.',
      'Paraphrase this paragraph.',
      'Summarize the article below.',
      '写一篇关于秋天的作文',
    ],
    no: ['What is 2+2?', 'List the planets.'],
  },
  knowledge: {
    yes: ['What is photosynthesis?', 'Explain how vaccines work.', 'Who was Napoleon?', "What's the difference between TCP and UDP?", '什么是量子计算'],
    no: ['Write a limerick about cheese.', 'Translate hello into German.'],
  },
  extraction: {
    yes: [
      'Extract the names and dates from the text below.',
      'Return a JSON object with keys name and age.',
      'Identify all the named entities in this sentence.',
      'Parse this invoice and fill in the fields.',
    ],
    no: ['Tell me a joke.', 'Write a story about a miner.'],
  },
  translation: {
    yes: [
      'Translate this into French: good morning.',
      'How do you say thank you in Japanese?',
      '翻译成英文：你好',
      'Traduce al inglés: hola',
      'Render this sentence in German, please.',
    ],
    no: ['I speak English fluently.', 'Give me a French fries recipe.'],
  },
};

describe('tagText on hand-made prompts', () => {
  for (const cap of CAPABILITIES) {
    const { yes, no } = CASES[cap];
    it.each(yes)(`${cap}: tags %j`, (text) => {
      expect(capabilitiesOf(tagText(text))).toContain(cap);
    });
    it.each(no)(`${cap}: does not tag %j`, (text) => {
      expect(capabilitiesOf(tagText(text))).not.toContain(cap);
    });
  }

  it('gives several tags to one prompt', () => {
    expect(capabilitiesOf(tagText('Solve this equation step by step and write a Python function that checks the answer: 2x + 3 = 7'))).toEqual(
      expect.arrayContaining(['reasoning', 'math', 'coding']),
    );
  });

  it('the prefilter never changes a result on the hand-made prompts', () => {
    for (const cap of CAPABILITIES) for (const t of [...CASES[cap].yes, ...CASES[cap].no]) expect(tagText(t)).toBe(tagTextExhaustive(t));
  });

  it('rules triggered by a pair (a word and a symbol, a word and what follows it) still tag what they should', () => {
    const coding = [
      'Fix it:\nlet total = 0',
      'why does this fail\nreturn total;',
      'run it\nfoo(); // now',
      'what does init(); do',
      'Explain\nclass Parser:\n  pass',
      'Explain def parse(x): pass',
      'Why print(x) and not echo',
      'what does console.log(x) show',
      'Explain self.items here',
      'Explain #include <stdio.h> here',
      'Explain C# delegates',
      'style this <div> nicely',
    ];
    for (const t of coding) expect(capabilitiesOf(tagText(t)), t).toContain('coding');
    for (const t of ['What is 7 - 3?', 'what is 10/2']) expect(capabilitiesOf(tagText(t)), t).toContain('math');
    const none = ['You are a world-class problem solver.', 'Print the report by 10-12 today.', 'Use a = b; see <task> #3'];
    for (const t of none) expect(capabilitiesOf(tagText(t)), t).not.toContain('coding');
    for (const t of [...coding, ...none, 'What is 7 - 3?', 'what is 10/2', 'the final answer is 4; the reasoning behind it is lost']) {
      expect(tagText(t), t).toBe(tagTextExhaustive(t));
    }
  });

  it('the helpers agree with the mask', () => {
    expect(isReasoningElicitation('Show your work.')).toBe(true);
    expect(isReasoningElicitation('Show me a cat.')).toBe(false);
    expect(isReasoningReconstruction(CASES.reasoning_reconstruction.yes[0])).toBe(true);
    expect(isRubricGrading(CASES.rubric_grading.yes[0])).toBe(true);
    expect(maskOf('math', 'coding')).toBe(CAPABILITY_BIT.math | CAPABILITY_BIT.coding);
    expect(capabilitiesOf(maskOf('translation', 'reasoning'))).toEqual(['reasoning', 'translation']);
  });
});

describe('tagCapabilities', () => {
  it('tools > 0 tags agentic; thinking alone tags nothing', () => {
    expect(tagCapabilities('hello there', '', 3, false)).toBe(CAPABILITY_BIT.agentic);
    expect(tagCapabilities('hello there', '', 0, true)).toBe(0);
    expect(tagCapabilities('', '', 0, false)).toBe(0);
  });

  it('reads the system prompt too', () => {
    const m = tagCapabilities('Bonjour tout le monde', 'You are a translator. Translate everything the user says into Spanish.', 0, false);
    expect(capabilitiesOf(m)).toContain('translation');
    const r = tagCapabilities('A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much does the ball cost?', 'Always think step by step.', 0, false);
    expect(capabilitiesOf(r)).toEqual(expect.arrayContaining(['reasoning', 'math']));
  });

  it(`reads only the first ${HEAD_CHARS} and last ${TAIL_CHARS} chars of long prompts`, () => {
    const filler = 'lorem ipsum dolor sit amet consectetur. ';
    expect(has('Translate into French. ' + filler.repeat(1000), 'translation')).toBe(true);
    expect(has(filler.repeat(1000) + 'Translate into French.', 'translation')).toBe(true);
    expect(has(filler.repeat(200) + 'Translate into French. ' + filler.repeat(1000), 'translation')).toBe(false);
  });

  it('stays fast on adversarial 50 KB prompts', () => {
    const inputs = [
      'reasoning behind '.repeat(3000),
      'grade the response '.repeat(3000),
      'write a '.repeat(7000),
      'x'.repeat(50_000),
      '1 + 1 = '.repeat(6000),
      'what is what is '.repeat(3000) + '?',
      '`'.repeat(50_000),
    ];
    // No timing assertion (speed is a benchmark's job): a backtracking blow-up would hit the test timeout.
    for (const t of inputs) {
      const mask = tagCapabilities(t, t, 0, false);
      expect(mask >= 0 && mask < 1 << CAPABILITIES.length).toBe(true);
    }
  });
});

describe('the scanner decides as the whole regexes do, on generated text', () => {
  // Text made of near-matches of the rules themselves (strings their regexes generate, word
  // boundaries left out, so a match may or may not stand on one), the rules' own words, digits,
  // operators, code punctuation, line terminators of every kind and non-ASCII text, in any case,
  // glued or spaced: where a sticky alternative is tried only at a lead word or a line start, a
  // missed start shows up as a difference from running each rule's whole regex.
  const sources = capabilityRuleSources();
  const words = [...new Set(sources.flatMap((src) => src.match(/[A-Za-z]{2,}/g) ?? []))];
  const nearMatch = fc.oneof(...sources.map((src) => fc.stringMatching(new RegExp(src.replaceAll('\\b', '')))));
  const symbols = ['.', '?', '!', ':', ';', '();', '()', '(', ')', '=', '=>', '{', '}', '#include <x>', '<div>', '</think>', '<think>', '```', '`',
    "'s", '’s', "'", '-', '_', '/', '//', '\\frac', '√', '×', '+', '*', '^', '3', '42', '1.5', '10-12', 'x', 'X', 'c#', 'c++', '.net', 'node.js',
    'ValueError', 'x_Error', '2Exception', 'functionality', 'é', 'Ä', '翻译', '什么是', '一步一步'];
  const separators = [' ', ' ', ' ', '', '\n', '\r\n', '\r', '\u2028', '\u2029', '  ', ', ', '. ', '\t'];
  const token = fc.oneof(
    { weight: 4, arbitrary: nearMatch },
    { weight: 4, arbitrary: fc.constantFrom(...words) },
    { weight: 2, arbitrary: fc.constantFrom(...symbols) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  );
  const cased = fc.tuple(token, fc.constantFrom('as is', 'as is', 'lower', 'upper', 'title')).map(([t, c]) =>
    c === 'lower' ? t.toLowerCase() : c === 'upper' ? t.toUpperCase() : c === 'title' ? t.charAt(0).toUpperCase() + t.slice(1) : t,
  );
  const text = fc.array(fc.tuple(cased, fc.constantFrom(...separators)), { minLength: 1, maxLength: 24 }).map((parts) => parts.map(([t, sep]) => t + sep).join(''));

  it('short texts', () => {
    const tagger = new CapabilityTagger();
    fc.assert(
      fc.property(text, (t) => tagger.text(t) === tagTextExhaustive(t)),
      { numRuns: 4000 },
    );
  });

  it('long texts (head and tail windows) and exchanges with a system prompt', () => {
    const tagger = new CapabilityTagger();
    fc.assert(
      fc.property(fc.array(text, { minLength: 20, maxLength: 60 }), text, (parts, system) => {
        const t = parts.join(' ').repeat(8);
        return tagger.text(t) === tagTextExhaustive(t) && tagger.tag(t, system, 0, false) === (tagTextExhaustive(t) | tagTextExhaustive(system));
      }),
      { numRuns: 150 },
    );
  });
});

const skip = corpusSkipReason();
if (skip) console.warn(`content-tags.test: ${skip}`);

describe.skipIf(skip !== undefined)('on the real prompt corpora', () => {
  const corpora = Object.fromEntries(CORPORA.map((name) => [name, loadPromptCorpus(name) ?? []]));
  const shares = (texts: string[]): Record<Capability, number> => {
    const counts = Object.fromEntries(CAPABILITIES.map((c) => [c, 0])) as Record<Capability, number>;
    for (const t of texts) for (const c of capabilitiesOf(tagCapabilities(t, '', 0, false))) counts[c]++;
    return Object.fromEntries(CAPABILITIES.map((c) => [c, counts[c] / texts.length])) as Record<Capability, number>;
  };
  const table = Object.fromEntries(CORPORA.map((name) => [name, shares(corpora[name].map((r) => r.text))]));

  it('prints the per-corpus tag shares (%)', () => {
    const header = ['corpus'.padEnd(26), ...CAPABILITIES.map((c) => c.slice(0, 10).padStart(10))].join(' ');
    const rows = CORPORA.map((name) =>
      [`${name} (${corpora[name].length})`.padEnd(26), ...CAPABILITIES.map((c) => (100 * table[name][c]).toFixed(1).padStart(10))].join(' '),
    );
    console.log(`capability tag shares, % of prompts\n${header}\n${rows.join('\n')}`);
    expect(rows.length).toBe(CORPORA.length);
  });

  it('organic prompts ask for reasoning about as often as the data README says (~1%, within 0.5–3%)', () => {
    expect(table['organic-sharegpt'].reasoning).toBeGreaterThanOrEqual(0.005);
    expect(table['organic-sharegpt'].reasoning).toBeLessThanOrEqual(0.03);
  });

  it('every organic prompt saying "step by step" or "show your work" is tagged reasoning', () => {
    const marked = corpora['organic-sharegpt'].filter((r) => {
      const t = r.text.length <= HEAD_CHARS + TAIL_CHARS ? r.text : r.text.slice(0, HEAD_CHARS) + '\n' + r.text.slice(-TAIL_CHARS);
      return /step[- ]by[- ]step|show your work/i.test(t);
    });
    expect(marked.length).toBeGreaterThan(15);
    for (const r of marked) expect(isReasoningElicitation(r.text)).toBe(true);
  });

  it('math word problems are tagged math (>= 90%), and rarely anything else exotic', () => {
    expect(table['distill-math'].math).toBeGreaterThanOrEqual(0.9);
    expect(table['distill-math'].coding).toBeLessThan(0.01);
    expect(table['distill-math'].agentic).toBeLessThan(0.005);
  });

  it('rare tags stay rare on organic and instruction corpora', () => {
    for (const name of ['organic-sharegpt', 'distill-alpaca'] as const) {
      expect(table[name].reasoning_reconstruction).toBeLessThan(0.005);
      expect(table[name].rubric_grading).toBeLessThan(0.01);
      expect(table[name].agentic).toBeLessThan(0.03);
    }
    expect(table['organic-sharegpt'].math).toBeLessThan(0.08);
  });

  it('broad tags match what the corpora are (ShareGPT is code-heavy; Alpaca writes and explains)', () => {
    expect(table['organic-sharegpt'].coding).toBeGreaterThan(0.1);
    expect(table['organic-sharegpt'].coding).toBeLessThan(0.4);
    expect(table['distill-alpaca'].writing).toBeGreaterThan(0.1);
    expect(table['distill-alpaca'].knowledge).toBeGreaterThan(0.1);
  });

  it('the prefilter and the candidate positions never change a result (every prompt, follow-up and answer)', () => {
    const tagger = new CapabilityTagger();
    let n = 0;
    for (const name of CORPORA) {
      for (const r of corpora[name]) {
        for (const t of [r.text, ...(r.followups ?? []), r.answer ?? '']) {
          expect(tagger.text(t)).toBe(tagTextExhaustive(t));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(20_000);
  });

});
