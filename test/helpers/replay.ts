// Replays a simulated input through one Engine in event-time order, with a check every `every`
// records and at the end: for invariants that must hold mid-stream, not only after a scan.
import { buildEngineConfig } from '../../src/config/schema.js';
import { emailKeyOf } from '../../src/config/secret.js';
import { Ingestor, ingestStream } from '../../src/order/pipeline.js';
import { Engine } from '../../src/engine/engine.js';

// `at: 'judgements'` checks after every `every`-th judgement instead: for state the judge brings up to
// date at each judgement (exchanges are counted into group sums there: src/judge/pending-exchanges.ts).
export async function replayChecking(input: string, every: number, check: (engine: Engine) => void, at: 'records' | 'judgements' = 'records'): Promise<Engine> {
  const cfg = buildEngineConfig({ emailKey: 'test-email-key-0123456789' });
  const engine = new Engine(cfg);
  let judgements = 0;
  if (at === 'judgements') {
    engine.onJudgement(() => {
      if (++judgements % every === 0) check(engine);
    });
  }
  const ingestor = new Ingestor({ maxLatenessMs: cfg.maxLatenessMs, maxLineBytes: cfg.maxLineBytes, emailKey: Buffer.from(emailKeyOf(cfg)) });
  let pushed = 0;
  for await (const batch of ingestStream([input], ingestor)) {
    for (const r of batch.records) {
      engine.push(r);
      if (at === 'records' && ++pushed % every === 0) check(engine);
    }
  }
  engine.finish();
  check(engine);
  return engine;
}
