// The one-way import rule of eslint.config.js, run through ESLint itself on imports written for the
// test: a stage importing a later one must fail, the same import the other way must pass.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering (eslint no-restricted-imports per folder)', () => {
  it('rejects a stage importing a later stage, types included', async () => {
    const backward = await importErrors('src/observe/fixture.ts', "import type { Judge } from '../judge/judge.js';\nexport type J = Judge;\n");
    expect(backward).toHaveLength(1);
    expect(backward[0]).toContain('src/observe comes before');
    expect(await importErrors('src/link/fixture.ts', "import { Engine } from '../engine/engine.js';\nexport const E = Engine;\n")).toHaveLength(1);
    expect(await importErrors('src/config/fixture.ts', "import { Keyring } from '../intel/keyring.js';\nexport const K = Keyring;\n")).toHaveLength(1);
    // The simulator is callable without the commands (tests and benchmarks import it from src/sim).
    expect(await importErrors('src/sim/fixture.ts', "import { runScan } from '../cli/scan.js';\nexport const S = runScan;\n")).toHaveLength(1);
    // From a nested folder too.
    expect(await importErrors('src/core/deep/fixture.ts', "import { Observer } from '../../observe/observer.js';\nexport const O = Observer;\n")).toHaveLength(1);
  });

  it('accepts the same imports the other way, within a folder, and in tests', async () => {
    expect(await importErrors('src/judge/fixture.ts', "import type { AccountState } from '../observe/account-state.js';\nexport type A = AccountState;\n")).toEqual([]);
    expect(await importErrors('src/engine/fixture.ts', "import { Linker } from '../link/linker.js';\nexport const L = Linker;\n")).toEqual([]);
    expect(await importErrors('src/observe/fixture.ts', "import { Observer } from './observer.js';\nexport const O = Observer;\n")).toEqual([]);
    expect(await importErrors('src/observe/fixture.test.ts', "import { Engine } from '../engine/engine.js';\nexport const E = Engine;\n")).toEqual([]);
  });
});
