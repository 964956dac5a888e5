/**
 * Proof that a request came through the operator-request function.
 *
 * EventBridge does not tell a target which bus an event came from, and a direct Lambda
 * invoke of an intake can carry any JSON. So when the operator-request function relays a
 * verified request it writes a marker keyed by the SHA-256 of the exact request (type and
 * detail, keys sorted); an intake acts on a person's request only when that marker exists.
 * A request typed into a direct invoke, or put on the default bus, has no marker: refused
 * and paged, nothing created. (Writing the marker needs write access to the state table, a
 * much narrower set of principals than events:PutEvents on the default bus.)
 */
import { createHash } from 'node:crypto';
import type { GuardrailStore } from '../domain/ports';

/** JSON with object keys sorted at every level: the same request always has the same digest. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function relayKey(detailType: string, detail: unknown): string {
  return `operator-relay#${createHash('sha256').update(canonicalJson({ detailType, detail })).digest('hex')}`;
}

/** Written by the operator-request function just before it puts the request on the private bus. */
export async function recordRelay(store: GuardrailStore, detailType: string, detail: Record<string, unknown>, requestedBy: string, now: number): Promise<void> {
  await store.markOwnChange(relayKey(detailType, detail), requestedBy, now);
}

export async function wasRelayed(store: GuardrailStore, detailType: string, detail: unknown): Promise<boolean> {
  return store.isOwnChange(relayKey(detailType, detail));
}
