/**
 * Hand marshalling for the few attribute shapes the state table uses (lib-dynamodb is not
 * installed and the items are small and fixed). Readers return undefined for a missing or
 * differently typed attribute, so a corrupt item never passes for a valid one.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export const str = (value: string): AttributeValue => ({ S: value });
export const num = (value: number): AttributeValue => ({ N: String(value) });
export const bool = (value: boolean): AttributeValue => ({ BOOL: value });

export function readStr(item: Item | undefined, name: string): string | undefined {
  const v = item?.[name];
  return v && 'S' in v && typeof v.S === 'string' ? v.S : undefined;
}

export function readNum(item: Item | undefined, name: string): number | undefined {
  const v = item?.[name];
  if (!v || !('N' in v) || typeof v.N !== 'string') return undefined;
  const n = Number(v.N);
  return Number.isFinite(n) ? n : undefined;
}

export function readBool(item: Item | undefined, name: string): boolean | undefined {
  const v = item?.[name];
  return v && 'BOOL' in v && typeof v.BOOL === 'boolean' ? v.BOOL : undefined;
}

/** Epoch milliseconds to the TTL attribute's epoch seconds (rounded up: never expire early). */
export const ttlSeconds = (epochMs: number): number => Math.ceil(epochMs / 1000);
