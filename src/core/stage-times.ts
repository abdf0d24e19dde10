// Wall time per pipeline stage, for `bench:perf` and `scan --stage-times`. Off unless a StageTimes is
// passed in: every timed spot is `times ? performance.now() : 0`, so a normal scan pays one branch.
// Stages nest nowhere: each millisecond of a timed scan is charged to at most one stage.

export const STAGES = [
  'read', // sources: bytes → lines
  'decode', // a line → record or rejection
  'order', // lateness, dedupe, event-time ordering
  'observe', // folding an exchange into its account (counters, HLLs, top-k)
  'tag', // capability tags of the prompt
  'sketch', // scaffold normalization, shingles, MinHash, LSH template assignment
  'judge.signals', // per-account signals of touched accounts
  'link.keys', // account keys and group membership
  'judge.groups', // group suspicion
  'link.pairs', // pairwise links, union-find, campaign merges
  'link.pipelines', // clean accounts: phrase background, candidate pipelines, their evidence and links
  'judge.verdicts', // campaign evaluation, verdicts
  'act', // the policy stage: actions from judgements and account records (src/act/policy-stage.ts)
  'output', // results, NDJSON, report, store
] as const;

export type TimedStage = (typeof STAGES)[number];

export class StageTimes {
  readonly ms: Record<TimedStage, number> = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<TimedStage, number>;

  /** Charges the time since `since` to `stage`; returns now, the start of whatever comes next. */
  add(stage: TimedStage, since: number): number {
    const now = performance.now();
    this.ms[stage] += now - since;
    return now;
  }

  total(): number {
    let t = 0;
    for (const s of STAGES) t += this.ms[s];
    return t;
  }

  /** Stage times rounded to 0.1 ms, in pipeline order. */
  toJSON(): Record<TimedStage, number> {
    return Object.fromEntries(STAGES.map((s) => [s, Math.round(this.ms[s] * 10) / 10])) as Record<TimedStage, number>;
  }
}
