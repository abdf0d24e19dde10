// What link's state is made of, for a checkpoint (src/core/state-graph.ts).
import { F64Column, I32Column, U32Column, U8Column } from '../core/columns.js';
import { joinKinds, type StateKinds } from '../core/state-graph.js';
import { MinHasher } from '../sketches/minhash.js';
import { Scaffolder } from '../sketches/normalize.js';
import { BucketTable } from './bucket-table.js';
import { ClientConfigs } from './client-config.js';
import { GROUPS_KINDS } from './groups.js';
import { ItemSpread } from './item-spread.js';
import { Linker } from './linker.js';
import { ModelCatalog } from './models.js';
import { CountMin, PhraseFrequency, SeenFilter } from './phrase-frequency.js';
import { SHARED_PIPELINES_KINDS } from './shared-pipelines.js';
import { TemplateIndex, TemplateSketcher } from './templates.js';
import { UnionFind } from './union-find.js';

export const LINK_KINDS: StateKinds = joinKinds(
  {
    classes: [Linker, UnionFind, ModelCatalog, TemplateIndex, TemplateSketcher, BucketTable, Scaffolder, MinHasher, ItemSpread, SeenFilter, CountMin, PhraseFrequency, ClientConfigs, F64Column, I32Column, U32Column, U8Column],
    constants: [],
    // The scaffolder's decoder is a tool, not state.
    opaque: [TextDecoder],
    // A closure over the judge, made again on first use.
    transient: [[Linker, ['common']]],
  },
  GROUPS_KINDS,
  SHARED_PIPELINES_KINDS,
);
