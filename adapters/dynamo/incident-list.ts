/**
 * Incidents from a deployed state table, for `autopilot incidents` and `autopilot report`.
 * Incident items are `incident#<key>` / `incident` with the record as JSON (guardrail-store.ts).
 * Listing is a Scan filtered on the key prefix: an operator command over a table that TTL
 * keeps small (incidents 90 days), never on a runbook's path. Read-only.
 */
import { GetItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IncidentRecord } from '../../domain/incident';

export interface IncidentSummary {
  key: string;
  runbook: IncidentRecord['runbook'];
  title: string;
  severity: IncidentRecord['severity'];
  status: IncidentRecord['status'];
  detectedAt: number;
  mitigatedAt?: number;
  actions: number;
  refusals: number;
}

function parse(json: string | undefined): IncidentRecord | undefined {
  if (json === undefined) return undefined;
  try {
    const rec = JSON.parse(json) as IncidentRecord;
    return typeof rec.key === 'string' && Array.isArray(rec.timeline) ? rec : undefined;
  } catch {
    return undefined;
  }
}

/** Incidents detected at or after `since` (epoch ms), newest first. Unparseable items are counted, not hidden. */
export async function listIncidents(client: DynamoDBClient, tableName: string, since: number): Promise<{ incidents: IncidentSummary[]; unreadable: string[] }> {
  const incidents: IncidentSummary[] = [];
  const unreadable: string[] = [];
  let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': { S: 'incident#' } },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) {
      const rec = parse(item.record?.S);
      if (!rec) {
        unreadable.push(item.pk?.S ?? '(no key)');
        continue;
      }
      if (rec.detectedAt < since) continue;
      incidents.push({
        key: rec.key,
        runbook: rec.runbook,
        title: rec.title,
        severity: rec.severity,
        status: rec.status,
        detectedAt: rec.detectedAt,
        ...(rec.mitigatedAt !== undefined ? { mitigatedAt: rec.mitigatedAt } : {}),
        actions: rec.actionsTaken.length,
        refusals: rec.refusals.length,
      });
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  incidents.sort((a, b) => b.detectedAt - a.detectedAt);
  return { incidents, unreadable };
}

export async function readIncident(client: DynamoDBClient, tableName: string, key: string): Promise<IncidentRecord | undefined> {
  const out = await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `incident#${key}` }, sk: { S: 'incident' } }, ConsistentRead: true }));
  return parse(out.Item?.record?.S);
}
