// The simulator as a caller drives it (tests, benchmarks, `distillguard simulate`): options as a user
// gives them (a start time as RFC 3339 text), each checked with a clear error, then one simulation run.
import { parseTimestamp } from '../core/time.js';
import { SCENARIO_LIST } from './scenarios.js';
import { simulate, type SimOptions } from './simulate.js';

/** The simulator's options with the window start as RFC 3339 text (default 2026-04-01T00:00:00Z). */
export type SimulateOptions = Omit<SimOptions, 'start' | 'params'> & { start?: string };

/** Scenario names with a one-line description each, for --help. */
export const SCENARIOS: readonly { name: string; description: string }[] = SCENARIO_LIST.map((s) => ({ name: s.name, description: s.description }));

/** What a simulation wrote: `path` is input.ndjson (truth.json beside it); `senders` of the `accounts` sent exchanges. */
export interface Simulated {
  exchanges: number;
  accounts: number;
  senders: number;
  path: string;
}

/**
 * How a simulation's accounts reconcile with a scan of it: `scan` scores the accounts that sent
 * exchanges and only counts the others (known from their account records alone).
 */
export function simulatedLine(r: Simulated): string {
  const idle = r.accounts - r.senders;
  return (
    `simulated ${r.exchanges.toLocaleString('en')} exchanges from ${r.accounts.toLocaleString('en')} accounts` +
    (idle > 0 ? ` (${r.senders.toLocaleString('en')} sent exchanges; ${idle.toLocaleString('en')} signed up and sent nothing)` : '')
  );
}

/** Runs the simulator; `path` is the written input.ndjson (truth.json beside it). */
export async function runSimulate(opts: SimulateOptions): Promise<Simulated> {
  if (!SCENARIOS.some((s) => s.name === opts.scenario)) {
    throw new Error(`unknown scenario "${opts.scenario}" (expected one of: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  }
  if (typeof opts.scale !== 'number' || !Number.isFinite(opts.scale) || opts.scale <= 0 || opts.scale > 100) {
    throw new Error(`bad --scale ${String(opts.scale)}: expected a number in (0, 100]`);
  }
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0 || opts.seed > 0xffffffff) {
    throw new Error(`bad --seed ${String(opts.seed)}: expected an integer in [0, 4294967295]`);
  }
  if (typeof opts.out !== 'string' || !opts.out.trim()) throw new Error('missing --out DIR');
  if (opts.days !== undefined && (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > 366)) {
    throw new Error(`bad --days ${String(opts.days)}: expected an integer in [1, 366]`);
  }
  if (opts.operationSeed !== undefined && (!Number.isSafeInteger(opts.operationSeed) || opts.operationSeed < 0 || opts.operationSeed > 0xffffffff)) {
    throw new Error(`bad --operation-seed ${String(opts.operationSeed)}: expected an integer in [0, 4294967295]`);
  }
  let start: number | undefined;
  if (opts.start !== undefined) {
    start = typeof opts.start === 'string' ? parseTimestamp(opts.start) : undefined;
    if (start === undefined) throw new Error(`bad --start "${String(opts.start)}": expected an RFC 3339 time such as 2026-04-01T00:00:00Z`);
  }
  const res = await simulate({ scenario: opts.scenario, scale: opts.scale, seed: opts.seed, out: opts.out, prompts: opts.prompts, days: opts.days, start, set: opts.set, operationSeed: opts.operationSeed });
  return { exchanges: res.exchanges, accounts: res.accounts, senders: res.senders, path: res.input };
}
