/**
 * Secrets never leave the process in a page or a log line. The one that can realistically
 * appear is a connection string read from a task definition (DATABASE_URL) or quoted in an
 * error message: its password is masked, the rest (user, host, database) stays readable
 * because it is what a human needs to diagnose.
 */

/** scheme://user:password@host (up to the last '@' of the authority: passwords may hold an unescaped '@') -> scheme://user:***@host (postgres, postgresql, mysql, redis, ...). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^\s/]*)@/gi;
/**
 * password=... / PGPASSWORD=... / "password":"..." / API_TOKEN=... / STRIPE_SECRET_KEY=... /
 * ?token=... in key=value strings, query strings and JSON (libpq, env dumps, error text).
 * A Secrets Manager ARN (`...:secret:regami/db/url-AbCdEf`) is a name and stays readable.
 */
const KEY_VALUE_SECRET =
  // Not after ':' — `arn:aws:secretsmanager:...:secret:<name>` names a secret, it is not one.
  /(?<!:)\b((?:[A-Za-z0-9_]*(?:PASSWORD|SECRET|TOKEN|CREDENTIALS?|_KEY|PASSWD)|password|passwd|pwd|secret|token|api_?key|access_?key|credentials?)["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,}]+)/g;
/** Authorization: Bearer <token> / Basic <credentials>. */
const AUTH_HEADER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

export function redactSecrets(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@').replace(KEY_VALUE_SECRET, '$1***').replace(AUTH_HEADER, '$1 ***');
}

/** Words a field name is made of: camelCase, snake_case, kebab-case, dotted. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);
}

const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'secrets', 'token', 'credential', 'credentials', 'apikey', 'authorization', 'cookie']);
/** "key" is a secret after these words (API_KEY, secretAccessKey, private_key, routing_key), not alone (an S3 key) nor in incidentKey. */
const KEY_QUALIFIERS = new Set(['api', 'access', 'secret', 'private', 'signing', 'encryption', 'master', 'client', 'license', 'routing', 'integration', 'session']);
/** Names of a secret, not the secret: SecretId, credentialsSecretName, tokenArn. */
const REFERENCE_SUFFIX = new Set(['id', 'arn', 'name', 'names', 'ref', 'from', 'type', 'count', 'length', 'expires', 'expiry', 'at']);

/**
 * Field names whose value is a secret (PASSWORD, SECRET, TOKEN, ..._KEY, credentials).
 * Environment-style names (UPPER_SNAKE) ending in _KEY count too: STRIPE_KEY, AWS_SECRET_ACCESS_KEY.
 */
export function isSecretName(name: string): boolean {
  const w = words(name);
  if (w.length === 0) return false;
  if (REFERENCE_SUFFIX.has(w[w.length - 1]!) && w.length > 1) return false;
  if (w.some((x) => SECRET_WORDS.has(x))) return true;
  if (/^[A-Z0-9_]+_KEY$/.test(name)) return true;
  return w.some((x, i) => x === 'key' && i > 0 && KEY_QUALIFIERS.has(w[i - 1]!));
}

const REDACTED = '***';

/**
 * Deep copy for logs, stored records and pages: every string redacted, every value under a
 * secret-like field name replaced, and a task definition's container environment reduced to
 * its names (`environment: [{ name }]`): no environment value is ever logged or stored.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'environment' && Array.isArray(v)) out[k] = v.map(environmentNameOnly);
      else if (isSecretName(k) && v !== null && v !== undefined && typeof v !== 'boolean' && typeof v !== 'object') out[k] = REDACTED;
      else if (isSecretName(k) && v !== null && typeof v === 'object') out[k] = REDACTED;
      else out[k] = redactDeep(v);
    }
    return out as T;
  }
  return value;
}

function environmentNameOnly(entry: unknown): unknown {
  if (entry !== null && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string') return { name: (entry as { name: string }).name };
  return REDACTED;
}

/**
 * JSON.stringify replacer for the logger (Powertools `jsonReplacerFn`): the same rules as
 * redactDeep applied to every key and value of every log line, at every level, whatever a
 * caller passed as attributes.
 */
export function redactingJsonReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSecretName(key) && value !== null && value !== undefined && typeof value !== 'boolean') return REDACTED;
  if (key === 'environment' && Array.isArray(value)) return value.map(environmentNameOnly);
  if (typeof value === 'string') return redactSecrets(value);
  return value;
}

/**
 * Request fields that carry a secret's value whatever their name: the DATABASE_URL the failover
 * and the restore write as a new reference (adapters/aws/database-url.ts). Secrets Manager's
 * SecretString is a secret by its name already; SSM's PutParameter calls it `Value`.
 */
const VALUE_FIELDS: Record<string, readonly string[]> = {
  'SSM.PutParameter': ['Value'],
  'SecretsManager.CreateSecret': ['SecretString', 'SecretBinary'],
  'SecretsManager.PutSecretValue': ['SecretString', 'SecretBinary'],
};

/** An AWS request for a log line: redactDeep, and the fields that hold a secret's value replaced. */
export function redactCallInput(service: string, operation: string, input: unknown): unknown {
  const out = redactDeep(input);
  const fields = VALUE_FIELDS[`${service}.${operation}`];
  if (!fields || out === null || typeof out !== 'object' || Array.isArray(out)) return out;
  const copy = { ...(out as Record<string, unknown>) };
  for (const f of fields) if (f in copy) copy[f] = REDACTED;
  return copy;
}
