// What the order stage's state is made of, for a checkpoint (src/core/state-graph.ts).
import type { StateKinds } from '../core/state-graph.js';
import { Deduper } from './dedupe.js';
import { Orderer } from './orderer.js';
import { Ingestor } from './pipeline.js';
import { SourceClocks } from './sources.js';

export const ORDER_KINDS: StateKinds = { classes: [Ingestor, SourceClocks, Deduper, Orderer], constants: [] };
