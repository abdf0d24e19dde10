// A local PostgreSQL server in a directory, on a loopback port: what `cluster up` starts and what the
// PostgreSQL store's tests run against. Debian's `postgresql` package provides the programs
// (/usr/lib/postgresql/<version>/bin); PostgreSQL refuses to run as root, so as root the server runs
// as the package's `postgres` user and the directory is handed to it.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

export const POSTGRES_PACKAGE = 'postgresql';

/** The bin directory of the newest installed PostgreSQL, or null when Debian's package is absent. */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'pg_ctl')) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : null;
}

export interface LocalPostgres {
  /** postgres://distillguard@127.0.0.1:PORT/distillguard */
  url: string;
  port: number;
  dataDir: string;
}

/** Who runs the server: ourselves, or `postgres` when we are root (initdb and postgres refuse root). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as (Debian package `postgresql` creates it)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Initializes (first time) and starts PostgreSQL with its data in `dir/postgres`, listening on
 * 127.0.0.1 only (no Unix socket), and creates the `distillguard` database. `durable: false` turns
 * fsync off (tests: a crash of the machine may lose the test's database, nothing else).
 */
export async function startPostgres(dir: string, opts: { durable?: boolean } = {}): Promise<LocalPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error(`PostgreSQL is not installed: install the Debian package \`${POSTGRES_PACKAGE}\` (apt-get install -y ${POSTGRES_PACKAGE})`);
  const user = serverUser();
  const dataDir = join(dir, 'postgres');
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) {
      chownSync(dir, user.uid, user.gid);
      chownSync(dataDir, user.uid, user.gid);
      await run('/usr/bin/test', ['-x', dataDir], as).catch(() => {
        throw new Error(`PostgreSQL runs as user postgres (it refuses root), and postgres cannot reach ${dataDir}: make its parent folders searchable (chmod o+x) or choose a folder postgres can reach`);
      });
    }
    await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'distillguard', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...as, cwd: dataDir }).catch((e: unknown) => {
      throw new Error(`initdb in ${dataDir} failed${user ? ' (as user postgres: it must be able to reach that directory)' : ''}: ${stderrOf(e)}`);
    });
  }
  // Postgres takes a port, not port 0: pick a free one, and try another if it was taken meanwhile.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const options = [`-p ${port}`, `-c listen_addresses=127.0.0.1`, `-c unix_socket_directories=''`, ...(opts.durable === false ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : [])].join(' ');
    try {
      await run(join(bin, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', dataDir, '-l', join(dataDir, 'server.log'), '-o', options], { ...as, cwd: dataDir });
    } catch (e) {
      if (attempt < 3 && /could not bind|in use/i.test(logTail(dataDir))) continue;
      throw new Error(`PostgreSQL did not start in ${dataDir}: ${stderrOf(e)}\n${logTail(dataDir)}`);
    }
    const url = `postgres://distillguard@127.0.0.1:${port}/distillguard`;
    await ensureDatabase(bin, port, as);
    writeFileSync(join(dir, 'postgres.url'), `${url}\n`);
    return { url, port, dataDir };
  }
}

async function ensureDatabase(bin: string, port: number, as: object): Promise<void> {
  const psql = (sql: string): Promise<{ stdout: string }> => run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'distillguard', '-d', 'postgres', '-At', '-c', sql], as);
  const { stdout } = await psql(`SELECT 1 FROM pg_database WHERE datname = 'distillguard'`);
  if (stdout.trim() !== '1') await psql('CREATE DATABASE distillguard');
}

/** Stops the server of `dir` (fast shutdown: open transactions roll back); no-op when none runs. */
export async function stopPostgres(dir: string): Promise<boolean> {
  const bin = postgresBin();
  const dataDir = join(dir, 'postgres');
  if (!bin || !existsSync(join(dataDir, 'postmaster.pid'))) return false;
  const user = serverUser();
  await run(join(bin, 'pg_ctl'), ['stop', '-w', '-m', 'fast', '-D', dataDir], user ? { uid: user.uid, gid: user.gid } : {});
  return true;
}

function logTail(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'server.log'), 'utf8').split('\n').slice(-6).join('\n');
  } catch {
    return '';
  }
}

function stderrOf(e: unknown): string {
  const err = e as { stderr?: string; message?: string };
  return (err.stderr || err.message || String(e)).trim();
}
