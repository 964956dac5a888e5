/**
 * For a test file: a fresh, uniquely named state table on the run's dynalite
 * (global-setup.ts puts its endpoint in DYNAMO_ENDPOINT).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureStateTable, localDynamoClient, uniqueTableName } from './dynalite';

export interface TestStateTable {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
}

export async function freshStateTable(prefix?: string): Promise<TestStateTable> {
  const endpoint = process.env.DYNAMO_ENDPOINT;
  if (!endpoint) {
    throw new Error('DYNAMO_ENDPOINT is not set: run the tests through jest (test/support/global-setup.ts starts dynalite)');
  }
  const client = localDynamoClient(endpoint);
  const tableName = uniqueTableName(prefix);
  await ensureStateTable(client, tableName);
  return { endpoint, client, tableName };
}
