/**
 * DATABASE_URL rewriting for a switch to another database instance (failover: runbook 1
 * step 5; restore: runbook 5 step 5). Only the host changes: scheme, credentials, port and
 * database name are kept, so no secret has to be read or written by the autopilot.
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

/** Host part of a DATABASE_URL (no credentials), or undefined. */
export function databaseHost(url: string): string | undefined {
  return split(url)?.host;
}
