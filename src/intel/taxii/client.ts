// A TAXII 2.1 client: pull a collection's objects (following `next` cursors) and push objects (in
// envelopes that fit the server's max_content_length), with an API key as bearer or HTTP Basic.
import { InputError } from '../../core/errors.js';
import { TAXII_MEDIA } from './media.js';

export interface TaxiiAuth {
  /** Bearer key, or the key of `user` for HTTP Basic. */
  key: string;
  user?: string;
}

export class TaxiiClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class TaxiiClient {
  /** `apiRoot`: the API root URL, e.g. http://127.0.0.1:9000/taxii2/labs/ */
  readonly root: string;

  constructor(
    apiRoot: string,
    private readonly auth: TaxiiAuth,
  ) {
    if (!/^https?:\/\//.test(apiRoot) || !URL.canParse(apiRoot)) throw new InputError(`TAXII API root must be an http(s) URL, got ${apiRoot}`);
    this.root = apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const authorization = this.auth.user === undefined ? `Bearer ${this.auth.key}` : `Basic ${Buffer.from(`${this.auth.user}:${this.auth.key}`).toString('base64')}`;
    return { accept: TAXII_MEDIA, authorization, ...extra };
  }

  private async request(path: string, init: { method?: string; body?: string } = {}): Promise<{ body: Record<string, unknown>; headers: Headers }> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.root), { method: init.method ?? 'GET', headers: this.headers(init.body ? { 'content-type': TAXII_MEDIA } : {}), body: init.body });
    } catch (e) {
      throw new TaxiiClientError(0, `cannot reach ${this.root}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw new TaxiiClientError(res.status, `${path}: answer is not JSON (HTTP ${res.status})`);
    }
    if (!res.ok) throw new TaxiiClientError(res.status, `${path}: HTTP ${res.status} ${String(body.title ?? '')}${body.description ? `: ${String(body.description)}` : ''}`);
    return { body, headers: res.headers };
  }

  async apiRootInfo(): Promise<{ max_content_length: number }> {
    return (await this.request('')).body as { max_content_length: number };
  }

  /** Every object of a collection added after `addedAfter` (all versions), page by page. */
  async pull(collection: string, o: { addedAfter?: string; pageSize?: number } = {}): Promise<{ objects: Record<string, unknown>[]; lastAdded?: string }> {
    const objects: Record<string, unknown>[] = [];
    let next: string | undefined;
    let lastAdded: string | undefined;
    for (let pages = 0; pages < 100_000; pages++) {
      const q = new URLSearchParams({ limit: String(o.pageSize ?? 500), 'match[version]': 'all' });
      if (o.addedAfter) q.set('added_after', o.addedAfter);
      if (next) q.set('next', next);
      const { body, headers } = await this.request(`collections/${encodeURIComponent(collection)}/objects/?${q.toString()}`);
      objects.push(...((body.objects ?? []) as Record<string, unknown>[]));
      lastAdded = headers.get('x-taxii-date-added-last') ?? lastAdded;
      if (!body.more) break;
      next = String(body.next);
    }
    return { objects, lastAdded };
  }

  /** Posts objects in envelopes under the server's size limit; returns the status resources. */
  async push(collection: string, objects: readonly unknown[]): Promise<Record<string, unknown>[]> {
    const max = (await this.apiRootInfo()).max_content_length;
    const statuses: Record<string, unknown>[] = [];
    let batch: string[] = [];
    let size = 16;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const { body } = await this.request(`collections/${encodeURIComponent(collection)}/objects/`, { method: 'POST', body: `{"objects":[${batch.join(',')}]}` });
      statuses.push(body);
      batch = [];
      size = 16;
    };
    for (const o of objects) {
      const text = JSON.stringify(o);
      if (Buffer.byteLength(text) + 16 > max) throw new InputError(`object ${String((o as { id?: string }).id)} alone exceeds the server's max_content_length (${max})`);
      if (size + Buffer.byteLength(text) + 1 > max) await flush();
      batch.push(text);
      size += Buffer.byteLength(text) + 1;
    }
    await flush();
    return statuses;
  }
}
