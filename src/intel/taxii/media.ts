// TAXII 2.1 media types and content negotiation (TAXII 2.1, section 1.6.8).
export const TAXII_MEDIA = 'application/taxii+json;version=2.1';
export const STIX_MEDIA = 'application/stix+json;version=2.1';

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseMedia(s: string): MediaRange {
  const [type, ...rest] = s.split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), params };
}

/** Whether an Accept header admits a TAXII 2.1 response (absent Accept admits anything). */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const m = parseMedia(part);
    if (m.params.q !== undefined && Number(m.params.q) === 0) return false;
    if (m.type === '*/*' || m.type === 'application/*') return true;
    return m.type === 'application/taxii+json' && (m.params.version === undefined || m.params.version === '2.1');
  });
}

/** Whether a request body's Content-Type is TAXII 2.1. */
export function isTaxiiContent(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const m = parseMedia(contentType);
  return m.type === 'application/taxii+json' && (m.params.version === undefined || m.params.version === '2.1');
}
