/**
 * Pagination as AWS does it: opaque tokens, short pages. The simulator's pages are small
 * on purpose (real callers must follow the token; a caller that reads one page is a bug
 * the drill should expose).
 */
import { awsError } from './errors';

export interface Page<T> {
  items: T[];
  /** Token for the next page; undefined on the last page. */
  next?: string;
}

export function encodeToken(offset: number, scope: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: scope })).toString('base64');
}

function decodeToken(token: string, scope: string): number {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o?: unknown; s?: unknown };
    if (typeof v.o === 'number' && v.s === scope) return v.o;
  } catch {
    // fall through
  }
  throw awsError('InvalidParameterValue', `Invalid pagination token: ${token}`, { status: 400 });
}

/**
 * One page of `all`. `requested` is the caller's MaxRecords/maxResults; the simulator
 * answers at most `simPageSize` (a short page is legal: the caller follows the token).
 */
export function paginate<T>(all: T[], token: string | undefined, requested: number | undefined, simPageSize: number, scope: string, errorName = 'InvalidParameterValue'): Page<T> {
  let offset = 0;
  if (token) {
    try {
      offset = decodeToken(token, scope);
    } catch {
      throw awsError(errorName, `Invalid pagination token: ${token}`, { status: 400 });
    }
  }
  const size = Math.max(1, Math.min(requested ?? simPageSize, simPageSize));
  const items = all.slice(offset, offset + size);
  const nextOffset = offset + items.length;
  return { items, next: nextOffset < all.length ? encodeToken(nextOffset, scope) : undefined };
}
