// The backtest routes of both servers: GET /v1/policy/backtest (the last run) and POST (replay the
// service's history under a policy, and a second to compare: what each would have done). Single-node
// serve replays its ingest log (src/server/history.ts), serve --cluster the record stream the judge
// read (src/cluster/stream-history.ts); this module owns what is common: one run at a time, the
// policy texts parsed with the line and field named, and the answer's shape.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import { toIso } from '../../core/time.js';
import { parsePolicy, type LoadedPolicy } from '../../act/policy-load.js';
import type { BacktestOutcome, BacktestRun } from '../../act/backtest.js';
import { ApiError } from '../errors.js';
import { parseWith } from './read.js';

const BacktestInput = z
  .object({
    /** Policy text to evaluate (YAML or JSON); default the policy in force. */
    policy: z.string().min(1).max(1 << 20).optional(),
    /** A second policy text to compare with; `"current"` for the policy in force. */
    compare: z.string().min(1).max(1 << 20).optional(),
  })
  .strict();

/** Accounts listed in a backtest answer's difference (the total is always given). */
const DIFF_SHOWN = 500;

export interface BacktestSource {
  /** The policy in force (what `policy` absent or `"current"` means), its source saying so. */
  current: () => Promise<LoadedPolicy> | LoadedPolicy;
  /** Replays the history under the policies; undefined when this service has none to replay (the reason). */
  replay: ((policies: readonly LoadedPolicy[]) => Promise<BacktestOutcome & { records: number }>) | string;
  /** Reads a request body into the JSON the input schema checks (serve --cluster's parser gives bytes). */
  body?: (raw: unknown) => unknown;
}

/** The two routes over one last run: GET goes in a scope requiring the read role, POST the analyst role. */
export function backtestRoutes(src: BacktestSource): { get: (read: FastifyInstance) => void; post: (analyst: FastifyInstance) => void } {
  /** The last backtest (one runs at a time: each replays the whole history). */
  let backtest: BacktestRun | null = null;
  const get = (read: FastifyInstance): void => void read.get('/v1/policy/backtest', () => ({ backtest }));
  const post = (analyst: FastifyInstance): void => void analyst.post('/v1/policy/backtest', async (req, reply) => {
    const b = parseWith(BacktestInput, src.body ? src.body(req.body) : req.body, 'body');
    if (typeof src.replay === 'string') throw new ApiError('unavailable', src.replay);
    if (backtest && backtest.finished_at === null) throw new ApiError('conflict', `a backtest started at ${backtest.started_at} is still running`);
    const current = await src.current();
    const parse = (text: string | undefined, what: string): LoadedPolicy => {
      if (text === undefined || text === 'current') return current;
      try {
        return parsePolicy(text, what);
      } catch (e) {
        if (e instanceof InputError) throw new ApiError('bad_request', e.message);
        throw e;
      }
    };
    const policies = [parse(b.policy, 'policy')];
    if (b.compare !== undefined) policies.push(parse(b.compare, 'compare'));
    const run: BacktestRun = { started_at: toIso(Date.now()), finished_at: null, actor: req.principal?.id ?? 'anonymous', policies: policies.map((p) => `${p.policy.name}@${p.policy.revision}`) };
    backtest = run;
    try {
      const r = await src.replay(policies);
      run.records = r.records;
      run.outcome = { reports: r.reports, ...(r.diff ? { diff_accounts: r.diff.length, diff: r.diff.slice(0, DIFF_SHOWN) } : {}) };
    } catch (e) {
      run.error = (e as Error).message;
    }
    run.finished_at = toIso(Date.now());
    if (run.error !== undefined) throw new ApiError('internal', `backtest failed: ${run.error}`);
    return reply.code(200).send({ backtest: run });
  });
  return { get, post };
}
