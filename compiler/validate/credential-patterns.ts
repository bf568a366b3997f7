/**
 * What makes an `env:` value look like a credential: its shape (well-known key and token formats, a
 * `password=` inside a connection string, a URL with a password) or a name that says so with a value beside it.
 * A warning, so a false positive costs a glance; each kind is specific enough not to fire on ordinary settings.
 */
const VALUE_SHAPES: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  // IAM user (AKIA) and temporary (ASIA) access key ids: 20 characters, upper-case letters and digits.
  { kind: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/ },
  { kind: 'a private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { kind: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { kind: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { kind: 'a Stripe live key', pattern: /\b[rs]k_live_[A-Za-z0-9]{16,}/ },
  { kind: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: 'a URL with a password', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
  {
    kind: 'a `password=`, `secret=`, `token=` or key setting',
    pattern: /(?:^|[\s;&?,])(?:password|passwd|pwd|secret|client_secret|token|access_token|api_?key|access_?key)\s*[=:]\s*[^\s;&,]+/i,
  },
];

/** A variable named like a credential (`DB_PASSWORD`, `API_TOKEN`, `STRIPE_SECRET`); `SECRET_NAME` is not. */
const CREDENTIAL_NAME = /(?:^|_)(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|SECRET_ACCESS_KEY)$/i;
/** Shorter values under such a name are placeholders (`x`, `no`), not credentials. */
const MIN_NAMED_CREDENTIAL_LENGTH = 4;

/** What kind of credential `value` (the variable `name`) looks like, or undefined when it looks like none. */
export function credentialKind(name: string, value: string): string | undefined {
  const shape = VALUE_SHAPES.find(({ pattern }) => pattern.test(value));
  if (shape) return shape.kind;
  if (CREDENTIAL_NAME.test(name) && value.trim().length >= MIN_NAMED_CREDENTIAL_LENGTH) return 'a value under a credential’s name';
  return undefined;
}
