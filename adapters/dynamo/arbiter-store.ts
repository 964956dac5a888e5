/**
 * The arbiter's record per managed resource on the state table (domain/arbiter.ts):
 *
 *   pk                      sk         what
 *   arbiter#<resource>      arbiter    claims: JSON list of ResourceClaim, ttl = the latest claim's end
 *
 * Read consistently and written only by a holder of the resource's lock (the Actuator writes it
 * between acquiring the lock and the mutation; releaseHeldLocks before giving the lock back), so
 * the writes of two runbooks never interleave. An unreadable record fails closed: it throws, and
 * the step that asked retries or stops.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ACTIVITIES, type ResourceClaim } from '../../domain/arbiter';
import { num, readStr, str, ttlSeconds, type Item } from './attributes';

const arbiterKey = (resource: string): Item => ({ pk: str(`arbiter#${resource}`), sk: str('arbiter') });

export async function readResourceClaims(client: DynamoDBClient, tableName: string, resource: string): Promise<ResourceClaim[]> {
  const out = await client.send(new GetItemCommand({ TableName: tableName, Key: arbiterKey(resource), ConsistentRead: true }));
  const json = readStr(out.Item, 'claims');
  if (json === undefined) return [];
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every(isClaim)) throw new Error(`arbiter item ${resource} does not hold a valid list of claims`);
  return parsed;
}

export async function writeResourceClaims(client: DynamoDBClient, tableName: string, resource: string, claims: readonly ResourceClaim[], now: number): Promise<void> {
  const latest = claims.reduce((m, c) => Math.max(m, c.until), now);
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ...arbiterKey(resource), claims: str(JSON.stringify(claims)), updatedAt: num(now), ttl: num(ttlSeconds(latest) + 86_400) },
    }),
  );
}

function isClaim(v: unknown): v is ResourceClaim {
  if (v === null || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.resource === 'string' &&
    typeof c.activity === 'string' &&
    (ACTIVITIES as readonly string[]).includes(c.activity) &&
    typeof c.runbook === 'string' &&
    typeof c.incidentKey === 'string' &&
    typeof c.action === 'string' &&
    typeof c.since === 'number' &&
    typeof c.until === 'number' &&
    (c.freeze === undefined || typeof c.freeze === 'boolean')
  );
}
