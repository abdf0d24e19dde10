// The part of observing an exchange that depends on its text alone — capability tags, prompt hashes,
// scaffold windows and their LSH keys — computed where the exchange is decoded (a decode worker), so
// the engine's thread only folds numbers. Same configuration, same sketch: results are identical.
import type { EngineConfig } from '../config/schema.js';
import type { Exchange, ExchangeSketch } from '../core/records.js';
import { TemplateSketcher } from '../link/templates.js';
import { scanPhrases } from '../link/phrase-scan.js';
import { murmur3 as hash32 } from '../sketches/hash.js';
import { CapabilityTagger } from '../observe/content-tags.js';
import { PROMPT_SEED, SYSTEM_SEED } from '../observe/observer.js';

export class Presketcher {
  private readonly templates: TemplateSketcher;
  private readonly tagger = new CapabilityTagger();
  /** LSH bands per scaffold window. */
  readonly bands: number;
  private readonly words = new Uint32Array(2048);

  /**
   * `phraseSampleBits`: one phrase in 2^bits is kept (scoring.pipelines.phraseSampleBits). Required,
   * not defaulted: a sketch made with another sample than the engine's gives other phrases.
   */
  constructor(
    cfg: EngineConfig['template'],
    private readonly phraseSampleBits: number,
  ) {
    this.templates = new TemplateSketcher(cfg);
    this.bands = this.templates.params.bands;
  }

  sketch(ex: Exchange): ExchangeSketch {
    const phrases: number[] = [];
    const numbers = scanPhrases(ex.prompt, phrases, this.words, this.phraseSampleBits);
    return {
      mask: this.tagger.tag(ex.prompt, ex.system, ex.tools, ex.thinking),
      promptHash: hash32(ex.prompt, PROMPT_SEED),
      systemHash: ex.system ? hash32(ex.system, SYSTEM_SEED) : undefined,
      templates: this.templates.sketch(ex.prompt),
      phrases: Uint32Array.from(phrases),
      numbers,
    };
  }

  /** A sketch to pass to `sketchInto`. */
  newSketch(): ExchangeSketch {
    return { mask: 0, promptHash: 0, systemHash: undefined, templates: this.templates.newSketch(), phrases: [], numbers: 0 };
  }

  /** `sketch` written over `out` (nothing allocated per exchange), for a caller that copies it at once. */
  sketchInto(ex: Exchange, out: ExchangeSketch): ExchangeSketch {
    out.mask = this.tagger.tag(ex.prompt, ex.system, ex.tools, ex.thinking);
    out.promptHash = hash32(ex.prompt, PROMPT_SEED);
    out.systemHash = ex.system ? hash32(ex.system, SYSTEM_SEED) : undefined;
    this.templates.sketch(ex.prompt, out.templates);
    // Phrases and numbers in one pass over the prompt (link/phrase-scan.ts).
    const phrases = Array.isArray(out.phrases) ? (out.phrases as number[]) : [];
    out.numbers = scanPhrases(ex.prompt, phrases, this.words, this.phraseSampleBits);
    out.phrases = phrases;
    return out;
  }
}
