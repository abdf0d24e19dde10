// `cluster up` / `cluster down`: a local NATS server (JetStream) and PostgreSQL for cluster mode, both
// kept in one directory, on loopback ports. Up is idempotent: a directory whose servers already run
// reports their URLs again.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NATS_PACKAGE, natsServerBin, startNats, stopNats } from './nats.js';
import { POSTGRES_PACKAGE, postgresBin, startPostgres, stopPostgres } from './postgres.js';

export interface ClusterUrls {
  nats: string;
  postgres: string;
}

/** The Debian packages cluster mode needs that are not installed. */
export function missingPackages(): string[] {
  return [...(natsServerBin() ? [] : [NATS_PACKAGE]), ...(postgresBin() ? [] : [POSTGRES_PACKAGE])];
}

export async function clusterUp(dirIn: string, opts: { durable?: boolean } = {}): Promise<ClusterUrls> {
  const missing = missingPackages();
  if (missing.length > 0) throw new Error(`cluster mode needs the Debian package${missing.length > 1 ? 's' : ''} ${missing.map((p) => `\`${p}\``).join(' and ')}: apt-get install -y ${missing.join(' ')}`);
  const dir = resolve(dirIn);
  mkdirSync(dir, { recursive: true });
  const nats = runningUrl(dir, 'nats') ?? (await startNats(dir)).url;
  writeFileSync(resolve(dir, 'nats.url'), `${nats}\n`);
  let postgres = runningUrl(dir, 'postgres');
  if (postgres === null) {
    try {
      postgres = (await startPostgres(dir, opts)).url;
    } catch (e) {
      await stopNats(dir);
      throw e;
    }
  }
  return { nats, postgres };
}

/** Stops both servers of `dir`; says which were running. */
export async function clusterDown(dirIn: string): Promise<{ nats: boolean; postgres: boolean }> {
  const dir = resolve(dirIn);
  const [nats, postgres] = await Promise.all([stopNats(dir), stopPostgres(dir)]);
  return { nats, postgres };
}

/** The URL a server of `dir` wrote when it started, if that server still runs. */
function runningUrl(dir: string, which: 'nats' | 'postgres'): string | null {
  const urlFile = resolve(dir, `${which}.url`);
  const pidFile = which === 'nats' ? resolve(dir, 'nats.pid') : resolve(dir, 'postgres', 'postmaster.pid');
  if (!existsSync(urlFile) || !existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0].trim());
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  return readFileSync(urlFile, 'utf8').trim();
}
