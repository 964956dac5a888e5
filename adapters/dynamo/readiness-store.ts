/**
 * The scheduled readiness check's latest verdicts on the state table (domain/preflight.ts
 * ReadinessReport), one item:
 *
 *   pk          sk          what
 *   readiness   readiness   report: JSON ReadinessReport, checkedAt (ms), ttl = a week after the check
 *
 * Written by the preflight function only (its role may put nothing else but its own page
 * marks: infra/permissions.ts preflightStatements); read by every durable workflow at its start
 * (pipeline/workflow-shell.ts). An item that does not hold a report reads as none: readiness is
 * what the workflow tells the human, never a gate of its own.
 */
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RUNBOOKS } from '../../domain/config';
import { READINESS_PARTITION_KEY, type ReadinessReport } from '../../domain/preflight';
import { num, readStr, str, ttlSeconds, type Item } from './attributes';

const READINESS_KEY: Item = { pk: str(READINESS_PARTITION_KEY), sk: str(READINESS_PARTITION_KEY) };
/** A report this old is gone: the workflow then says no check is recorded. */
const RETENTION_SECONDS = 7 * 86_400;

export async function writeReadinessReport(client: DynamoDBClient, tableName: string, report: ReadinessReport): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ...READINESS_KEY, report: str(JSON.stringify(report)), checkedAt: num(report.checkedAt), ttl: num(ttlSeconds(report.checkedAt) + RETENTION_SECONDS) },
    }),
  );
}

export async function readReadinessReport(client: DynamoDBClient, tableName: string): Promise<ReadinessReport | undefined> {
  const out = await client.send(new GetItemCommand({ TableName: tableName, Key: READINESS_KEY, ConsistentRead: true }));
  const json = readStr(out.Item, 'report');
  if (json === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    return isReport(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isReport(v: unknown): v is ReadinessReport {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.checkedAt === 'number' &&
    typeof r.stage === 'string' &&
    typeof r.schedule === 'string' &&
    Array.isArray(r.runbooks) &&
    r.runbooks.every((x) => {
      const e = x as Record<string, unknown> | null;
      return e !== null && typeof e === 'object' && (RUNBOOKS as readonly unknown[]).includes(e.runbook) && typeof e.ready === 'boolean' && Array.isArray(e.failed) && e.failed.every((f) => typeof f === 'string');
    })
  );
}
