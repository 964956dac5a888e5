/**
 * A warm runtime over the simulated region, for the reaction and storm benchmarks: the
 * production createRuntime (production call logger, production workflow dispatcher: a
 * claim in the state table then Lambda Invoke with DurableExecutionName) whose clients are
 * the real SDK clients with the simulated region's transport, a state table on dynalite,
 * plus the CallTimer. The world and clock behind it can be swapped between invocations
 * (a fresh incident each time) without rebuilding the clients: the runtime stays warm.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { BatchWriteItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AutopilotConfig, RunbookId } from '../domain/config';
import { simClientSetup } from '../test/simulated-region/plugin';
import type { SimWorld } from '../test/simulated-region/world';
import type { WorkflowClock } from '../adapters/durable';
import { RUNBOOK_FUNCTIONS, STATE_TABLE, WORKFLOW_ALIAS } from '../handlers/shared/contract';
import { createRuntime } from '../adapters/runtime/create-runtime';
import { callLogger } from '../adapters/runtime/logging';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { ensureStateTable, localDynamoClient } from '../test/support/dynalite';
import { CallTimer } from './call-timer';

export interface WarmRuntime {
  runtime: Runtime;
  timer: CallTimer;
  /** Point the runtime at another world and clock (both built by the caller). */
  use(world: SimWorld, clock: WorkflowClock): void;
  /** Deletes every item of the state table (not measured). */
  clearTable(): Promise<void>;
}

let tableSeq = 0;

export async function warmRuntime(opts: {
  config: AutopilotConfig;
  dynamoEndpoint: string;
  world: SimWorld;
  clock: WorkflowClock;
  tableName?: string;
  mutating?: (service: string, operation: string) => boolean;
}): Promise<WarmRuntime> {
  let world = opts.world;
  let clock = opts.clock;
  const proxyWorld = {
    handle: (req: Parameters<SimWorld['handle']>[0]) => world.handle(req),
    // The simulator's SDK plugin authorises a call before it is sent (IAM, like AWS's answer).
    authorize: (...args: Parameters<SimWorld['authorize']>) => world.authorize(...args),
    get ids() {
      return world.ids;
    },
  } as unknown as SimWorld;
  const proxyClock: WorkflowClock = { now: () => clock.now(), advanceTo: (ms) => clock.advanceTo?.(ms) };
  const tableName = opts.tableName ?? `bench-${process.pid}-${++tableSeq}`;
  const admin = localDynamoClient(opts.dynamoEndpoint);
  await ensureStateTable(admin, tableName);
  const timer = new CallTimer();
  const logger = new Logger({ serviceName: 'runbook-autopilot-bench', logLevel: 'SILENT' });
  const account = opts.config.accountIds[0] ?? '123456789012';
  const workflowArns: Partial<Record<RunbookId, string>> = {};
  for (const [id, f] of Object.entries(RUNBOOK_FUNCTIONS)) {
    if (f.workflow) workflowArns[id as RunbookId] = `arn:aws:lambda:${opts.config.primaryRegion}:${account}:function:runbook-autopilot-bench-${f.workflow}:${WORKFLOW_ALIAS}`;
  }
  const runtime = createRuntime({
    config: opts.config,
    clock: proxyClock,
    tableName,
    dynamoEndpoint: opts.dynamoEndpoint,
    // As in production: every attempt goes through the call logger (silent here).
    clientSetup: simClientSetup(proxyWorld, { onCall: callLogger(logger), plugins: [timer.plugin(opts.mutating)] }),
    logger,
    workflowArns,
  });
  return {
    runtime,
    timer,
    use(w, c) {
      world = w;
      clock = c;
    },
    clearTable: () => clearTable(admin, tableName),
  };
}

async function clearTable(client: DynamoDBClient, tableName: string): Promise<void> {
  let start: Record<string, NonNullable<unknown>> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ProjectionExpression: '#pk, #sk', ExpressionAttributeNames: { '#pk': STATE_TABLE.partitionKey, '#sk': STATE_TABLE.sortKey }, ExclusiveStartKey: start as never }));
    const keys = page.Items ?? [];
    for (let i = 0; i < keys.length; i += 25) {
      await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) } }));
    }
    start = page.LastEvaluatedKey;
  } while (start);
}

/** A Lambda context for direct invocations. */
export function benchContext(name: string, seq: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `runbook-autopilot-bench-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:runbook-autopilot-bench-${name}`,
    memoryLimitInMB: '256',
    awsRequestId: `bench-${name}-${seq}`,
    logGroupName: `/aws/lambda/runbook-autopilot-bench-${name}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
