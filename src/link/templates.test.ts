import { describe, expect, it } from 'vitest';
import { buildEngineConfig } from '../config/schema.js';
import { rng } from '../../test/helpers/records.js';
import { TemplateIndex, TemplateSketcher } from './templates.js';

const newIndex = (): TemplateIndex => new TemplateIndex(buildEngineConfig().template);

function ids(index: TemplateIndex, prompt: string): number[] {
  const out: number[] = [];
  index.assign(prompt, out);
  return out;
}

const CUSTOMERS = ['Maria Lopez', 'John Smith', 'Aiko Tanaka', 'Pieter Janssen', 'Fatima Zahra'];
const TICKETS = [
  'My invoice for March shows the wrong VAT number and I cannot download it.',
  'The app crashes whenever I open settings on my phone after the update.',
  'I was charged twice for order 88213 and nobody answers my emails.',
  'How do I export all my data before closing the account?',
  'The delivery arrived broken, the box was soaked and the glass shattered.',
];

/** A routing pipeline: fixed text around a customer name and a quoted ticket. */
function ticketPrompt(i: number): string {
  return (
    `Please review the following support ticket from customer ${CUSTOMERS[i % CUSTOMERS.length]} and decide which team should handle it. ` +
    `Ticket #${1000 + i}: "${TICKETS[i % TICKETS.length]}" ` +
    'Answer with the team name and a one sentence justification for the routing decision.'
  );
}

const PAYLOADS = [
  'the mitochondria is the powerhouse of the cell and produces most of its chemical energy through respiration',
  'a binary heap keeps the smallest element at the root so that extracting it takes logarithmic time overall',
  'the treaty ended the war but left both sides unhappy about the new borders drawn across the river valley',
];

/** A summarising pipeline: the payload is free text in the middle, untouched by masking. */
function summaryPrompt(i: number): string {
  return (
    'You are a careful summarizer working for a research team. Read the passage below and summarize it faithfully. ' +
    `${PAYLOADS[i % PAYLOADS.length]} ` +
    'Return exactly three bullet points and do not add any information that is not in the passage.'
  );
}

const UNRELATED = [
  'hey can you help me write a birthday message for my sister who is turning thirty next week',
  'what are some good vegetarian recipes for dinner tonight that use chickpeas and spinach and rice',
  'my react component re-renders too often when the parent state changes, what could cause that behaviour',
  'give me ideas for a weekend trip near the mountains in october with kids and a small dog',
];

describe('TemplateIndex', () => {
  it('gives near-duplicate scaffolds around different payloads the same head and tail templates', () => {
    const index = newIndex();
    const first = ids(index, ticketPrompt(0));
    expect(first).toHaveLength(2);
    for (let i = 1; i < 10; i++) expect(ids(index, ticketPrompt(i)), ticketPrompt(i)).toEqual(first);

    const summary = ids(index, summaryPrompt(0));
    expect(summary).toHaveLength(2);
    for (let i = 1; i < 6; i++) expect(ids(index, summaryPrompt(i))).toEqual(summary);
    // Two pipelines are two templates.
    expect(summary.filter((id) => first.includes(id))).toEqual([]);
  });

  it('recognises the scaffold by its head or its tail alone', () => {
    const index = newIndex();
    const [head, tail] = ids(index, summaryPrompt(0));
    const newEnding = ids(
      index,
      'You are a careful summarizer working for a research team. Read the passage below and summarize it faithfully. ' +
        'Interest rates rose again this quarter. Please reply in French, in one short paragraph, for a general audience of readers.',
    );
    expect(newEnding[0]).toBe(head);
    expect(newEnding[1]).not.toBe(tail);
    const newOpening = ids(
      index,
      'Here is some text my boss sent me this morning about the project and the budget for next year. ' +
        `${PAYLOADS[1]} Return exactly three bullet points and do not add any information that is not in the passage.`,
    );
    expect(newOpening[0]).not.toBe(head);
    expect(newOpening[1]).toBe(tail);
  });

  it('gives unrelated prompts different templates', () => {
    const index = newIndex();
    const seen = new Set<number>();
    for (const p of UNRELATED) {
      const got = ids(index, p);
      expect(got).toHaveLength(2);
      for (const id of got) {
        expect(seen.has(id), p).toBe(false);
        seen.add(id);
      }
    }
    expect(index.size).toBe(2 * UNRELATED.length);
  });

  it('yields no template for short prompts and only a head for prompts of one window', () => {
    const index = newIndex();
    expect(ids(index, 'hi')).toEqual([]);
    expect(ids(index, 'what is the capital')).toEqual([]); // 4 words
    expect(ids(index, 'fix my code please')).toEqual([]);
    expect(ids(index, '')).toEqual([]);
    expect(index.size).toBe(0);
    expect(ids(index, 'please translate this sentence into german for me')).toHaveLength(1); // 8 words
    expect(ids(index, 'please translate this short sentence into german for me right now thanks')).toHaveLength(1); // 12 words
    expect(ids(index, 'please translate this short sentence into german for me right now thanks friend')).toHaveLength(2); // 13 words
  });

  it('cuts the head at the twelfth word and the tail at the twelfth from the end', () => {
    const sketcher = new TemplateSketcher(buildEngineConfig({}).template);
    const words = (n: number): string => Array.from({ length: n }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}`).join(' ');
    const windows = (n: number): string[] => [...sketcher.sketch(words(n)).windows];
    expect(windows(5)).toEqual([]);
    expect(windows(6)).toEqual([words(6)]);
    expect(windows(12)).toEqual([words(12)]);
    expect(windows(13)).toEqual([words(12), words(13).slice(3)]);
    expect(windows(30)).toEqual([words(12), 'ws wt wu wv ww wx wy wz wa wb wc wd']);
  });

  it('gives a repeated window the keys a fresh sketcher gives, however its memory of windows has turned over', () => {
    const cfg = buildEngineConfig({}).template;
    const sketcher = new TemplateSketcher(cfg);
    const r = rng(11);
    const vocab = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa'.split(' ');
    // 4,000 distinct prompts of two windows each, so windows outnumber the memory's slots and evict each other.
    const pool = Array.from({ length: 4000 }, () => Array.from({ length: 14 }, () => vocab[Math.floor(r() * vocab.length)]).join(' '));
    let compared = 0;
    for (let i = 0; i < 30_000; i++) {
      const prompt = pool[Math.floor(r() * pool.length)];
      const got = sketcher.sketch(prompt);
      if (i % 150 === 0) {
        expect(got).toEqual(new TemplateSketcher(cfg).sketch(prompt));
        compared++;
      }
    }
    expect(compared).toBe(200);
  });

  it('is deterministic: the same prompts in the same order get the same ids in a new index', () => {
    const a = newIndex();
    const b = newIndex();
    const prompts = [...UNRELATED, ticketPrompt(0), summaryPrompt(1), ticketPrompt(3)];
    expect(prompts.map((p) => ids(b, p))).toEqual(prompts.map((p) => ids(a, p)));
  });

  it('keeps its memory fixed under a flood of one-off prompts while a recurring scaffold keeps its id', () => {
    const index = newIndex();
    const scaffold = ids(index, ticketPrompt(0));
    const before = footprint(index);
    const r = rng(3);
    const vocab = 'apple river stone cloud market engine silver garden window paper violet hammer ocean candle forest bridge mirror lantern pepper saddle'.split(' ');
    const word = (): string => vocab[Math.floor(r() * vocab.length)] + 'bcdfghjklmnpqrstvwxz'.charAt(Math.floor(r() * 20));
    const floodSize = 10_000;
    for (let i = 0; i < floodSize; i++) {
      ids(index, Array.from({ length: 30 }, word).join(' '));
      if (i % 500 === 0) expect(ids(index, ticketPrompt(i))).toEqual(scaffold);
    }
    expect(ids(index, ticketPrompt(7))).toEqual(scaffold);
    expect(index.size).toBeGreaterThan(floodSize); // the flood did make new templates...
    expect(footprint(index)).toBe(before); // ...without growing anything
  });
});

/** Bytes held by typed arrays plus entries of arrays, maps and sets reachable from `root`. */
function footprint(root: unknown): number {
  const seen = new Set<object>();
  let total = 0;
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      total += v.byteLength;
    } else if (v instanceof Map) {
      total += v.size;
      for (const [k, x] of v) {
        visit(k);
        visit(x);
      }
    } else if (v instanceof Set || Array.isArray(v)) {
      const items = [...(v as Iterable<unknown>)];
      total += items.length;
      items.forEach(visit);
    } else {
      Object.values(v).forEach(visit);
    }
  };
  visit(root);
  return total;
}

describe('template sketches computed elsewhere', () => {
  it('assignSketch gives the ids assign gives, window and salt included', () => {
    const cfg = buildEngineConfig().template;
    const created: [number, string, number][][] = [[], []];
    const direct = new TemplateIndex(cfg, (id, w, salt) => created[0].push([id, w, salt]));
    const viaSketch = new TemplateIndex(cfg, (id, w, salt) => created[1].push([id, w, salt]));
    const sketcher = new TemplateSketcher(cfg);
    const prompts = [...Array.from({ length: 20 }, (_, i) => ticketPrompt(i)), ...Array.from({ length: 20 }, (_, i) => summaryPrompt(i)), 'too short', 'hello there'];
    for (const p of prompts) {
      const sk = sketcher.sketch(p);
      const viaIds: number[] = [];
      const directIds: number[] = [];
      expect(viaSketch.assignSketch(sk, viaIds)).toBe(direct.assign(p, directIds));
      expect(viaIds).toEqual(directIds);
    }
    expect(created[1]).toEqual(created[0]);
    expect(created[0].length).toBeGreaterThan(1);
  });
});
