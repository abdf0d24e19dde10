// Runs bin/distillguard.js as a real process without touching the shared dist/ folder (others build
// and run it concurrently): src/ is transpiled (no type check) into a private folder laid out like the
// package (bin/, dist/src/, package.json, node_modules → the project's), and the real bin file is copied in.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the private package under `dir`; returns the path of its bin/distillguard.js. */
export async function buildBin(dir: string): Promise<string> {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (p.endsWith('.ts') && !/\.(test|contract|case|bench)\.ts$/.test(p)) files.push(p);
    }
  };
  await walk(join(ROOT, 'src'));
  const options: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false };
  await Promise.all(
    files.map(async (p) => {
      const out = join(dir, 'dist', relative(ROOT, p)).replace(/\.ts$/, '.js');
      const { outputText } = ts.transpileModule(await readFile(p, 'utf8'), { compilerOptions: options, fileName: p });
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, outputText);
    }),
  );
  await mkdir(join(dir, 'bin'), { recursive: true });
  await copyFile(join(ROOT, 'bin', 'distillguard.js'), join(dir, 'bin', 'distillguard.js'));
  await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return join(dir, 'bin', 'distillguard.js');
}

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node BIN ARGS...`, with standard input from `stdinFile` (or closed). */
export function runBin(bin: string, args: string[], stdinFile?: string): Promise<ProcessRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    if (stdinFile) createReadStream(stdinFile).pipe(child.stdin);
    else child.stdin.end();
  });
}
