// Credential redaction, the one list of what counts as a credential in a URL and the one function that
// removes credentials from text. Everything the product writes (tables, shards, journals, failure
// rows, logs, run.json, error messages) passes through here; see net/links.ts for how hrefs are
// stored without credentials and read with them.

/** What a credential value is replaced by in free text. */
export const REDACTED = 'REDACTED';

/** Query parameters that carry credentials: Azure SAS (sig, se, st, sp, sv, sr, skoid, ...), AWS
 *  presigned URLs (X-Amz-*), GCS signed URLs (X-Goog-*) and plain tokens. Case-insensitive; a
 *  trailing `*` matches a prefix. */
export const DEFAULT_CREDENTIAL_PARAMS: readonly string[] = [
  'sig', 'se', 'st', 'sp', 'sv', 'sr', 'spr', 'sip', 'skoid', 'sktid', 'skt', 'ske', 'sks', 'skv', 'token',
  'x-amz-*', 'x-goog-*',
];

let extraParams: readonly string[] = [];
let paramPattern = buildPattern();

/** Adds names (from `output.redact_query_params`) to the credential parameters for this process. */
export function setExtraCredentialParams(names: readonly string[]): void {
  extraParams = names.map((n) => n.toLowerCase());
  paramPattern = buildPattern();
}

function allParams(): string[] {
  return [...DEFAULT_CREDENTIAL_PARAMS, ...extraParams];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function buildPattern(): RegExp {
  const alts = allParams().map((p) => (p.endsWith('*') ? `${escapeRe(p.slice(0, -1))}[A-Za-z0-9_-]*` : escapeRe(p)));
  // A parameter name not glued to a longer word, then its value up to the next separator.
  return new RegExp(`(?<![A-Za-z0-9_.~-])(${alts.join('|')})=([^&\\s"'#<>\\\\]*)`, 'gi');
}

/** Whether a query parameter name carries a credential. */
export function isCredentialParam(name: string): boolean {
  const n = name.toLowerCase();
  return allParams().some((p) => (p.endsWith('*') ? n.startsWith(p.slice(0, -1)) : n === p));
}

function decodeName(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The href without its credential query parameters; everything else (order, encoding) unchanged. */
export function stripCredentials(href: string): string {
  const q = href.indexOf('?');
  if (q < 0) return href;
  const hash = href.indexOf('#', q);
  const query = href.slice(q + 1, hash < 0 ? undefined : hash);
  const kept = query.split('&').filter((kv) => kv !== '' && !isCredentialParam(decodeName(kv.split('=')[0]!)));
  return `${href.slice(0, q)}${kept.length ? `?${kept.join('&')}` : ''}${hash < 0 ? '' : href.slice(hash)}`;
}

/** Free text with every credential parameter value replaced by REDACTED (and JSON "token" fields). */
export function redactText(text: string): string {
  return text.replace(paramPattern, (_m, name: string) => `${name}=${REDACTED}`).replace(/("token"\s*:\s*")[^"]*"/gi, `$1${REDACTED}"`);
}
