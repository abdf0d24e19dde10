import { describe, expect, it } from 'vitest';
import { Group } from './groups.js';
import { differentPipelines } from './pipelines.js';

describe('differentPipelines', () => {
  const appDefault = new Group('system:333', 'system');
  const none = (): boolean => false;
  const systemA = new Group('system:111', 'system');
  const systemB = new Group('system:222', 'system');
  const publicScaffold = new Group('template:7', 'template');
  const sdk = new Group('client:9', 'client');
  const card = new Group('payment:pm_1', 'payment');

  it('tells apart accounts whose recurring system prompts share none, whatever else they share', () => {
    expect(differentPipelines([systemA, publicScaffold, sdk], [systemB, publicScaffold, sdk], none)).toBe(true);
    expect(differentPipelines([systemA, card], [systemB, card], none)).toBe(true);
  });

  it('tells apart an account with a system prompt from one without', () => {
    expect(differentPipelines([systemA, publicScaffold], [publicScaffold], none)).toBe(true);
    expect(differentPipelines([publicScaffold], [publicScaffold, systemB], none)).toBe(true);
  });

  it('does not tell apart accounts sharing a system prompt, or with none at all', () => {
    expect(differentPipelines([systemA, publicScaffold], [publicScaffold, systemA], none)).toBe(false);
    expect(differentPipelines([systemA, systemB], [systemB], none)).toBe(false);
    expect(differentPipelines([publicScaffold, sdk], [sdk], none)).toBe(false);
    expect(differentPipelines([], [], none)).toBe(false);
  });

  it("ignores an app's default system prompt (the cover traffic of one, nothing in the other)", () => {
    const common = (g: Group): boolean => g === appDefault;
    expect(differentPipelines([appDefault, publicScaffold], [publicScaffold], common)).toBe(false);
    expect(differentPipelines([appDefault], [new Group('system:444', 'system')], (g) => g === appDefault)).toBe(true);
    expect(differentPipelines([appDefault, systemA], [systemA], common)).toBe(false);
    expect(differentPipelines([appDefault, systemA], [appDefault], common)).toBe(true);
  });
});
