/**
 * A local DynamoDB (dynalite) for tests and drills: in memory, on a free loopback port,
 * tables ACTIVE within a tick (ensureStateTable waits for it). It speaks the real DynamoDB
 * protocol, so conditional writes, batch writes and consistent reads are exercised as in
 * production. (dynalite 4 has no TransactWriteItems: the store does not rely on it.)
 */
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { STATE_TABLE_KEYS } from '../../handlers/shared/contract';

export interface LocalDynamo {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Port 0: the OS picks a free port, so parallel runs never collide.
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        if (stopped) return resolve();
        stopped = true;
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets from SDK clients would otherwise hold the close open.
        server.closeIdleConnections();
      }),
  };
}

/** A client for the local endpoint with dummy credentials (dynalite does not check them). */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates the state table (STATE_TABLE layout) unless it exists. */
export async function ensureStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if ((await tableStatus(client, tableName)) === 'ACTIVE') return;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        ...STATE_TABLE_KEYS,
      }),
    );
  } catch (err) {
    // Another test file created it between our describe and create.
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  // Even with createTableMs 0 the table is CREATING for a tick, and items cannot be written
  // until it is ACTIVE (ResourceNotFoundException).
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await tableStatus(client, tableName)) === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`state table ${tableName} did not become ACTIVE`);
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

let tableCounter = 0;
/** A table name unique to this process and call, so test files never share state. */
export function uniqueTableName(prefix = 'autopilot-test'): string {
  tableCounter += 1;
  return `${prefix}-${process.pid}-${tableCounter}-${Math.random().toString(36).slice(2, 8)}`;
}
