// Capability tags: which capabilities an exchange tries to get out of the model (CAPABILITIES).
//
// A keyword/regex classifier over the prompt and the system prompt. Several tags per exchange
// are normal ("solve this step by step" is math + reasoning). Tags are evidence for per-account
// shares (content signals), never a verdict on one prompt: about 1% of ordinary prompts ask for
// step-by-step answers.
//
// Hot path. A prompt may be 50 KB; only its first HEAD_CHARS and last TAIL_CHARS are read
// (SYSTEM_HEAD/SYSTEM_TAIL of the system prompt), where instructions sit. Each window is read
// once by a scanner that hashes every ASCII word (case-folded FNV-1a) into a small open-addressed
// trigger table, notes a few symbols (` + # = ; } < \ ? and operators after digits) and non-ASCII
// text, and counts numbers. A rule's regex runs only when one of its trigger words or symbols
// occurred (for a few alternatives, a pair of them: `var` … `=`, `return` … `;`, `what` … `7 - 3`,
// RECON's cue words): every alternative of every rule contains its triggers, so the prefilter
// never changes a result, only skips work. And a triggered rule is not searched for in the whole
// window: the same pass notes where each word that can start one of its alternatives begins (and
// where lines begin), and the rule's regex is tried there only, anchored (sticky); see `rule`.
// The tests check both against running every rule's whole regex, on the real corpora and on
// generated text. Regexes have no unbounded nested quantifiers: gaps are bounded, lazy
// `[^.?!\n]{0,n}?` runs. A `CapabilityTagger` allocates nothing per call except two string
// slices of long texts.
//
// `tools > 0` tags `agentic`. `thinking` (extended thinking / reasoning effort) is accepted but
// deliberately tags nothing: it is a request knob already counted on its own (AccountState's
// thinking share); folding it into `reasoning` would double count it and make every coding
// agent with thinking on look like a reasoning harvester.

import { CAPABILITIES, CAPABILITY_BIT, type Capability, type CapabilityMask } from '../core/capabilities.js';
import type { StateKinds } from '../core/state-graph.js';

export const HEAD_CHARS = 4096;
export const TAIL_CHARS = 1024;
export const SYSTEM_HEAD_CHARS = 2048;
export const SYSTEM_TAIL_CHARS = 512;
/** Word-problem heuristics (numbers + a quantity question) apply to texts up to this length. */
const WORD_PROBLEM_MAX_CHARS = 1000;

// ---- rules: a regex and the trigger words / symbols that every one of its matches contains ----

const R_REASONING = 1 << 0;
const R_RECON = 1 << 1;
const R_RUBRIC = 1 << 2;
const R_MATH = 1 << 3;
const R_WORD_PROBLEM = 1 << 4;
const R_CODING = 1 << 5;
const R_CODE_SYNTAX = 1 << 6;
const R_AGENTIC = 1 << 7;
const R_PLANNING = 1 << 8;
const R_WRITING = 1 << 9;
const R_KNOWLEDGE = 1 << 10;
const R_EXTRACTION = 1 << 11;
const R_TRANSLATION = 1 << 12;
/** Not a rule: the word is a number word (counts toward word problems). */
const T_NUMBER = 1 << 13;
const ALL_RULES = (1 << 13) - 1;
// Not rules: words and symbols that trigger a rule only together (see the end of `scan`), because
// each of the rule's alternatives that holds one holds the other too.
/** var / const / let: with '=', CODE_SYNTAX (`let x =`). */
const T_DECL = 1 << 14;
/** return: with ';', CODE_SYNTAX (`return x;`). */
const T_RETURN = 1 << 15;
/** what: with '-' or '/' after a digit, MATH (`what is 7 - 3`). */
const T_WHAT = 1 << 16;
/** Words of RECON_CUE, which RECON needs besides its phrase. */
const T_RECON_CUE = 1 << 17;
/** '=' not starting '=>'. */
const F_EQUALS = 1 << 18;
/** ';' not ending '();'. */
const F_SEMICOLON = 1 << 19;
/** '//'. */
const F_SLASHES = 1 << 20;
/** '-' or '/' after a digit (one space allowed). */
const F_MINUS_SLASH = 1 << 21;
/** A SYNTAX_NEXT word: CODE_SYNTAX when the code unit in `tableNext` follows it. */
const T_SYNTAX_NEXT = 1 << 22;
// Bits of candidate positions (`Candidates`), apart from the rule bits above: a rule bit there means
// a word that starts one of the rule's `lead` alternatives.
/** A word that starts one of RECON_CUE's alternatives (RECON needs both regexes). */
const L_CUE = 1 << 13;
/** A line start, where `line` alternatives are tried. */
const C_LINE = 1 << 14;
// Scanner flags of `flagged` alternatives (bits of what `scan` returns, above the number count).
/** A \w run longer than "Error"/"Exception" ends with it. */
const F_ERROR_NAME = 1 << 26;
/** "();" after a \w code unit. */
const F_EMPTY_CALL = 1 << 27;
/** A letter run that starts with "function". */
const F_FUNCTION = 1 << 28;

const LANGS =
  'english french spanish german italian portuguese chinese mandarin cantonese japanese korean russian arabic hindi bengali urdu ' +
  'dutch swedish norwegian danish finnish polish czech greek turkish hebrew persian farsi vietnamese thai indonesian malay ' +
  'tagalog filipino swahili ukrainian romanian hungarian latin catalan serbian croatian bulgarian slovak';
const LANG_RE = LANGS.split(' ').join('|');

const alt = (parts: string[]): string => parts.join('|');

// A rule's alternatives, each of one of four kinds, so that the tagger (`CapabilityTagger`) need not
// search a whole window with a rule's regex:
// - `lead(words, re)`: every match of `re` starts with one of `words` (lower-case ASCII, each a whole
//   ASCII letter run of the text) at a word boundary. The scanner notes where such words start, and
//   `re` is tried there only (sticky). `words` must hold every letter run a match can start with:
//   `\breason(?:ing)? ` needs `reason reasoning`.
// - `line(re)`: every match starts at a line start (`^re` in multiline mode); tried at each.
// - `flagged(flag, re)`: every match makes the scanner set `flag`; searched for only then.
// - a plain source: searched for in the whole window, as before.
// `full` is all of them in one regex, the rule as written: `tagTextExhaustive` runs it, and the tests
// check on real and generated text that the kinds together decide exactly as it does.
interface Lead {
  words: string;
  re: string;
}
interface Line {
  line: string;
}
interface Flagged {
  flag: number;
  re: string;
}
type Alt = Lead | Line | Flagged | string;
const lead = (words: string, re: string): Lead => ({ words, re });
const line = (re: string): Line => ({ line: re });
/** Searched for only when the scanner saw `flag`, which every match sets (an F_ bit below). */
const flagged = (flag: number, re: string): Flagged => ({ flag, re });

interface Rule {
  /** Index in RULES. */
  id: number;
  /** Scanner bit of the words its lead alternatives start with (a rule bit, or L_CUE). */
  leadBit: number;
  full: RegExp;
  /** Sticky: the lead alternatives, tried where one of their words starts. */
  lead?: RegExp;
  /** Sticky: the line alternatives (without `^`), tried at line starts. */
  line?: RegExp;
  /** The flagged alternatives, each searched for when its flag is set. */
  flagged: { flag: number; re: RegExp }[];
  /** The other alternatives, searched for. */
  rest?: RegExp;
}

/** Lead words and the bits of the rules they lead, registered in the trigger table below. */
const LEADS: [string, number][] = [];
/** Every rule built by `rule`, by id. */
const RULES: Rule[] = [];

function rule(leadBit: number, alts: Alt[], flags: string): Rule {
  const leads: string[] = [];
  const lines: string[] = [];
  const rest: string[] = [];
  const flaggedAlts: Flagged[] = [];
  for (const a of alts) {
    if (typeof a === 'string') rest.push(a);
    else if ('line' in a) lines.push(a.line);
    else if ('flag' in a) flaggedAlts.push(a);
    else {
      leads.push(a.re);
      LEADS.push([a.words, leadBit]);
    }
  }
  const all = [...leads, ...lines.map((l) => `^(?:${l})`), ...flaggedAlts.map((f) => f.re), ...rest];
  const r: Rule = {
    id: RULES.length,
    leadBit,
    full: new RegExp(alt(all), flags),
    lead: leads.length > 0 ? new RegExp(alt(leads), flags + 'y') : undefined,
    line: lines.length > 0 ? new RegExp(alt(lines), flags + 'y') : undefined,
    flagged: flaggedAlts.map((f) => ({ flag: f.flag, re: new RegExp(f.re, flags) })),
    rest: rest.length > 0 ? new RegExp(alt(rest), flags) : undefined,
  };
  RULES.push(r);
  return r;
}

/** Asks the model to show or perform step-by-step reasoning (chain-of-thought elicitation). */
const REASONING = rule(
  R_REASONING,
  [
    lead('step', String.raw`\bstep[- ]by[- ]step\b`),
    lead('show', String.raw`\bshow (?:me )?(?:all )?(?:of )?(?:your|the|all) (?:work(?:ing)?|steps|reasoning|calculations?|thought process|thinking|derivation)\b`),
    lead('chain', String.raw`\bchain[- ]of[- ]thoughts?\b`),
    lead('think', String.raw`\bthink (?:it |this |things )?(?:carefully|step|hard|through|deeply|logically|out loud|aloud|before)\b`),
    lead('let lets', String.raw`\blet'?s think\b`),
    lead(
      'explain describe justify outline give provide include share detail',
      String.raw`\b(?:explain|describe|justify|outline|give|provide|include|share|detail) (?:me )?(?:your|the|all) (?:reasoning|thinking|thought process|thought-process|logic|rationale)\b`,
    ),
    lead('explain', String.raw`\bexplain (?:your|the|each) (?:answer|steps?|solution)\b`),
    lead('justify', String.raw`\bjustify (?:your|the|each) (?:answer|response|choice|solution)\b`),
    lead('walk', String.raw`\bwalk (?:me |us )?through (?:your|the) (?:reasoning|logic|thought process|thinking|solution|steps|calculations?)\b`),
    lead('reason reasoning', String.raw`\breason(?:ing)? (?:through|about) (?:it|this|the problem)\b`),
    lead('with and', String.raw`\b(?:with|and) (?:detailed |clear |full )?(?:reasoning|explanations?) for each step\b`),
    lead('thinking', String.raw`\bthinking process\b`),
    lead('reason', String.raw`\breason (?:it |this |things )?(?:out|through)\b`),
    lead(
      'show include list give write',
      String.raw`\b(?:show|include|list|give|write out) (?:me )?(?:all )?(?:of )?(?:the |your )?intermediate (?:steps|calculations|reasoning)\b`,
    ),
    lead('explain', String.raw`\bexplain (?:every|each|all) (?:of the )?steps?\b`),
    lead('step steps', String.raw`\bsteps? of (?:your|the) reasoning\b`),
    lead(
      'explain give show provide',
      String.raw`\b(?:explain|give|show|provide) (?:me )?(?:the |your )?(?:full|complete|entire|detailed|whole) (?:reasoning|derivation|thought process|chain of reasoning)\b`,
    ),
    String.raw`<\/?think(?:ing)?>`,
    lead('paso razonamiento raisonnement passo', String.raw`\bpaso a paso\b|\brazonamiento\b|\braisonnement\b|\bpasso a passo\b`),
  ],
  'i',
);
const REASONING_WORDS =
  'step steps show chain think reasoning thinking thought logic rationale explain justify walk reason explanation explanations intermediate paso razonamiento raisonnement passo ' +
  'derivation';
const REASONING_INTL = /一步一步|一步步|逐步|分步|思维链|étape par étape|schritt für schritt|шаг за шагом|단계별|차근차근|ステップバイステップ|段階的/i;

/** The reasoning behind an already-given answer ("trace inversion"): noun … connector … answer … */
const RECON_PHRASE = rule(
  R_RECON,
  [
    lead(
      'reasoning thought thinking chain rationale thoughts logic intermediate steps',
      String.raw`\b(?:reasoning|thought process|thinking|chain[- ]of[- ]thought|rationale|thoughts|logic|reasoning steps|intermediate steps|steps)\b` +
        String.raw`[^.?!\n]{0,60}?\b(?:behind|led to|leads to|lead to|leading to|produced?|producing|resulted? in|underlying|generated|yielded|arrive[ds]? at|arriving at|justif(?:y|ies)|explains?|that gave)\b` +
        // The object may be a pronoun ("the reasoning behind it") when the cue below names the given answer.
        String.raw`[^.?!\n]{0,40}?\b(?:(?:answer|response|output|solution|completion|reply|conclusion|label|verdict)s?|it|them)\b`,
    ),
  ],
  'i',
);
const RECON_WORDS = 'reasoning thought thinking chain rationale thoughts logic intermediate steps';
const RECON_CUE_WORDS =
  'articulate reconstruct infer imagine recreate reverse write retrace rationalize rationalise backfill hypothesize hypothesise ' +
  'reproduce given completed finished final provided following above below existing correct reference model assistant ' +
  'question problem prompt task';
/** … and a cue that the answer is given and the reasoning is to be made up for it. */
const RECON_CUE = rule(
  L_CUE,
  [
    lead(
      'articulate reconstruct infer imagine recreate reverse write retrace rationalise rationalize backfill hypothesise hypothesize reproduce',
      String.raw`\b(?:articulate|reconstruct|infer|imagine|recreate|reverse[- ]engineer|write out|retrace|rationali[sz]e|backfill|hypothesi[sz]e|reproduce)\b`,
    ),
    lead(
      'given completed finished final provided following above below existing correct reference model assistant',
      String.raw`\b(?:given|completed|finished|final|provided|following|above|below|existing|correct|reference|model's|assistant's) (?:answer|response|solution|output|completion|reply|label)s?\b`,
    ),
    lead('question problem prompt task', String.raw`\b(?:question|problem|prompt|task) and (?:its |the |an? )?(?:answer|response|solution|output)\b`),
  ],
  'i',
);

/** Grade or score a response against a rubric or a scale. */
const RUBRIC = rule(
  R_RUBRIC,
  [
    lead('rubric rubrics', String.raw`\brubrics?\b`),
    lead(
      'grading scoring evaluation assessment marking rating',
      String.raw`\b(?:grading|scoring|evaluation|assessment|marking|rating) (?:criteria|guidelines?|scheme|scale|rubric)\b`,
    ),
    lead(
      'grade score rate evaluate assess judge mark',
      String.raw`\b(?:grade|score|rate|evaluate|assess|judge|mark)\b[^.?!\n]{0,40}?\b(?:responses?|answers?|essays?|outputs?|completions?|submissions?|replies|reply|summary|summaries|translations?|solutions?)\b[^.?!\n]{0,80}?(?:\bscale\b|\bscore\b|\bpoints?\b|\bcriteria\b|\bout of \d|\bfrom \d|\bbetween \d|\b\d+ ?(?:-|–|to) ?\d+\b)`,
    ),
    lead('on', String.raw`\bon a scale (?:of|from) \d+ ?(?:to|-|–) ?\d+`),
    lead(
      'assign give provide output return',
      String.raw`\b(?:assign|give|provide|output|return) (?:it |them |each |a |an |the )?(?:numerical |numeric |final |overall |quality )?(?:score|grade|rating)s?\b`,
    ),
    lead('score', String.raw`\bscore (?:of|from|between) \d+ ?(?:to|and|-|–) ?\d+`),
    lead('which what', String.raw`\b(?:which|what) (?:response|answer|output|completion) is (?:better|best|more (?:helpful|accurate|correct))\b`),
  ],
  'i',
);
const RUBRIC_WORDS =
  'rubric rubrics criteria guideline guidelines scheme scale grade grades score scores rate evaluate assess judge mark rating ratings better best helpful accurate correct';

/** Explicit mathematics: vocabulary, solve-verbs with math objects, arithmetic notation. */
const MATH_TERMS = rule(
  R_MATH,
  [
    lead(
      'equation equations inequality inequalities polynomial polynomials derivative derivatives integral integrals quadratic arithmetic ' +
        'algebra algebraic trigonometry trigonometric calculus theorem logarithm logarithms factorial factorials eigenvalue eigenvalues ' +
        'eigenvector eigenvectors combinatorics factorization factorisation',
      String.raw`\b(?:equations?|inequality|inequalities|polynomials?|derivatives?|integrals?|quadratic|arithmetic|algebra|algebraic|trigonometry|trigonometric|calculus|theorem|logarithms?|factorials?|eigenvalues?|eigenvectors?|combinatorics|factori[sz]ation)\b`,
    ),
    lead(
      'solve calculate compute simplify factorize factorise differentiate integrate evaluate',
      String.raw`\b(?:solve|calculate|compute|simplify|factori[sz]e|differentiate|integrate|evaluate)\b[^.?!\n]{0,30}?(?:\d|\b[xyz]\b|\bequation|\bexpression|\bintegral|\bderivative|\bsum\b|\bproduct\b|\barea\b|\bvolume\b|\bprobability\b|\blimit\b)`,
    ),
    lead('what', String.raw`\bwhat is \d+(?:\.\d+)? ?(?:[-+*/×÷^]|times|plus|minus|divided by|multiplied by|to the power of) ?\d`),
    String.raw`\d ?[+*×÷^=] ?\d|\\(?:frac|sqrt|sum|int|cdot|times|boxed)\b|√`,
    lead('x y z', String.raw`\b[xyz] ?[\^=] ?\d`),
  ],
  'i',
);
const MATH_WORDS =
  'equation equations inequality inequalities polynomial polynomials derivative derivatives integral integrals quadratic arithmetic ' +
  'algebra algebraic trigonometry trigonometric calculus theorem logarithm logarithms factorial factorials eigenvalue eigenvalues ' +
  'eigenvector eigenvectors combinatorics factorization factorisation solve calculate compute simplify factorize factorise ' +
  'differentiate integrate evaluate times plus minus divided multiplied power';
/** Word problems: a quantity question, with at least two numbers in a short text. */
const QUANTITY_QUESTION = rule(
  R_WORD_PROBLEM,
  [
    lead('how', String.raw`\bhow (?:many|much|long|far|fast|old|tall|often|heavy|big|large|high|wide|deep)\b`),
    lead('find calculate determine compute work', String.raw`\b(?:find|calculate|determine|compute|work out) (?:the|how|his|her|their|its|what)\b`),
    lead(
      'what which',
      String.raw`\b(?:what|which)(?:'s|’s| is| was| are| were| will be| would be)? (?:the |her |his |their |its )?(?:total|sum|difference|product|average|mean|median|ratio|percent|percentage|probability|cost|price|speed|area|perimeter|volume|number|value|remainder|profit|amount|weight|length|width|height|distance|rate|fraction|age)\b`,
    ),
  ],
  'i',
);
/** …or any what/which question, with at least three numbers. */
const WH_QUESTION = rule(R_WORD_PROBLEM, [lead('what which', String.raw`\b(?:what|which)\b[^?\n]{0,150}\?`)], 'i');
const WORD_PROBLEM_WORDS = 'how find calculate determine compute work what which';
const NUMBER_WORDS =
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen ' +
  'twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million half twice double triple dozen dozens quarter third thirds';

/** Programming: code fences, languages and tools, programming verbs and nouns. */
const CODING = rule(
  R_CODING,
  [
    '```',
    lead(
      'python javascript typescript java golang kotlin scala perl haskell matlab sql mysql postgres postgresql sqlite mongodb html css bash ' +
        'powershell reactjs react node nodejs django flask pandas numpy tensorflow pytorch docker kubernetes github regex regular vba jquery ' +
        'laravel spring dotnet php ruby rust swiftui solidity verilog stata r',
      String.raw`\b(?:python|javascript|typescript|java|golang|kotlin|scala|perl|haskell|matlab|sql|mysql|postgres|postgresql|sqlite|mongodb|html|css|bash|powershell|reactjs|react native|node\.?js|django|flask|pandas|numpy|tensorflow|pytorch|docker|kubernetes|github|regex|regular expressions?|vba|jquery|laravel|spring boot|dotnet|php|ruby on rails|rust (?:code|program|crate)|swiftui|solidity|verilog|stata code|r code)\b`,
    ),
    lead('c', String.raw`\bc\+\+|\bc#`),
    String.raw`\.net\b`,
    lead(
      'write create generate implement give show build code develop',
      String.raw`\b(?:write|create|generate|implement|give me|show me|build|code|develop)\b[^.?!\n]{0,30}?\b(?:function|program|script|code|class|method|algorithm|queries|query|snippet|regex|unit tests?|api|endpoint|app|application|bot|website)s?\b`,
    ),
    lead(
      'debug debugging refactor refactoring compiler compile compiles compiling syntax stack stacktrace traceback segfault runtime null ' +
        'source code pseudo pseudocode this my the codebase pull command cli recursion boolean big',
      String.raw`\b(?:debug|debugging|refactor|refactoring|compiler|compile|compiles|compiling|syntax error|stack ?trace|stacktrace|traceback|segfault|runtime error|null pointer|source code|code review|pseudo-?code|pseudocode|this code|my code|the code|codebase|pull request|command line|cli tool|recursion|boolean|big-o)\b`,
    ),
    flagged(F_ERROR_NAME, String.raw`\b\w+(?:Exception|Error)\b(?::|\s+at\b)`),
    lead('throw throws', String.raw`\bthrows? an? exception\b`),
  ],
  'i',
);

const CODING_WORDS =
  'python javascript typescript java golang kotlin scala perl haskell matlab sql mysql postgres postgresql sqlite mongodb html css ' +
  'bash powershell reactjs react node nodejs django flask pandas numpy tensorflow pytorch docker kubernetes github regex regular vba ' +
  'jquery laravel spring dotnet net php ruby rust swiftui solidity verilog stata code ' +
  'function functions program programs script scripts codes class method methods algorithm algorithms queries query snippet snippets ' +
  'regexs unit api apis endpoint endpoints app apps application applications bot bots website websites ' +
  'debug debugging refactor refactoring compiler compile compiles compiling syntax stack stacktrace traceback segfault runtime pointer ' +
  'pseudo pseudocode codebase pull command cli recursion boolean big throw throws';
/** Code syntax (case-sensitive, multiline; lead words are found case-folded, so a candidate is tried as written). */
const CODE_SYNTAX = rule(
  R_CODE_SYNTAX,
  [
    lead('def', String.raw`\bdef \w+\(`),
    // `\w*` may go on with letters ("functions ("): any letter run that starts with "function".
    flagged(F_FUNCTION, String.raw`\bfunction\s*\w*\s*\(`),
    lead('class', String.raw`\bclass [A-Z]\w*\s*[({:]`),
    lead('public private protected', String.raw`\b(?:public|private|protected) (?:static )?(?:void|int|String|class)\b`),
    String.raw`#include\s*[<"]`,
    lead('console', String.raw`\bconsole\.log\(`),
    lead('print println', String.raw`\bprint(?:ln)?\(`),
    line(String.raw`\s*import [\w.]+(?: as \w+)?;?\s*$`),
    line(String.raw`\s*from [\w.]+ import `),
    String.raw`\) =>`,
    lead('return', String.raw`\breturn [^\n]{0,40};\s*$`),
    lead('select', String.raw`\bSELECT\b[^;\n]{1,200}?\bFROM\b`),
    String.raw`<\/?(?:div|span|html|body|script|button)\b`,
    lead('var const let', String.raw`\b(?:var|const|let) \w+ =`),
    flagged(F_EMPTY_CALL, String.raw`\w+\(\);`),
    line(String.raw`\s*\}\s*$`),
    String.raw`;\s*\/\/`,
    lead('self', String.raw`\bself\.\w+`),
  ],
  'm',
);
// `void int String class` after public/private/protected; `class Name`, `def f(`, `print(`,
// `console.log(`, `self.x` are checked where the word ends (SYNTAX_NEXT), so "world-class" or a
// "print" in prose does not run the regex.
const CODE_SYNTAX_WORDS = 'function import select public private protected';
/** Words that trigger CODE_SYNTAX only when the given text follows them. */
const SYNTAX_NEXT: [string, string][] = [
  ['def', ' '],
  ['print', '('],
  ['println', '('],
  ['console', '.'],
  ['self', '.'],
  ['class', ' A'], // 'A': any capital A-Z
];
/** In `tableNext`: after the code unit, a capital A-Z. */
const NEXT_CAPITAL = 0x10000;

/** Tool use, agent loops, computer use. */
const AGENTIC = rule(
  R_AGENTIC,
  [
    lead(
      'you',
      String.raw`\byou (?:have|has|will have|now have|can have) access to (?:the following |these |a set of |several |some |a few |various )?(?:tools?|functions?|apis?|plugins?|actions?|a (?:browser|terminal|shell|computer|code interpreter|python interpreter|web browser|search engine))\b`,
    ),
    lead('function tool', String.raw`\b(?:function|tool)[_ -]call(?:s|ing)?\b`),
    lead('tool', String.raw`\btool[_ -]use\b|\btool_choice\b`),
    String.raw`<tool_call>|<function_calls?>|<invoke\b`,
    lead('function', String.raw`\bfunction_call\b`),
    lead('use', String.raw`\buse (?:the |a |your |these |any )?(?:available |provided |following )?(?:[a-z_-]+ )?tools?\b`),
    lead('available provided', String.raw`\b(?:available|provided) (?:tools|functions|actions|plugins)\b`),
    lead('following', String.raw`\bfollowing (?:tools|plugins)\b`),
    lead('browse search crawl', String.raw`\b(?:browse|search|crawl) (?:the )?(?:web|internet)\b`),
    lead('execute', String.raw`\bexecute (?:the |this |a |shell |bash |terminal |python )?(?:commands?|code|scripts?|actions?)\b`),
    lead('run', String.raw`\brun (?:the |this |a |these )?(?:shell |bash |terminal )?commands?\b`),
    lead('computer agentic agent', String.raw`\bcomputer[- ]use\b|\bagentic\b|\bagent loop\b`),
    lead(
      'autonomous ai llm coding software web browser research computer',
      String.raw`\b(?:autonomous|ai|llm|coding|software|web|browser|research|computer) agents?\b`,
    ),
    lead('you', String.raw`\byou are an? (?:autonomous |ai |llm )?agent\b`),
    line(String.raw`\s*(?:Thought|Action|Action Input|Observation)\s*:`),
    lead(
      'click navigate take',
      String.raw`\bclick (?:on )?(?:the )?(?:button|link|icon)\b|\bnavigate to (?:the )?(?:url|page|website)\b|\btake (?:a )?screenshot\b`,
    ),
    lead('multi multistep', String.raw`\bmulti-?step (?:task|workflow|agent)s?\b`),
    lead('call', String.raw`\bcall (?:the |an? )?(?:api|function|tool)\b`),
  ],
  'im',
);
const AGENTIC_WORDS =
  'access call calls calling tool tools functions actions plugins web internet execute command commands computer agentic agent agents ' +
  'thought action observation click navigate screenshot multi multistep invoke';

/** Plans, roadmaps, task decomposition. */
const PLANNING = rule(
  R_PLANNING,
  [
    lead(
      'make create develop write draft build design give outline prepare propose come generate devise suggest provide',
      String.raw`\b(?:make|create|develop|write|draft|build|design|give me|outline|prepare|propose|come up with|generate|devise|suggest|provide)\b[^.?!\n]{0,30}?\b(?:plan|plans|roadmap|schedule|itinerary|timeline|strategy|strategies|checklist|curriculum|syllabus|agenda|milestones)\b`,
    ),
    lead(
      'action project business marketing study workout training meal lesson content travel implementation migration execution release ' +
        'launch go strategic step detailed weekly daily',
      String.raw`\b(?:action|project|business|marketing|study|workout|training|meal|lesson|content|travel|implementation|migration|execution|release|launch|go-to-market|strategic|step-by-step|detailed|weekly|daily)[- ]plan\b`,
    ),
    String.raw`\b\d+[- ](?:day|week|month)[- ]plan\b`,
    lead('plan', String.raw`\bplan (?:out|for (?:the|my|a|our)|my|our)\b|\bplan an? (?:trip|event|party|project|wedding|vacation)\b`),
    lead('roadmap itinerary itineraries', String.raw`\broadmap\b|\bitinerary\b|\bitineraries\b`),
    lead(
      'steps',
      String.raw`\bsteps (?:to|for|needed to|required to|i need to|necessary to|i should take to|to take to) (?:achieve|accomplish|complete|reach|get|build|launch|start|become|implement|create|set up|setup|grow)\b`,
    ),
    lead(
      'break',
      String.raw`\bbreak (?:it|this|that|the|your|my)(?: (?:task|project|problem|goal|work))? (?:down )?into (?:smaller |manageable |concrete |actionable )?(?:sub-?)?(?:steps|tasks|parts|pieces|milestones|phases)\b`,
    ),
    lead(
      'decompose decomposition sub subtask subtasks milestone milestones prioritise prioritize',
      String.raw`\b(?:decompose|decomposition)\b[^.?!\n]{0,30}?\b(?:tasks?|goals?|problems?|projects?)\b|\bsub-?tasks?\b|\bmilestones?\b|\bprioriti[sz]e (?:the |my |these )?(?:tasks|work|steps|features|backlog)\b`,
    ),
  ],
  'i',
);
const PLANNING_WORDS =
  'plan plans roadmap schedule itinerary itineraries timeline strategy strategies checklist curriculum syllabus agenda milestones ' +
  'milestone steps break decompose decomposition subtask subtasks sub prioritize prioritise';

/** General generation: stories, e-mails, essays, rewriting. */
const WRITING = rule(
  R_WRITING,
  [
    lead(
      'write compose draft create generate craft produce give come rewrite pen suggest',
      String.raw`\b(?:write|compose|draft|create|generate|craft|produce|give me|come up with|rewrite|pen|suggest)\b[^.?!\n]{0,40}?\b(?:story|stories|poem|poems|poetry|haiku|essay|e-?mails?|letter|blog|article|post|tweet|speech|song|lyrics|screenplay|dialogue|slogan|tagline|headline|title|caption|description|summary|review|bio|biography|cover letter|limerick|sonnet|jokes?|advertisement|ad copy|newsletter|press release|paragraph|sentences?|introduction|conclusion|outline|proposal|report|message|invitation|toast|eulogy|motto|names|narrative|monologue|fable|rap|verse|riddle|quote|thesis statement|product description)s?\b`,
    ),
    lead(
      'rewrite rephrase paraphrase proofread reword summarise summarize shorten condense polish edit improve',
      String.raw`\b(?:rewrite|rephrase|paraphrase|proofread|reword|summari[sz]e|shorten|condense|polish|edit (?:this|the|my|following)|improve (?:this|the|my) (?:text|writing|essay|paragraph|sentence|email|letter|resume|cv))\b`,
    ),
    lead(
      'in tone copywriting copywriter copywriters storytelling storyteller fanfiction fan creative',
      String.raw`\bin the style of\b|\btone of voice\b|\b(?:copywriting|copywriter|copywriters|storytelling|storyteller|fanfiction|fan fiction|creative writing)\b`,
    ),
  ],
  'i',
);
const WRITING_WORDS =
  'write compose draft create generate craft produce give come rewrite pen suggest rephrase paraphrase proofread reword summarize ' +
  'summarise shorten condense polish edit improve style tone copywriting copywriter copywriters storytelling storyteller fanfiction fan creative';
const WRITING_INTL = /写一(?:篇|首|封|个故事)|作文|書いて|작성해/;

/** Factual questions and explanations. */
const KNOWLEDGE = rule(
  R_KNOWLEDGE,
  [
    line(
      String.raw`\W*(?:what|who|whom|whose|when|where|why|which|how (?:does|do|did|is|are|was|were|can|could|has|have)|is|are|was|were|does|do|did|can|could|has|have)\b[^\n]{3,200}\?`,
    ),
    lead('explain describe define elaborate clarify', String.raw`\b(?:explain|describe|define|elaborate on|clarify)\b`),
    lead('tell', String.raw`\btell me (?:about|what|why|how|who|when|more)\b`),
    lead('what who', String.raw`\b(?:what|who) (?:is|are|was|were) (?:the |a |an )?\w`),
    lead(
      'when where why how',
      String.raw`\b(?:when|where) (?:did|was|is|are|were|does)\b|\bwhy (?:is|are|do|does|did|was|were)\b|\bhow (?:does|do|did) [^.?!\n]{1,40}? work\b`,
    ),
    lead(
      'difference differences similarities compare history meaning definition fact facts overview pros advantages',
      String.raw`\b(?:difference|differences|similarities) between\b|\bcompare\b|\bhistory of\b|\bmeaning of\b|\bdefinition of\b|\bfacts? about\b|\boverview of\b|\bpros and cons\b|\badvantages and disadvantages\b`,
    ),
  ],
  'im',
);
const KNOWLEDGE_WORDS =
  'explain describe define elaborate clarify tell what who when where why how difference differences similarities compare history ' +
  'meaning definition fact facts overview pros advantages';
const KNOWLEDGE_INTL = /什么是|为什么|是什么|とは|なぜ|무엇|왜|¿qué|qu'est-ce|что такое|почему/i;

/** Pull structured fields out of a document. */
const EXTRACTION = rule(
  R_EXTRACTION,
  [
    lead('extract extracted extracting extraction', String.raw`\b(?:extract|extracted|extracting|extraction)\b`),
    lead('return respond output format give provide answer reply', String.raw`\b(?:return|respond|output|format|give|provide|answer|reply)\b[^.?!\n]{0,30}?\b(?:json|yaml|xml|csv)\b`),
    lead(
      'in json as',
      String.raw`\bin (?:json|yaml|csv|xml|tabular|table) (?:format|form)\b|\bjson (?:object|format|schema|array|output)\b|\bas (?:a )?json\b`,
    ),
    lead(
      'with following these',
      String.raw`\bwith (?:the )?(?:following )?(?:keys|fields|columns|attributes|properties)\b|\b(?:following|these) (?:fields|entities|attributes|key-value pairs)\b`,
    ),
    lead('named key structured', String.raw`\bnamed (?:entity|entities)\b|\bkey[- ]value pairs?\b|\bstructured (?:data|output|format|json|fields)\b`),
    lead(
      'identify find list pull pick get locate highlight',
      String.raw`\b(?:identify|find|list|pull out|pick out|get|locate|highlight) (?:all |every |each |any )?(?:of )?(?:the )?(?:named |key |main |important )?(?:entities|names|dates|people|persons|locations|places|organizations|keywords|email addresses|phone numbers|addresses|prices|amounts|nouns|verbs|adjectives|adverbs|pronouns|numbers|figures|values|fields)\b`,
    ),
    lead('parse fill', String.raw`\bparse (?:the|this|these|my|following|out)\b|\bfill (?:in|out) (?:the|this) (?:form|table|template|fields)\b`),
  ],
  'i',
);
const EXTRACTION_WORDS =
  'extract extracted extracting extraction json yaml xml csv tabular table keys fields columns attributes properties entities entity ' +
  'key structured identify find list pull pick get locate highlight parse fill';
const EXTRACTION_INTL = /提取|抽出|추출/;

/** Translation between languages. */
const TRANSLATION = rule(
  R_TRANSLATION,
  [
    lead(
      'translate translated translates translating translation translations translator',
      String.raw`\b(?:translate|translated|translates|translating|translation|translations|translator)\b`,
    ),
    lead('into', String.raw`\binto (?:${LANG_RE})\b`),
    lead('from', String.raw`\bfrom (?:${LANG_RE}) (?:in)?to (?:${LANG_RE})\b`),
    lead('say write express put render', String.raw`\b(?:say|write|express|put|render) (?:this|that|it|these|the following)[^.?!\n]{0,20}? in (?:${LANG_RE})\b`),
    lead('how', String.raw`\bhow (?:do|would|can|to) (?:you |i |we )?say\b[^?\n]{1,60}? in (?:${LANG_RE})\b`),
    lead('what', String.raw`\bwhat does [^?\n]{1,60} mean in (?:${LANG_RE})\b`),
    lead(LANGS, String.raw`\b(?:${LANG_RE}) (?:equivalent|version|translation) of\b`),
    lead(
      'traduce traducir traduction traducteur traduire traduis traduisez tradurre traduci traduza traduzir vertaal vertalen',
      String.raw`\b(?:traduce|traducir|traduction|traducteur|traduire|traduis|traduisez|tradurre|traduci|traduza|traduzir|vertaal|vertalen)\b`,
    ),
  ],
  'i',
);
const TRANSLATION_WORDS =
  `translate translated translates translating translation translations translator ${LANGS} ` +
  'traduce traducir traduction traducteur traduire traduis traduisez tradurre traduci traduza traduzir vertaal vertalen';
const TRANSLATION_INTL = /翻译|翻譯|翻訳|번역|übersetz|переведи|перевод|tradução|traducción/i;

// ---- trigger table ------------------------------------------------------------------------

const TABLE_SIZE = 4096; // power of two; ~500 words, load < 0.15
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const tableKeys = new Int32Array(TABLE_SIZE);
const tableVals = new Int32Array(TABLE_SIZE);
const tableNext = new Int32Array(TABLE_SIZE);
/** Which rules' `lead` alternatives a word starts (rule bits, L_CUE). */
const tableLead = new Int32Array(TABLE_SIZE);
let maxTriggerLen = 0;

function hashWord(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ (word.charCodeAt(i) | 0x20), FNV_PRIME);
  return h === 0 ? 1 : h;
}

function addTriggers(words: string, bits: number): void {
  for (const w of words.split(/\s+/)) if (w !== '') addTrigger(w, bits);
}

function addTrigger(w: string, bits: number): number {
  if (!/^[a-z]+$/.test(w)) throw new Error(`trigger word must be lower-case ASCII letters: ${w}`);
  maxTriggerLen = Math.max(maxTriggerLen, w.length);
  const h = hashWord(w);
  let slot = h & (TABLE_SIZE - 1);
  while (tableKeys[slot] !== 0 && tableKeys[slot] !== h) slot = (slot + 1) & (TABLE_SIZE - 1);
  tableKeys[slot] = h;
  tableVals[slot] |= bits;
  return slot;
}

addTriggers(REASONING_WORDS, R_REASONING);
addTriggers(RECON_WORDS, R_RECON);
addTriggers(RUBRIC_WORDS, R_RUBRIC);
addTriggers(MATH_WORDS, R_MATH);
addTriggers(WORD_PROBLEM_WORDS, R_WORD_PROBLEM);
addTriggers(NUMBER_WORDS, T_NUMBER);
addTriggers('var const let', T_DECL);
addTriggers('return', T_RETURN);
addTriggers('what', T_WHAT);
addTriggers(RECON_CUE_WORDS, T_RECON_CUE);
addTriggers(CODING_WORDS, R_CODING);
addTriggers(CODE_SYNTAX_WORDS, R_CODE_SYNTAX);
for (const [w, next] of SYNTAX_NEXT) tableNext[addTrigger(w, T_SYNTAX_NEXT)] = next.charCodeAt(0) | (next.length > 1 ? NEXT_CAPITAL : 0);
addTriggers(AGENTIC_WORDS, R_AGENTIC);
addTriggers(PLANNING_WORDS, R_PLANNING);
addTriggers(WRITING_WORDS, R_WRITING);
addTriggers(KNOWLEDGE_WORDS, R_KNOWLEDGE);
addTriggers(EXTRACTION_WORDS, R_EXTRACTION);
addTriggers(TRANSLATION_WORDS, R_TRANSLATION);
for (const [words, bit] of LEADS) for (const w of words.split(/\s+/)) if (w !== '') tableLead[addTrigger(w, 0)] |= bit;

/** Rules triggered by an ASCII symbol. */
const SYMBOL_RULES = new Int32Array(128);
SYMBOL_RULES[0x60] = R_CODING; // ` (code fences)
SYMBOL_RULES[0x2b] = R_CODING; // + (c++)
// # (c#, #include): checked in scan, since a bare '#' (markdown headings, "#1") is common.
SYMBOL_RULES[0x3d] = F_EQUALS; // = (var x =; `=>` is checked in scan)
SYMBOL_RULES[0x3b] = F_SEMICOLON; // ; (return x;  ; // ; `();` is checked in scan)
SYMBOL_RULES[0x7d] = R_CODE_SYNTAX; // }
SYMBOL_RULES[0x3c] = R_CODE_SYNTAX; // < (html tags)
SYMBOL_RULES[0x5c] = R_MATH; // \ (LaTeX)
SYMBOL_RULES[0x3f] = R_KNOWLEDGE; // ? (questions)

/** Arithmetic operators that trigger math when they follow a digit or x/y/z (one space allowed). */
function isMathOp(c: number): boolean {
  return c === 0x2b || c === 0x2d || c === 0x2a || c === 0x2f || c === 0x5e || c === 0x3d || c === 0xd7 || c === 0xf7;
}

function isOperand(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x78 || c === 0x79 || c === 0x7a || c === 0x58 || c === 0x59 || c === 0x5a;
}

// What `scan` returns, in one integer (no state between calls): the rules triggered (bits 0-22), a bit
// for non-ASCII text, and the count of numbers (digit runs + number words) up to 3, the most any rule
// asks for.
const S_INTL = 1 << 23;
const NUMBERS_AT = 24;
const MAX_NUMBERS = 3;

/**
 * Where a window's lead words and line starts are (positions, with the bits of the rules whose
 * `lead` alternatives the word starts, or C_LINE): the only places sticky alternatives can match.
 * Sized for the longest window `tagBounded` passes: a position per code unit at most.
 */
class Candidates {
  readonly pos = new Int32Array(HEAD_CHARS + TAIL_CHARS + 1);
  readonly bits = new Int32Array(HEAD_CHARS + TAIL_CHARS + 1);
  count = 0;
  /** More than fit (a longer window): rules are then searched in the whole window. */
  overflow = false;

  add(at: number, bits: number): void {
    if (this.count < this.pos.length) {
      this.pos[this.count] = at;
      this.bits[this.count++] = bits;
    } else {
      this.overflow = true;
    }
  }
}

/**
 * One pass over `s`: triggered rules, non-ASCII text, number count (see S_INTL, NUMBERS_AT); the
 * candidate positions of sticky alternatives into `cand`.
 */
function scan(s: string, cand: Candidates): number {
  let rules = 0;
  /** F_ bits that do not trigger a rule (its other triggers decide whether it runs). */
  let flags = 0;
  let numbers = 0;
  let intl = false;
  const n = s.length;
  let i = 0;
  cand.count = 0;
  cand.overflow = false;
  if (n > 0) cand.add(0, C_LINE);
  while (i < n) {
    let c = s.charCodeAt(i);
    const lc = c | 0x20;
    if (lc >= 0x61 && lc <= 0x7a) {
      const start = i;
      let h = FNV_OFFSET;
      for (;;) {
        h = Math.imul(h ^ (c | 0x20), FNV_PRIME);
        if (++i >= n) break;
        c = s.charCodeAt(i);
        const l = c | 0x20;
        if (l < 0x61 || l > 0x7a) break;
      }
      const len = i - start;
      if (len <= maxTriggerLen) {
        if (h === 0) h = 1;
        let slot = h & (TABLE_SIZE - 1);
        let key = tableKeys[slot];
        while (key !== 0) {
          if (key === h) {
            const v = tableVals[slot];
            rules |= v;
            const leads = tableLead[slot];
            if (leads !== 0) cand.add(start, leads);
            if ((v & T_NUMBER) !== 0) numbers++;
            if ((v & T_SYNTAX_NEXT) !== 0 && i < n) {
              const next = tableNext[slot];
              if (s.charCodeAt(i) === (next & 0xffff)) {
                const after = i + 1 < n ? s.charCodeAt(i + 1) : 0;
                if ((next & NEXT_CAPITAL) === 0 || (after >= 0x41 && after <= 0x5a)) rules |= R_CODE_SYNTAX;
              }
            }
            break;
          }
          slot = (slot + 1) & (TABLE_SIZE - 1);
          key = tableKeys[slot];
        }
      }
      if (len >= 8 && endsWithLower(s, start + 8, 'function')) rules |= R_CODE_SYNTAX | F_FUNCTION;
      if (len > 5 && endsWithLower(s, i, 'error')) rules |= R_CODING | F_ERROR_NAME;
      else if (len > 9 && endsWithLower(s, i, 'exception')) rules |= R_CODING | F_ERROR_NAME;
      else if ((len === 5 && endsWithLower(s, i, 'error')) || (len === 9 && endsWithLower(s, i, 'exception'))) {
        if (start > 0 && isWordDigitOrUnderscore(s.charCodeAt(start - 1))) rules |= R_CODING | F_ERROR_NAME; // x_Error, 6Error
      }
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      numbers++;
      do i++;
      while (i < n && (c = s.charCodeAt(i)) >= 0x30 && c <= 0x39);
      continue;
    }
    if (c < 0x80) {
      rules |= SYMBOL_RULES[c];
      if (c === 0x0a || c === 0x0d) cand.add(i + 1, C_LINE);
      if (isMathOp(c) && i > 0) {
        const p = s.charCodeAt(i - 1);
        if (isOperand(p) || (p === 0x20 && i > 1 && isOperand(s.charCodeAt(i - 2)))) {
          // MATH's only alternative with '-' or '/' between numbers starts "what is".
          rules |= c === 0x2d || c === 0x2f ? F_MINUS_SLASH : R_MATH;
        }
      }
      if (c === 0x3d) {
        if (i + 1 < n && s.charCodeAt(i + 1) === 0x3e) rules |= R_CODE_SYNTAX; // =>
      } else if (c === 0x3b) {
        if (i > 1 && s.charCodeAt(i - 1) === 0x29 && s.charCodeAt(i - 2) === 0x28) {
          rules |= R_CODE_SYNTAX; // ();
          if (i > 2 && isWordUnit(s.charCodeAt(i - 3))) flags |= F_EMPTY_CALL;
        }
      } else if (c === 0x2f && i + 1 < n && s.charCodeAt(i + 1) === 0x2f) {
        rules |= F_SLASHES;
      } else if (c === 0x23) {
        if (i > 0 && (s.charCodeAt(i - 1) | 0x20) === 0x63) rules |= R_CODING; // c#
        if (endsWithLower(s, i + 8, 'include')) rules |= R_CODE_SYNTAX; // #include
      }
    } else if (c >= 0xc0 && (c < 0x2000 || c > 0x206f) && c !== 0xfeff) {
      intl = true;
      if (c === 0x221a) rules |= R_MATH; // √
      else if ((c === 0xd7 || c === 0xf7) && i > 0) {
        // × ÷ after a digit, one space allowed, as for the ASCII operators.
        const p = s.charCodeAt(i - 1);
        if (isOperand(p) || (p === 0x20 && i > 1 && isOperand(s.charCodeAt(i - 2)))) rules |= R_MATH;
      }
    } else if (c === 0x2028 || c === 0x2029) {
      cand.add(i + 1, C_LINE); // line terminators of `^` in multiline mode
    }
    i++;
  }
  if ((rules & F_EQUALS) !== 0 && (rules & T_DECL) !== 0) rules |= R_CODE_SYNTAX;
  if ((rules & F_SEMICOLON) !== 0 && (rules & (T_RETURN | F_SLASHES)) !== 0) rules |= R_CODE_SYNTAX;
  if ((rules & F_MINUS_SLASH) !== 0 && (rules & T_WHAT) !== 0) rules |= R_MATH;
  if ((rules & T_RECON_CUE) === 0) rules &= ~R_RECON;
  return rules | flags | (intl ? S_INTL : 0) | (Math.min(numbers, MAX_NUMBERS) << NUMBERS_AT);
}

/** A \w code unit that is not a letter: a digit or '_'. */
function isWordDigitOrUnderscore(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** A \w code unit (regex word character): ASCII letter, digit or '_'. */
function isWordUnit(c: number): boolean {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || isWordDigitOrUnderscore(c);
}

/** Whether s[end - suffix.length, end) equals `suffix` (lower-case ASCII) case-insensitively. */
function endsWithLower(s: string, end: number, suffix: string): boolean {
  if (end > s.length) return false;
  const start = end - suffix.length;
  for (let k = 0; k < suffix.length; k++) if ((s.charCodeAt(start + k) | 0x20) !== suffix.charCodeAt(k)) return false;
  return true;
}

// ---- tagging ------------------------------------------------------------------------------

const BIT = CAPABILITY_BIT;

/**
 * Tags texts and exchanges. It owns the scanner's candidate positions and its own copies of the
 * sticky regexes (each try sets their `lastIndex`), so keep one per thread of work and reuse it: it
 * allocates nothing per call but string slices of long texts.
 */
export class CapabilityTagger {
  private readonly cand = new Candidates();
  private readonly lead = RULES.map((r) => r.lead && new RegExp(r.lead));
  private readonly line = RULES.map((r) => r.line && new RegExp(r.line));

  /**
   * Capability tags of one exchange: its last user turn, its system prompt and its tool count.
   * `_thinking` is accepted for the exchange's full picture but tags nothing (module comment).
   */
  tag(prompt: string, system: string, tools: number, _thinking: boolean): CapabilityMask {
    let m = this.bounded(prompt, HEAD_CHARS, TAIL_CHARS, false);
    if (system.length > 0) m |= this.bounded(system, SYSTEM_HEAD_CHARS, SYSTEM_TAIL_CHARS, false);
    if (tools > 0) m |= BIT.agentic;
    return m;
  }

  /** Capability tags of a text alone (its first HEAD_CHARS and last TAIL_CHARS); see `tagTextExhaustive`. */
  text(text: string, exhaustive = false): CapabilityMask {
    return this.bounded(text, HEAD_CHARS, TAIL_CHARS, exhaustive);
  }

  /** Tags of a text, reading only its head and tail when it is long. */
  private bounded(text: string, head: number, tail: number, exhaustive: boolean): CapabilityMask {
    if (text.length <= head + tail) return this.window(text, exhaustive);
    return this.window(text.slice(0, head), exhaustive) | this.window(text.slice(text.length - tail), exhaustive);
  }

  /** Tags of one text window; `exhaustive` ignores the prefilter and runs each rule's whole regex (tests compare both). */
  private window(s: string, exhaustive: boolean): CapabilityMask {
    if (s.length === 0) return 0;
    const scanned = scan(s, this.cand);
    const r = exhaustive ? ALL_RULES : scanned & (S_INTL - 1);
    const intl = exhaustive || (scanned & S_INTL) !== 0;
    const numbers = (scanned >>> NUMBERS_AT) & MAX_NUMBERS;
    const test = (rule: Rule): boolean => (exhaustive ? rule.full.test(s) : this.matches(rule, s, scanned));
    let m = 0;
    if (((r & R_REASONING) !== 0 && test(REASONING)) || (intl && REASONING_INTL.test(s))) m |= BIT.reasoning;
    if ((r & R_RECON) !== 0 && test(RECON_PHRASE) && test(RECON_CUE)) m |= BIT.reasoning_reconstruction;
    if ((r & R_RUBRIC) !== 0 && test(RUBRIC)) m |= BIT.rubric_grading;
    if ((r & R_MATH) !== 0 && test(MATH_TERMS)) m |= BIT.math;
    else if (
      (r & R_WORD_PROBLEM) !== 0 &&
      numbers >= 2 &&
      s.length <= WORD_PROBLEM_MAX_CHARS &&
      (test(QUANTITY_QUESTION) || (numbers >= 3 && test(WH_QUESTION)))
    ) {
      m |= BIT.math;
    }
    if (((r & R_CODING) !== 0 && test(CODING)) || ((r & R_CODE_SYNTAX) !== 0 && test(CODE_SYNTAX))) m |= BIT.coding;
    if ((r & R_AGENTIC) !== 0 && test(AGENTIC)) m |= BIT.agentic;
    if ((r & R_PLANNING) !== 0 && test(PLANNING)) m |= BIT.planning;
    if (((r & R_WRITING) !== 0 && test(WRITING)) || (intl && WRITING_INTL.test(s))) m |= BIT.writing;
    if (((r & R_KNOWLEDGE) !== 0 && test(KNOWLEDGE)) || (intl && KNOWLEDGE_INTL.test(s))) m |= BIT.knowledge;
    if (((r & R_EXTRACTION) !== 0 && test(EXTRACTION)) || (intl && EXTRACTION_INTL.test(s))) m |= BIT.extraction;
    if (((r & R_TRANSLATION) !== 0 && test(TRANSLATION)) || (intl && TRANSLATION_INTL.test(s))) m |= BIT.translation;
    return m;
  }

  /** `rule.full.test(s)`, trying its sticky alternatives only where they can start (the last scan's candidates). */
  private matches(rule: Rule, s: string, scanned: number): boolean {
    const cand = this.cand;
    if (cand.overflow) return rule.full.test(s);
    const lead = this.lead[rule.id];
    const line = this.line[rule.id];
    const { pos, bits } = cand;
    for (let k = 0; k < cand.count; k++) {
      const b = bits[k];
      if (lead !== undefined && (b & rule.leadBit) !== 0) {
        lead.lastIndex = pos[k];
        if (lead.test(s)) return true;
      }
      if (line !== undefined && (b & C_LINE) !== 0) {
        line.lastIndex = pos[k];
        if (line.test(s)) return true;
      }
    }
    for (const f of rule.flagged) if ((scanned & f.flag) !== 0 && f.re.test(s)) return true;
    return rule.rest !== undefined && rule.rest.test(s);
  }
}

/** Every rule's regex as written (its `full` form): tests build text from their words. */
export function capabilityRuleSources(): string[] {
  return RULES.map((r) => r.full.source);
}

/** Capability tags of a text alone (its first HEAD_CHARS and last TAIL_CHARS). For occasional use: a hot path keeps a CapabilityTagger. */
export function tagText(text: string): CapabilityMask {
  return new CapabilityTagger().text(text);
}

/**
 * `tagText` without the trigger prefilter and the candidate positions: every rule's whole regex runs
 * over the window. Slow; exists so tests can check that neither ever changes a result.
 */
export function tagTextExhaustive(text: string): CapabilityMask {
  return new CapabilityTagger().text(text, true);
}

/** `CapabilityTagger.tag` for occasional use (a hot path keeps a CapabilityTagger). */
export function tagCapabilities(prompt: string, system: string, tools: number, thinking: boolean): CapabilityMask {
  return new CapabilityTagger().tag(prompt, system, tools, thinking);
}

/** Asks for step-by-step / chain-of-thought reasoning ("show your work", "think step by step"). */
export function isReasoningElicitation(text: string): boolean {
  return (tagText(text) & BIT.reasoning) !== 0;
}

/** Asks to articulate the reasoning behind an already-given answer (trace inversion). */
export function isReasoningReconstruction(text: string): boolean {
  return (tagText(text) & BIT.reasoning_reconstruction) !== 0;
}

/** Asks to grade or score a response against a rubric or scale. */
export function isRubricGrading(text: string): boolean {
  return (tagText(text) & BIT.rubric_grading) !== 0;
}

/** Names of the capabilities set in a mask, in CAPABILITIES order. */
export function capabilitiesOf(mask: CapabilityMask): Capability[] {
  return CAPABILITIES.filter((c) => (mask & BIT[c]) !== 0);
}

/** Mask of the named capabilities. */
export function maskOf(...caps: Capability[]): CapabilityMask {
  let m = 0;
  for (const c of caps) m |= BIT[c];
  return m;
}

/** The tagger's classes for a checkpoint; its regular expressions are rebuilt by the constructor, not written. */
export const CONTENT_TAGS_KINDS: StateKinds = { classes: [CapabilityTagger, Candidates], constants: [], opaque: [RegExp] };
