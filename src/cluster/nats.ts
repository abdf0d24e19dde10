// A local NATS server with JetStream in a directory, on a loopback port it picks itself: what
// `cluster up` starts and what cluster mode's tests run against (Debian package `nats-server`).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const NATS_PACKAGE = 'nats-server';

export function natsServerBin(): string | null {
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) if (existsSync(p)) return p;
  return null;
}

export interface LocalNats {
  /** nats://127.0.0.1:PORT */
  url: string;
  pid: number;
}

/**
 * Starts `nats-server -js` detached (it outlives this process; stopNats ends it) with its JetStream
 * store in `dir/nats`, its log in `dir/nats.log`, listening on 127.0.0.1 on a port it picks; resolves
 * once the ports file names the client URL.
 */
export async function startNats(dir: string): Promise<LocalNats> {
  const bin = natsServerBin();
  if (!bin) throw new Error(`NATS server is not installed: install the Debian package \`${NATS_PACKAGE}\` (apt-get install -y ${NATS_PACKAGE})`);
  const store = join(dir, 'nats');
  const portsDir = join(dir, 'nats-ports');
  mkdirSync(store, { recursive: true });
  rmSync(portsDir, { recursive: true, force: true });
  mkdirSync(portsDir, { recursive: true });
  const log = openSync(join(dir, 'nats.log'), 'a');
  const child = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', store, '-P', join(dir, 'nats.pid'), '--ports_file_dir', portsDir, '--http_port', '-1'], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`nats-server exited (${exited}) at start; its log: ${tail(join(dir, 'nats.log'))}`);
    const file = readdirSync(portsDir).find((f) => f.endsWith('.ports'));
    if (file) {
      const ports = JSON.parse(readFileSync(join(portsDir, file), 'utf8')) as { nats?: string[] };
      const url = ports.nats?.[0];
      if (url && child.pid !== undefined) return { url, pid: child.pid };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  process.kill(child.pid as number, 'SIGKILL');
  throw new Error(`nats-server did not report its port within 15 s; its log: ${tail(join(dir, 'nats.log'))}`);
}

/** Stops the server of `dir` (by the pid it wrote) and waits for it to exit; false when none runs. */
export async function stopNats(dir: string): Promise<boolean> {
  const pidFile = join(dir, 'nats.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isSafeInteger(pid) || pid <= 0 || !alive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-6).join('\n');
  } catch {
    return '(no log)';
  }
}
