// What the engine learns about models from traffic: output ceilings and release times (first sighting).
import type { Millis } from '../core/records.js';
import { DAY } from '../core/time.js';

export interface ModelInfo {
  id: number;
  name: string;
  firstSeen: Millis;
  /** Largest max_tokens any account has sent for this model. */
  maxTokensSeen: number;
  /** First sighting came a day or more after the engine started: a release, not a model already in use. */
  released: boolean;
}

export class ModelCatalog {
  private readonly byName = new Map<string, ModelInfo>();
  readonly list: ModelInfo[] = [];
  private start: Millis | undefined;
  /** The most recent release. */
  latestRelease: ModelInfo | undefined;

  constructor(private readonly ceilings: Record<string, number>) {}

  observe(name: string, ts: Millis, maxTokens: number | undefined): ModelInfo {
    if (this.start === undefined) this.start = ts;
    let m = this.byName.get(name);
    if (!m) {
      m = { id: this.list.length, name, firstSeen: ts, maxTokensSeen: 0, released: ts - this.start >= DAY };
      this.byName.set(name, m);
      this.list.push(m);
      if (m.released) this.latestRelease = m;
    }
    if (maxTokens !== undefined && maxTokens > m.maxTokensSeen) m.maxTokensSeen = maxTokens;
    return m;
  }

  /** The model's output ceiling: configured, else the largest max_tokens seen so far (online). */
  ceiling(m: ModelInfo): number {
    return this.ceilings[m.name] ?? m.maxTokensSeen;
  }
}
