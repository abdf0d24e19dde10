// Runs bin/distillguard.js as a real process without touching the shared dist/ folder (others build
// and run it concurrently): src/ is transpiled (no type check) into a private folder laid out like the
// package (bin/, dist/src/, package.json, node_modules and proto → the project's), and the real bin file is copied in.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
  // The shipped default policy (src/act/policy-load.ts finds it beside the package).
  await mkdir(join(dir, 'policies'), { recursive: true });
  await copyFile(join(ROOT, 'policies', 'default.yaml'), join(dir, 'policies', 'default.yaml'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await symlink(join(ROOT, 'proto'), join(dir, 'proto'), 'dir'); // the OTLP .proto files, read at start-up
  // The dashboard's built page (npm run build makes it; a test that opens it fails saying it is not built).
  await mkdir(join(dir, 'web'), { recursive: true });
  await symlink(join(ROOT, 'web', 'dist'), join(dir, 'web', 'dist'), 'dir');
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

export interface ServeProcess {
  child: import('node:child_process').ChildProcess;
  url: string;
  stderr(): string;
  /** Resolves with the exit code and signal once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node BIN serve ARGS...` and resolves once it listens (its stderr names the address). */
export function startServe(bin: string, args: string[], timeoutMs = 30_000): Promise<ServeProcess> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`serve did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        done({ child, url: m[1], stderr: () => stderr, exited });
      }
    });
    child.on('error', fail);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      fail(new Error(`serve exited (${code}) before listening: ${stderr}`));
    });
  });
}

/** A temporary folder with the private package built in it and a keys file `keys.json` holding `keys`. */
export async function serveFixture(prefix: string, keys: { id: string; key: string; roles: string[] }[]): Promise<{ dir: string; bin: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const bin = await buildBin(join(dir, 'pkg'));
  await writeFile(join(dir, 'keys.json'), JSON.stringify({ keys }));
  return { dir, bin };
}
