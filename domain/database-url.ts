/**
 * DATABASE_URL rewriting for a switch to another database instance (failover: runbook 1
 * step 5; restore: runbook 5 step 5). Only the host changes (and the port, when the new
 * endpoint listens on another one): scheme, credentials, database name and query are kept.
 * The URL may come from the environment or from a Secrets Manager / SSM reference
 * (domain/database-url-reference.ts): the rewrite is the same.
 */

interface UrlParts {
  scheme: string; // 'postgresql://'
  userinfo: string; // 'user:pass@' or ''
  host: string;
  rest: string; // ':5432/regami?x=y'
}

function split(url: string): UrlParts | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/i.exec(url);
  if (!m) return undefined;
  const afterScheme = m[2]!;
  const authorityEnd = afterScheme.search(/[/?#]/);
  const authority = authorityEnd < 0 ? afterScheme : afterScheme.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? '' : afterScheme.slice(authorityEnd);
  // Passwords may carry an unescaped '@': the host starts after the LAST '@' of the authority.
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  const colon = hostPort.lastIndexOf(':');
  const host = colon < 0 ? hostPort : hostPort.slice(0, colon);
  const port = colon < 0 ? '' : hostPort.slice(colon);
  if (!host) return undefined;
  return { scheme: m[1]!, userinfo, host, rest: port + tail };
}

/** postgresql://user:pass@old-host:5432/regami?sslmode=require -> same with new-host. */
export function withDatabaseHost(url: string, newHost: string): string {
  const p = split(url);
  if (!p) throw new Error('DATABASE_URL is not a URL of the form scheme://[user[:password]@]host[:port]/db');
  return `${p.scheme}${p.userinfo}${newHost}${p.rest}`;
}

/** Default ports of the schemes a DATABASE_URL uses: a URL without a port connects there. */
const DEFAULT_PORTS: Record<string, number> = { 'postgres://': 5432, 'postgresql://': 5432, 'mysql://': 3306, 'mariadb://': 3306 };

/**
 * The URL pointed at another endpoint: the host always, the port only where it changes what
 * the application connects to (an explicit port that differs, or no port while the endpoint
 * is not on the scheme's default). Credentials, database and query are kept as they are.
 */
export function withDatabaseEndpoint(url: string, endpoint: { address: string; port?: number }): string {
  const p = split(url);
  if (!p) throw new Error('DATABASE_URL is not a URL of the form scheme://[user[:password]@]host[:port]/db');
  const m = /^:(\d+)(.*)$/s.exec(p.rest);
  const currentPort = m ? Number(m[1]) : undefined;
  const tail = m ? m[2]! : p.rest;
  const wanted = endpoint.port;
  let port = m ? `:${m[1]}` : '';
  if (wanted !== undefined) {
    const effective = currentPort ?? DEFAULT_PORTS[p.scheme.toLowerCase()];
    if (effective !== wanted) port = `:${wanted}`;
  }
  return `${p.scheme}${p.userinfo}${endpoint.address}${port}${tail}`;
}

/** Port part of a DATABASE_URL, or undefined when it has none. */
export function databasePort(url: string): number | undefined {
  const m = /^:(\d+)/.exec(split(url)?.rest ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Host part of a DATABASE_URL (no credentials), or undefined. */
export function databaseHost(url: string): string | undefined {
  return split(url)?.host;
}
