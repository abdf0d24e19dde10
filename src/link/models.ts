// What the engine learns about models from traffic: output ceilings and release times (first sighting).
import type { Millis } from '../core/records.js';
import { DEFAULT_SCORING } from '../config/scoring.js';
import { DAY } from '../core/time.js';

export interface ModelInfo {
  id: number;
  name: string;
  firstSeen: Millis;
  /** Largest max_tokens any account has sent for this model. */
  maxTokensSeen: number;
  /** Exchanges seen for this model. */
  exchanges: number;
  /** First sighting came a day or more after the engine started: a release, not a model already in use. */
  released: boolean;
}

export class ModelCatalog {
  private readonly byName = new Map<string, ModelInfo>();
  readonly list: ModelInfo[] = [];
  private start: Millis | undefined;
  /** The most recent release. */
  latestRelease: ModelInfo | undefined;

  constructor(
    private readonly ceilings: Record<string, number>,
    /** Exchanges of a model before its largest max_tokens seen stands for its ceiling (scoring.ceilingLearnAfter). */
    private readonly learnAfter = DEFAULT_SCORING.ceilingLearnAfter,
  ) {}

  observe(name: string, ts: Millis, maxTokens: number | undefined): ModelInfo {
    if (this.start === undefined) this.start = ts;
    let m = this.byName.get(name);
    if (!m) {
      m = { id: this.list.length, name, firstSeen: ts, maxTokensSeen: 0, exchanges: 0, released: ts - this.start >= DAY };
      this.byName.set(name, m);
      this.list.push(m);
      if (m.released) this.latestRelease = m;
    }
    if (maxTokens !== undefined && maxTokens > m.maxTokensSeen) m.maxTokensSeen = maxTokens;
    m.exchanges++;
    return m;
  }

  /**
   * The model's output ceiling: configured, else the largest max_tokens seen so far (online) once the
   * model has carried `learnAfter` exchanges — before that, a first request would be its own ceiling.
   * 0 means unknown.
   */
  ceiling(m: ModelInfo): number {
    const c = this.ceilings[m.name];
    if (c !== undefined) return c;
    return m.exchanges >= this.learnAfter ? m.maxTokensSeen : 0;
  }
}
