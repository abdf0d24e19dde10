import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REASON_CODES, renderReason, sortReasons } from './reasons.js';

describe('reason catalogue', () => {
  it('documents every code in docs/reasons.md', () => {
    const doc = readFileSync(new URL('../../docs/reasons.md', import.meta.url), 'utf8');
    for (const code of Object.keys(REASON_CODES)) expect(doc, code).toContain(`\`${code}\``);
  });

  it('renders text from code and parameters and sorts strongest first', () => {
    expect(renderReason({ code: 'shared_payment', weight: 0.9, detail: { accounts: 12, suspicion: 0.87654 } })).toBe(
      'payment instrument shared with other accounts (accounts=12, suspicion=0.877)',
    );
    const sorted = sortReasons([
      { code: 'single_turn', weight: 0.3, detail: {} },
      { code: 'shared_payment', weight: 0.9, detail: {} },
      { code: 'lockstep', weight: 0.3, detail: {} },
    ]);
    expect(sorted.map((r) => r.code)).toEqual(['shared_payment', 'lockstep', 'single_turn']);
  });
});
