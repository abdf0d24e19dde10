import { DEFAULT_SCORING } from '../config/scoring.js';
import { describe, expect, it } from 'vitest';
import type { Reason } from '../core/reasons.js';
import { confirmationWeight, DecisionBook } from './decisions.js';

// The book reads codes and weights only: the parameters are left empty.
const r = (code: Reason['code'], weight: number): Reason => ({ code, weight, detail: {} }) as unknown as Reason;

describe('DecisionBook', () => {
  it('a dismissal removes the evidence seen so far, and lets evidence that grows after it count', () => {
    const book = new DecisionBook();
    book.dismiss(3, [r('shared_payment', 0.9), r('campaign_member', 0.6)], 1000);
    const same = book.adjust(3, [r('shared_payment', 0.9), r('campaign_member', 0.6)]);
    expect(same.map((x) => x.code)).toEqual(['analyst_dismissed']);
    const grown = book.adjust(3, [r('shared_payment', 0.9), r('campaign_member', 0.8), r('lockstep', 0.4)]);
    expect(grown.filter((x) => x.weight > 0).map((x) => [x.code, Math.round(x.weight * 100) / 100])).toEqual([
      ['campaign_member', 0.2],
      ['lockstep', 0.4],
    ]);
    // Other accounts are untouched.
    expect(book.adjust(4, [r('lockstep', 0.4)])).toEqual([r('lockstep', 0.4)]);
  });

  it('a second dismissal adds to the first (reasons as last judged are already net of it)', () => {
    const book = new DecisionBook();
    book.dismiss(1, [r('lockstep', 0.4)], 1000);
    const net = book.adjust(1, [r('lockstep', 0.7)]);
    book.dismiss(1, net, 2000);
    expect(book.adjust(1, [r('lockstep', 0.7)]).map((x) => x.code)).toEqual(['analyst_dismissed']);
  });

  it('confirmation adds the analyst reason, replaces a dismissal, and is counted for the campaign', () => {
    const book = new DecisionBook();
    book.dismiss(2, [r('lockstep', 0.4)], 1000);
    book.confirm(2, 2000);
    expect(book.adjust(2, [r('lockstep', 0.4)]).map((x) => x.code)).toEqual(['lockstep', 'analyst_confirmed']);
    expect(book.confirmedAmong([{ idx: 1 }, { idx: 2 }])).toBe(1);
    expect([0, 1, 2, 3, 9].map((n) => confirmationWeight(n, DEFAULT_SCORING.campaign))).toEqual([0, 0.5, 0.75, 1, 1]);
  });
});
