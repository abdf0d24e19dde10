// A `serve` child process of a benchmark: waits until its standard error has said every line the
// benchmark needs (the HTTP address, the gRPC port, …) and gives back their matches.
import type { ChildProcess } from 'node:child_process';

/** Resolves with one match per pattern once all have appeared on `child`'s stderr; rejects if it exits first. */
export function awaitStderr(child: ChildProcess, patterns: readonly RegExp[]): Promise<RegExpExecArray[]> {
  return new Promise((res, rej) => {
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      const found = patterns.map((p) => p.exec(err));
      if (found.every((m) => m !== null)) res(found as RegExpExecArray[]);
    });
    child.on('exit', (c) => rej(new Error(`serve exited ${c}: ${err}`)));
  });
}

/** The `listening on URL` line of `distillguard serve`. */
export const LISTENING = /listening on (\S+)/;

/** The `gateway listener on URL` line of `distillguard serve --gateway-port N`. */
export const GATEWAY_LISTENING = /gateway listener on (\S+)/;
