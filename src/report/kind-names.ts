// Plain-language names of indicator kinds and link dimensions (brief, report and dashboard).
/** Plain-language name of an indicator kind or link dimension. */
export const KIND_NAMES: Record<string, string> = {
  ip_prefix: 'network prefix',
  tls_fingerprint: 'TLS fingerprint',
  user_agent: 'user agent',
  payment_fingerprint_hmac: 'payment instrument (keyed hash)',
  payment_bin: 'card issuer (BIN)',
  link_hmac: 'provider link attribute (keyed hash)',
  email_pattern: 'e-mail pattern (local-part shape: a = letters, 9 = digits; and domain)',
  system_prompt_hash: 'system prompt (keyed hash)',
  template_cluster: 'prompt template cluster',
  email_hmac: 'e-mail address (community-keyed hash)',
  payment_hmac: 'payment instrument (community-keyed hash)',
  template_fingerprint: 'prompt template (keyed fingerprint)',
  asn: 'autonomous system',
  payment: 'payment instrument',
  link: 'provider link attribute',
  signup_ip: 'sign-up network',
  signup_cohort: 'sign-up cohort',
  client: 'client fingerprint',
  system: 'system prompt',
  template: 'prompt template',
  org: 'organization',
  shared_tradecraft: 'shared tradecraft text',
  work_queue: 'one work queue',
  shared_client_config: 'one client configuration',
  shared_timing: 'shared pipeline timing',
};

export const kindName = (k: string): string => KIND_NAMES[k] ?? k;
