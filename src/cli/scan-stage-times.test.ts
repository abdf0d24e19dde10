import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStageTimes, runScan } from '../cli/scan.js';
import { runSimulate } from '../sim/index.js';
import { STAGES, StageTimes } from '../core/stage-times.js';

describe('stage times of a scan', () => {
  let tmp: string;
  let input: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'dg-stages-'));
    input = (await runSimulate({ scenario: 'tiny', scale: 1, seed: 3, out: join(tmp, 'sim'), days: 2 })).path;
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('charges every stage that ran, within the wall time, and leaves the outputs byte-identical', async () => {
    const plain = await runScan({ inputs: [input], out: join(tmp, 'plain'), quiet: true });
    const times = new StageTimes();
    const timed = await runScan({ inputs: [input], out: join(tmp, 'timed'), quiet: true, times });
    for (const f of ['accounts.ndjson', 'campaigns.ndjson']) {
      expect(await readFile(join(tmp, 'timed', f), 'utf8')).toBe(await readFile(join(tmp, 'plain', f), 'utf8'));
    }
    for (const s of STAGES) expect(times.ms[s], s).toBeGreaterThanOrEqual(0);
    for (const s of ['read', 'decode', 'observe', 'sketch', 'link.keys', 'judge.groups', 'act', 'output'] as const) expect(times.ms[s], s).toBeGreaterThan(0);
    // wall_time_ms ends before the outputs are written; every other stage lies inside it.
    expect(times.total() - times.ms.output).toBeLessThanOrEqual(timed.summary.wall_time_ms + 1);
    expect(plain.summary.lines_read).toBe(timed.summary.lines_read);
    const text = formatStageTimes(times);
    for (const s of STAGES) expect(text).toContain(s);
  });
});
