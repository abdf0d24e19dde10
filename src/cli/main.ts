// The command line: one file per command, wired here. Bad flags and unreadable inputs exit with
// status 2 and one line on stderr; everything else a command reports itself.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { InputError } from '../core/errors.js';
import { registerScan } from './scan.js';
import { registerSimulate } from './simulate-command.js';
import { registerDemo } from './demo.js';
import { registerEvaluate } from './evaluate.js';
import { registerIntel } from './intel.js';
import { registerReport } from './report.js';
import { registerServe } from './serve.js';
import { registerTaxii } from './taxii.js';
import { registerBacktest } from './backtest.js';
import { registerCluster } from './cluster.js';
import { registerWorker } from './worker.js';
import { registerJudge } from './judge.js';

export function parseNumber(kind: 'int' | 'float', min?: number, max?: number) {
  return (v: string): number => {
    const n = kind === 'int' ? Number.parseInt(v, 10) : Number.parseFloat(v);
    if (!Number.isFinite(n) || (kind === 'int' && !/^-?\d+$/.test(v.trim()))) throw new InvalidArgumentError(`expected ${kind === 'int' ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`);
    if (min !== undefined && n < min) throw new InvalidArgumentError(`must be at least ${min}`);
    if (max !== undefined && n > max) throw new InvalidArgumentError(`must be at most ${max}`);
    return n;
  };
}

export function buildProgram(): Command {
  const program = new Command('distillguard')
    .description('Detect and link distillation campaigns in AI model API traffic')
    .version('0.1.0')
    .exitOverride()
    .showSuggestionAfterError(false) // bad flags: exactly one line on stderr
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerScan(program);
  registerSimulate(program);
  registerDemo(program);
  registerEvaluate(program);
  registerIntel(program);
  registerReport(program);
  registerServe(program);
  registerTaxii(program);
  registerBacktest(program);
  registerCluster(program);
  registerWorker(program);
  registerJudge(program);
  for (const c of program.commands) c.exitOverride().showSuggestionAfterError(false);
  return program;
}

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its one line; help and version exit 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`distillguard: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
