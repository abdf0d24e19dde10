import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('installSecret', () => {
  let dir: string;
  let secretModule: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dg-secret-race-'));
    // The module and what it imports at run time, transpiled for plain node processes.
    for (const f of ['config/secret', 'core/errors']) {
      const source = await readFile(fileURLToPath(new URL(`../${f}.ts`, import.meta.url)), 'utf8');
      const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      await mkdir(join(dir, 'mod', f, '..'), { recursive: true });
      await writeFile(join(dir, 'mod', `${f}.js`), out);
    }
    await writeFile(join(dir, 'mod', 'package.json'), '{"type":"module"}');
    secretModule = pathToFileURL(join(dir, 'mod', 'config', 'secret.js')).href;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** installSecret(path) in a process of its own, called at the time `at` (so that the processes race);
   *  resolves to what it printed or the error it died of. */
  const install = (path: string, at: number): Promise<string> =>
    new Promise((done) => {
      const call = `m.installSecret(${JSON.stringify(path)}).then((s) => process.stdout.write(s), (e) => process.stdout.write('error: ' + e.message))`;
      const code = `import(${JSON.stringify(secretModule)}).then((m) => setTimeout(() => ${call}, ${at} - Date.now()))`;
      const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
      child.on('close', () => done(out));
    });

  it('gives processes that start at once beside one store the same whole secret, never a half-written file', async () => {
    // Two `serve` processes started together beside one store both create its secret: the loser must
    // read the winner's complete secret, not an empty or partly written file.
    for (let round = 0; round < 2; round++) {
      const path = join(dir, `r${round}`, 'store.duckdb.secret');
      const at = Date.now() + 1500;
      const secrets = await Promise.all(Array.from({ length: 6 }, () => install(path, at)));
      expect(new Set(secrets).size, secrets.join('\n')).toBe(1);
      expect(secrets[0]).toMatch(/^[0-9a-f]{64}$/);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(await readdir(join(dir, `r${round}`))).toEqual(['store.duckdb.secret']); // no temporary file left
    }
  }, 60_000);
});
