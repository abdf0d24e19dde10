// The key of the keyed e-mail hashes when none is configured: a random secret generated once per
// install (32 bytes, hex, file mode 0600), never a fixed string anyone could use to test a guessed
// address against a log or a store. Where it lives:
//  - `serve`: beside the store, `<db>.secret` (the ingest log and the store hold hashes under it, so it
//    must outlive restarts and travel with them);
//  - `scan`: `$DISTILLGUARD_SECRET_FILE`, else `$XDG_CONFIG_HOME/distillguard/secret` (~/.config/...):
//    one per user and machine, so repeated scans (tests, benches) give the same hashes.
// A configured `emailKey` (engine config) wins over both; set one to compare hashes across installs.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EngineConfig } from './schema.js';
import { InputError } from '../core/errors.js';

export function scanSecretPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DISTILLGUARD_SECRET_FILE) return env.DISTILLGUARD_SECRET_FILE;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'distillguard', 'secret');
}

/** The secret in `path`, generated (0600, never overwritten) when the file does not exist. */
export async function installSecret(path: string): Promise<string> {
  try {
    return validSecret(path, await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e instanceof InputError ? e : new InputError(`cannot read the secret ${path}: ${(e as Error).message}`);
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Written whole under a private name, then linked into place: link() fails when the name exists, so
  // a secret is never overwritten, and a process that loses the race to a simultaneous start (two
  // serve processes beside one store) reads the winner's complete file, never a half-written one.
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(`${randomBytes(32).toString('hex')}\n`);
      await file.sync(); // on disk before it has its name: a crash leaves no empty secret behind
    } finally {
      await file.close();
    }
    await link(temporary, path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  } catch (e) {
    throw new InputError(`cannot create the secret ${path}: ${(e as Error).message}`);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return validSecret(path, await readFile(path, 'utf8'));
}

function validSecret(path: string, text: string): string {
  const s = text.trim();
  if (s.length < 32) throw new InputError(`the secret in ${path} is too short (expected 64 hex digits)`);
  return s;
}

/** cfg with its e-mail key: the configured one, else the install's secret at `path`. */
export async function withEmailKey(cfg: EngineConfig, path: string): Promise<EngineConfig & { emailKey: string }> {
  return { ...cfg, emailKey: cfg.emailKey ?? (await installSecret(path)) };
}

/** The e-mail key of a config that went through withEmailKey (a missing one is a programming error). */
export function emailKeyOf(cfg: EngineConfig): string {
  if (cfg.emailKey === undefined) throw new Error('no e-mail key: scan and serve set one up per install (src/config/secret.ts)');
  return cfg.emailKey;
}
