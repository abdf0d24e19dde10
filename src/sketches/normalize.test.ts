import { describe, expect, it } from 'vitest';
import { PLACEHOLDERS, Scaffolder, scaffoldText } from './normalize.js';
import { corpusSkipReason, loadPromptCorpus } from './prompt-corpus.js';

describe('scaffoldText masking', () => {
  it('lower-cases and collapses whitespace', () => {
    expect(scaffoldText('  Write   a\tPOEM\n\n about   the sea  ')).toBe('write a poem about the sea');
  });

  it('masks numbers, with inner separators, in any script', () => {
    expect(scaffoldText('Janet sells 16 eggs at $2.50 each, 1,234 in total, at 10:30.')).toBe(
      'janet sells 0 eggs at $0 each, 0 in total, at 0.',
    );
    expect(scaffoldText('Add ٣٤ and ４２')).toBe('add 0 and 0');
    expect(scaffoldText('gpt4 and PY2022')).toBe('gpt0 and py0');
  });

  it('masks quoted strings of every common quote style, but not apostrophes', () => {
    expect(scaffoldText('Translate "Hello, how are you?" into French')).toBe('translate <q> into N');
    expect(scaffoldText('Rewrite “this sentence” and «cette phrase» and 「文」')).toBe('rewrite <q> and <q> and <q>');
    expect(scaffoldText("the word 'apple' isn't it")).toBe("the word <q> isn't it");
    expect(scaffoldText("don't won't can't")).toBe("don't won't can't");
  });

  it('leaves an unbalanced quote alone instead of swallowing the text', () => {
    expect(scaffoldText('He is 5\'10" tall and reads books.\n\nThen "he leaves')).toBe('he is 0\'0" tall and reads books. then "he leaves');
  });

  it('masks fenced code blocks (closed or not) and inline code', () => {
    expect(scaffoldText('Fix this:\n```python\nprint("hi")\n```\nThanks')).toBe('fix this: <code> thanks');
    expect(scaffoldText('Explain `arr.map(f)` briefly')).toBe('explain <code> briefly');
    expect(scaffoldText('Review:\n```js\nlet a = 1;\n')).toBe('review: <code>');
  });

  it('masks URLs and e-mail addresses, leaving sentence punctuation outside', () => {
    expect(scaffoldText('Summarize https://example.com/a?b=1. Then www.foo.org/x, then mail john.smith+x@mail.example.co.uk!')).toBe(
      'summarize <url>. then <url>, then mail <email>!',
    );
    expect(scaffoldText('(see http://x.io/y)')).toBe('(see <url>)');
  });

  it('masks every address wherever the at signs fall, and leaves at signs that make none', () => {
    expect(scaffoldText('Write to a@b.co and c.d@e.org, not @handle or x@y. Mail me@example.com')).toBe(
      'write to <email> and <email>, not @handle or x@y. mail <email>',
    );
    expect(scaffoldText('@first then bob@host.io')).toBe('@first then <email>');
    expect(scaffoldText('trailing at@')).toBe('trailing at@');
    expect(scaffoldText('no at sign here at all')).toBe('no at sign here at all');
  });

  it('masks capitalized words mid-sentence as names, one N per run, but not sentence starts or acronyms', () => {
    expect(scaffoldText('Write a poem about Paris and New York City in the style of Emily Dickinson.')).toBe(
      'write a poem about N and N in the style of N.',
    );
    expect(scaffoldText('Return JSON for the NASA data. Paris is big.')).toBe('return json for the nasa data. paris is big.');
    expect(scaffoldText('Question: What is I?')).toBe('question: what is i?');
    expect(scaffoldText('Ask Smith-Jones now')).toBe('ask N now');
    expect(scaffoldText('Ask Smith, Jones')).toBe('ask N, N');
  });

  it('collapses runs of one punctuation mark', () => {
    expect(scaffoldText('Wait!!! What...???')).toBe('wait! what.?');
    expect(scaffoldText('------\nTitle\n======')).toBe('- title =');
  });

  it('keeps CJK text, masks CJK quotes', () => {
    expect(scaffoldText('用中文回答：什么是“机器学习”？')).toBe('用中文回答：什么是<q>？');
  });

  it('maps prompts of one template with different payloads to one scaffold', () => {
    const template = (name: string, n: number, q: string, url: string): string =>
      `You are a helpful tutor. Student ${name} asked question #${n}: "${q}". Source: ${url}. Solve it step by step.`;
    const a = scaffoldText(template('Alice Johnson', 12, 'What is 2+2?', 'https://a.example/1'));
    const b = scaffoldText(template('Bob', 9981, 'Why is the sky blue? Explain in detail.', 'http://b.example/xyz?q=2'));
    expect(a).toBe(b);
    expect(a).toBe('you are a helpful tutor. student N asked question #0: <q>. source: <url>. solve it step by step.');
  });
});

describe('scaffoldText length cap', () => {
  it('returns texts that fit untouched by the cap', () => {
    const s = scaffoldText('word '.repeat(300));
    expect(s.length).toBe(300 * 5 - 1);
    expect(s).not.toContain(PLACEHOLDERS.cut);
  });

  it('keeps head and tail of long texts, joined by <cut>, within maxChars', () => {
    const text = 'Please summarize the following document. ' + 'lorem ipsum dolor sit amet. '.repeat(2000) + 'Answer in JSON with keys "summary" and "title".';
    const s = scaffoldText(text);
    expect(s.length).toBeLessThanOrEqual(2000);
    expect(s.startsWith('please summarize the following document. lorem ipsum dolor sit amet.')).toBe(true);
    expect(s.endsWith('answer in json with keys <q> and <q>.')).toBe(true);
    expect(s).toContain(' <cut> ');
    // The tail starts on a word boundary.
    const tail = s.slice(s.indexOf('<cut>') + 6);
    expect(['lorem', 'ipsum', 'dolor', 'sit', 'amet']).toContain(tail.split(' ')[0]);
  });

  it('a long text that masks down below the cap is not cut', () => {
    const text = 'Fix this:\n```js\n' + 'let x = 1;\n'.repeat(5000) + '```\nExplain the bug.';
    expect(scaffoldText(text)).toBe('fix this: <code> explain the bug.');
  });

  it('a tail that starts inside a code fence masks it', () => {
    const text = 'Review this. ' + 'some intro words '.repeat(1000) + '```js\n' + 'let x = 1; '.repeat(5000) + '\n```\nExplain the bug, please.';
    const s = scaffoldText(text);
    expect(s.endsWith('<cut> <code> explain the bug, please.')).toBe(true);
  });

  it('honours custom caps and rejects silly ones', () => {
    const text = 'alpha beta gamma delta '.repeat(100);
    const s = scaffoldText(text, 200);
    expect(s.length).toBeLessThanOrEqual(200);
    expect(s).toContain('<cut>');
    expect(() => new Scaffolder(5)).toThrow(RangeError);
    expect(new Scaffolder(200).scaffold(text)).toBe(s);
  });
});

describe('scaffoldText on adversarial inputs stays linear', () => {
  const cases: [string, string][] = [
    ['unmatched quotes', '"a '.repeat(20_000)],
    ['quotes separated by blank lines', '"x\n\n'.repeat(15_000)],
    ['backticks', '`a'.repeat(25_000)],
    ['single quotes', " 'a".repeat(20_000)],
    ['one huge word', 'a'.repeat(60_000)],
    ['at signs and dots', 'a.b@'.repeat(15_000)],
    ['digits and separators', '1,2.3:'.repeat(10_000)],
    ['url prefixes', 'http://'.repeat(8_000)],
    ['fences', '```\n'.repeat(15_000)],
  ];
  // No timing assertion (speed is a benchmark's job): a catastrophic scan would hit the test timeout.
  it.each(cases)('%s (60 KB) stays within the scaffold budget', (_name, text) => {
    expect(scaffoldText(text).length).toBeLessThanOrEqual(2000);
  });
});

const skip = corpusSkipReason();
if (skip) console.warn(`normalize.test: ${skip}`);

describe.skipIf(skip !== undefined)('on real prompts', () => {
  it('changing the payload (numbers, names) of real prompts leaves their scaffold unchanged', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const names = ['Zelda', 'Marcus', 'Ottawa', 'Priyanka', 'Lagos'];
    let total = 0;
    let same = 0;
    for (const name of ['organic-sharegpt', 'distill-alpaca', 'distill-math'] as const) {
      for (const r of loadPromptCorpus(name) ?? []) {
        const variant = r.text
          .replace(/\d+/g, () => String(Math.floor(rand() * 100000)))
          .replace(/(?<=[a-z,] )[A-Z][a-z]+/g, () => names[Math.floor(rand() * names.length)]);
        total++;
        if (scaffoldText(variant) === scaffoldText(r.text)) same++;
      }
    }
    console.log(`scaffold unchanged under payload edits: ${same}/${total}`);
    expect(same / total).toBeGreaterThan(0.995);
  });

  it('payload masking barely merges distinct real prompts (they are distinct tasks)', () => {
    const math = (loadPromptCorpus('distill-math') ?? []).map((r) => r.text);
    const distinctRaw = new Set(math).size;
    const distinctScaffolds = new Set(math.map((t) => scaffoldText(t))).size;
    console.log(`distill-math: ${distinctRaw} distinct prompts, ${distinctScaffolds} distinct scaffolds`);
    expect(distinctScaffolds).toBeLessThanOrEqual(distinctRaw);
    expect(distinctScaffolds / distinctRaw).toBeGreaterThan(0.98);
  });

  it('every scaffold is within the cap, lower-case outside placeholders, and single-spaced', () => {
    for (const r of loadPromptCorpus('organic-sharegpt') ?? []) {
      const s = scaffoldText(r.text);
      expect(s.length).toBeLessThanOrEqual(2000);
      expect(s).not.toMatch(/\s{2}|^\s|\s$/);
      const withoutNames = s.replace(/(?<![a-z])N(?![a-z])/g, '');
      expect(withoutNames).toBe(withoutNames.toLowerCase());
    }
  });
});
