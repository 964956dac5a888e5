/**
 * Secrets never leave the process in a page or a log line. The one that can realistically
 * appear is a connection string read from a task definition (DATABASE_URL) or quoted in an
 * error message: its password is masked, the rest (user, host, database) stays readable
 * because it is what a human needs to diagnose.
 */

/** scheme://user:password@host (up to the last '@' of the authority: passwords may hold an unescaped '@') -> scheme://user:***@host (postgres, postgresql, mysql, redis, ...). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^\s/]*)@/gi;
/** password=... / PGPASSWORD=... / "password":"..." in key=value strings and JSON (libpq, env dumps). */
const KEY_VALUE_PASSWORD = /\b((?:[A-Z_]*PASSWORD|password|passwd|pwd)["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,}]+)/g;

export function redactSecrets(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@').replace(KEY_VALUE_PASSWORD, '$1***');
}

/** Deep copy with every string redacted (log payloads, timeline details). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
