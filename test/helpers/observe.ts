// Observing records the way the engine does, without judging: link names what each exchange shares
// (templates, model), the observer folds it into its account. For tests of observe, signals and link.
import { buildEngineConfig, type EngineConfig } from '../../src/config/schema.js';
import type { AccountEvent, CanonicalRecord, Exchange } from '../../src/core/records.js';
import type { AccountState } from '../../src/observe/account-state.js';
import { Observer } from '../../src/observe/observer.js';
import { build } from '../../src/link/config.js';
import type { Linker } from '../../src/link/linker.js';

export class Observed {
  readonly observer = new Observer();
  readonly linker: Linker;

  constructor(readonly cfg: EngineConfig = buildEngineConfig()) {
    this.linker = build(cfg, this.observer.list);
  }

  get accounts(): Observer['accounts'] {
    return this.observer.accounts;
  }
  get list(): Observer['list'] {
    return this.observer.list;
  }
  get prefixNames(): Observer['prefixNames'] {
    return this.observer.prefixNames;
  }
  get clientNames(): Observer['clientNames'] {
    return this.observer.clientNames;
  }
  get templates(): Linker['templates'] {
    return this.linker.templates;
  }
  get models(): Linker['models'] {
    return this.linker.models;
  }

  exchange(ex: Exchange): AccountState {
    this.observer.observeExchange(ex, this.linker.keysOf(ex));
    return this.observer.account(ex.accountId);
  }

  account(ev: AccountEvent): AccountState {
    const { account, identityChanged } = this.observer.observeAccount(ev);
    if (identityChanged) this.linker.profileChanged(account.idx);
    return account;
  }

  record(r: CanonicalRecord): AccountState {
    return r.kind === 'exchange' ? this.exchange(r) : this.account(r);
  }
}
