import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { DurableExecutionAlreadyStartedException, type InvokeCommandInput } from '@aws-sdk/client-lambda';
import type { PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { rejectedBy } from '../../pipeline/intake';
import { intakeHandler } from '../../pipeline/intake-handler';
import { createRuntime, type RuntimeOptions } from './create-runtime';
import { runtimeFromEnv } from './environment';
import { autopilotLogger } from './logging';
import '../aws/handoff';
import { AUTOPILOT_EVENT_SOURCE, ENV } from '../../handlers/shared/contract';
import type { Runtime } from './runtime-types';
import type { ObservedCall } from '../aws/clients';
import { defaultConfig } from '../../domain/config';
import type { TimelineEntry } from '../../domain/incident';
import { FieldRejection } from '../../events/fields';
import { freshStateTable } from '../../test/support/state-table';
import { stubCommands, type Responder, type StubbedCall } from '../../test/support/sdk-stub';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const WORKFLOW_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:runbook-autopilot-dev-scaleEcsWorkflow:live';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

const silentLogger = (): Logger => new Logger({ serviceName: 'runtime-test', logLevel: 'SILENT' });

/** Keeps the structured log items instead of printing them. */
class CapturingLogger extends Logger {
  readonly items: Record<string, unknown>[] = [];
  protected override printLog(_level: number, log: LogItem): void {
    this.items.push(log.getAttributes());
  }
}

interface Built {
  rt: Runtime;
  seen: StubbedCall[];
  calls: ObservedCall[];
  logger: Logger;
}

async function build(responders: Record<string, Responder> = {}, overrides: Partial<RuntimeOptions> = {}): Promise<Built> {
  const { endpoint, tableName } = await freshStateTable('runtime');
  const seen: StubbedCall[] = [];
  const calls: ObservedCall[] = [];
  const logger = silentLogger();
  const rt = createRuntime({
    config: defaultConfig,
    clock: { now: () => T0 },
    tableName,
    dynamoEndpoint: endpoint,
    logger,
    workflowArns: { 'scale-ecs': WORKFLOW_ARN },
    clientSetup: { credentials: CREDENTIALS, plugins: [stubCommands(responders, seen)], onCall: (c) => calls.push(c) },
    ...overrides,
  });
  return { rt, seen, calls, logger };
}

const init = { key: 'scale-ecs-regami-service', runbook: 'scale-ecs' as const, title: 'CPU high', severity: 'P2' as const, detectedAt: T0 };

describe('createRuntime', () => {
  it('opens a new incident, then reopens the stored one with its timeline', async () => {
    const { rt } = await build();
    const first = await rt.openSession(init);
    expect(first.incident).toMatchObject({ key: init.key, status: 'open', timeline: [] });
    first.record({ kind: 'decision', summary: 'scale 2 -> 4' });
    await first.flush();

    const again = await rt.openSession({ ...init, title: 'a duplicate trigger' });
    expect(again.incident.title).toBe('CPU high');
    // Every entry carries the runbook's mode (issue 16; live: no override, config default).
    expect(again.incident.timeline).toEqual([{ kind: 'decision', summary: 'scale 2 -> 4', at: T0, mode: 'live' }]);
  });

  it('sends session entries to the sinks and to the logger with the incident key, secrets redacted', async () => {
    const seenEntries: [string, TimelineEntry][] = [];
    const { rt, logger } = await build({}, { sinks: [(key, entry) => seenEntries.push([key, entry])] });
    const info = jest.spyOn(logger, 'info');
    const session = await rt.openSession(init);
    session.record({ kind: 'signal', summary: 'DATABASE_URL=postgresql://regami:hunter2@db/regami' });

    // Sinks (and the stored record) receive the entry as stored: redacted.
    expect(seenEntries).toEqual([[init.key, { kind: 'signal', summary: 'DATABASE_URL=postgresql://regami:***@db/regami', at: T0, mode: 'live' }]]);
    expect(info).toHaveBeenCalledWith('DATABASE_URL=postgresql://regami:***@db/regami', expect.objectContaining({ correlation_id: init.key }));
    expect(JSON.stringify(info.mock.calls)).not.toContain('hunter2');
  });

  it('passes the ClientSetup through: its onCall observes the state-table calls', async () => {
    const { rt, calls } = await build();
    await rt.store.readControls();
    expect(calls).toEqual([expect.objectContaining({ service: 'DynamoDB', operation: 'GetItem', region: 'us-east-1', mutating: false })]);
  });

  it('starts a durable workflow with an async Invoke on the alias, named after the incident', async () => {
    const { rt, seen } = await build({ 'Lambda.Invoke': () => ({ StatusCode: 202 }) });
    expect(await rt.startWorkflow('scale-ecs', init.key, { alarm: 'cpu' })).toBe('started');

    const invoke = seen[0]!.input as InvokeCommandInput;
    expect(invoke).toMatchObject({ FunctionName: WORKFLOW_ARN, InvocationType: 'Event', DurableExecutionName: init.key });
    expect(JSON.parse(Buffer.from(invoke.Payload as Uint8Array).toString('utf8'))).toEqual({ alarm: 'cpu' });
  });

  it('joins the running execution on a second start (same or different payload)', async () => {
    let invocations = 0;
    const { rt } = await build({
      'Lambda.Invoke': () => {
        invocations += 1;
        if (invocations === 3) throw new DurableExecutionAlreadyStartedException({ message: 'already started', $metadata: {} });
        return { StatusCode: 202 };
      },
    });
    expect(await rt.startWorkflow('scale-ecs', init.key, { n: 1 })).toBe('started');
    expect(await rt.startWorkflow('scale-ecs', init.key, { n: 1 })).toBe('joined');
    expect(await rt.startWorkflow('scale-ecs', 'another-incident', { n: 2 })).toBe('joined');
  });

  it('lets other Invoke failures through, and names the variable when a workflow ARN is missing', async () => {
    const { rt } = await build({
      'Lambda.Invoke': () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      },
    });
    await expect(rt.startWorkflow('scale-ecs', init.key, {})).rejects.toThrow('Rate exceeded');
    await expect(rt.startWorkflow('database-failover', init.key, {})).rejects.toThrow(ENV.workflowArns);
  });

  it('emits hand-off events with our source, and fails when EventBridge rejects the entry', async () => {
    let failed = false;
    const { rt, seen } = await build(
      { 'EventBridge.PutEvents': () => (failed ? { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] } : { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }) },
      { eventBusName: 'autopilot-bus' },
    );
    await rt.emit('Rollback Requested', { incidentKey: init.key });
    expect((seen[0]!.input as PutEventsCommandInput).Entries).toEqual([
      { EventBusName: 'autopilot-bus', Source: AUTOPILOT_EVENT_SOURCE, DetailType: 'Rollback Requested', Detail: JSON.stringify({ incidentKey: init.key }) },
    ]);
    failed = true;
    await expect(rt.emit('Rollback Requested', {})).rejects.toThrow(/InternalFailure/);
  });

  it('uses the dispatcher and emitter it is given instead of AWS (the drill)', async () => {
    const starts: string[] = [];
    const emitted: string[] = [];
    const { rt, seen } = await build(
      {},
      {
        workflowStarter: async (runbook, name) => (starts.push(`${runbook}:${name}`), 'started'),
        eventEmitter: async (detailType) => void emitted.push(detailType),
      },
    );
    expect(await rt.startWorkflow('restore-from-backup', 'k', {})).toBe('started');
    await rt.emit('Restore Requested', {});
    expect(starts).toEqual(['restore-from-backup:k']);
    expect(emitted).toEqual(['Restore Requested']);
    expect(seen).toEqual([]);
  });

  it('pages through SNS on the severity topic', async () => {
    const { rt, seen } = await build({ 'SNS.Publish': () => ({ MessageId: 'm-1' }) });
    await rt.pager.send({ incidentKey: init.key, action: 'trigger', severity: 'P2', runbook: 'scale-ecs', title: 'CPU high', resource: 'svc', at: T0, diagnosis: [], done: [], refused: [], nextStep: 'x' });
    expect((seen[0]!.input as PublishCommandInput).TopicArn).toBe(defaultConfig.paging.topics.P2);
  });
});

describe('runtimeFromEnv', () => {
  const clock = { now: () => T0 };
  const good = { [ENV.config]: JSON.stringify(defaultConfig), [ENV.table]: 'state', AWS_REGION: 'us-east-1' };

  it('builds from the deployed environment', () => {
    const rt = runtimeFromEnv({ ...good, [ENV.workflowArns]: JSON.stringify({ 'scale-ecs': WORKFLOW_ARN }) }, clock, silentLogger());
    expect(rt.config.stage).toBe('dev');
  });

  it.each([
    [{ ...good, [ENV.config]: undefined }, `environment variable ${ENV.config} is not set`],
    [{ ...good, [ENV.config]: '{not json' }, `environment variable ${ENV.config} is not valid JSON`],
    [{ ...good, [ENV.config]: '{"stage":"dev"}' }, `environment variable ${ENV.config} lacks accountIds`],
    [{ ...good, [ENV.table]: '' }, `environment variable ${ENV.table} is not set`],
    [{ ...good, [ENV.workflowArns]: '[]' }, `environment variable ${ENV.workflowArns} must be a JSON object`],
    [{ ...good, [ENV.workflowArns]: '{"scale-ecs":"nope"}' }, `environment variable ${ENV.workflowArns}: scale-ecs is not an ARN`],
  ])('names the variable that is missing or invalid (%#)', (env, message) => {
    expect(() => runtimeFromEnv(env, clock, silentLogger())).toThrow(message);
  });
});

describe('intakeHandler', () => {
  const context = { functionName: 'scaleEcs', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:1:function:scaleEcs', functionVersion: '$LATEST', memoryLimitInMB: '256' } as unknown as Context;
  const event = { id: 'evt-1', source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: {} };

  async function withRuntime() {
    const built = await build();
    return { ...built, error: jest.spyOn(built.logger, 'error'), info: jest.spyOn(built.logger, 'info') };
  }

  it('returns what the runbook decided and logs it with the incident key', async () => {
    const { rt, info } = await withRuntime();
    const handler = intakeHandler('scaleEcs', () => rt, async () => ({ status: 'acted', incidentKey: init.key }));
    expect(await handler(event, context)).toEqual({ status: 'acted', incidentKey: init.key });
    expect(info).toHaveBeenCalledWith('scaleEcs: acted', expect.objectContaining({ correlation_id: init.key }));
  });

  it('answers a rejection (returned or thrown by a field reader) as rejected, logged as an error naming the field', async () => {
    const { rt, error } = await withRuntime();
    const rejection = { code: 'wrong-type' as const, field: 'detail.state.value', message: 'detail.state.value: expected one of ALARM, OK' };
    const returning = intakeHandler('scaleEcs', () => rt, async () => rejectedBy(rejection));
    const throwing = intakeHandler('scaleEcs', () => rt, async () => {
      throw new FieldRejection(rejection);
    });
    const expected = { status: 'rejected', field: 'detail.state.value', reason: 'detail.state.value: expected one of ALARM, OK' };
    expect(await returning(event, context)).toEqual(expected);
    expect(await throwing(event, context)).toEqual(expected);
    expect(error).toHaveBeenCalledTimes(2);
    expect(error.mock.calls[0]![0]).toBe('scaleEcs: event rejected at detail.state.value: detail.state.value: expected one of ALARM, OK');
  });

  it('rethrows infrastructure failures after logging them, so Lambda retries and the on-failure destination keep the event', async () => {
    const { rt, error } = await withRuntime();
    const failure = Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
    const handler = intakeHandler('scaleEcs', () => rt, async () => {
      throw failure;
    });
    await expect(handler(event, context)).rejects.toBe(failure);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('rethrown'), expect.objectContaining({ error: expect.objectContaining({ name: 'ProvisionedThroughputExceededException' }) }));
  });

  it('rethrows (and logs) a runtime that cannot be built (missing environment) instead of answering', async () => {
    const logged = jest.spyOn(autopilotLogger, 'error').mockImplementation(() => undefined);
    const handler = intakeHandler('scaleEcs', () => runtimeFromEnv({}, { now: () => T0 }, silentLogger()), async () => ({ status: 'ignored' }));
    await expect(handler(event, context)).rejects.toThrow(`environment variable ${ENV.config} is not set`);
    expect(logged).toHaveBeenCalledWith('scaleEcs: runtime could not be built', expect.anything());
    logged.mockRestore();
  });

  it('can be invoked without a Lambda context (the drill calls it with the event only)', async () => {
    const { rt } = await withRuntime();
    const handler = intakeHandler('scaleEcs', () => rt, async () => ({ status: 'ignored', reason: 'not ours' }));
    expect(await (handler as unknown as (e: unknown) => Promise<unknown>)(event)).toEqual({ status: 'ignored', reason: 'not ours' });
  });

  it('logs with the incident key once a session is open, and does not leak it into the next invocation', async () => {
    const logger = new CapturingLogger({ serviceName: 'runtime-test', logLevel: 'INFO' });
    const { rt } = await build({}, { logger });
    const handler = intakeHandler('scaleEcs', () => rt, async (e, r) => {
      r.logger.info('before session');
      if ((e as { id: string }).id === 'evt-1') await r.openSession(init);
      r.logger.info('after session');
      return { status: 'ignored' };
    });
    await handler(event, context);
    await handler({ ...event, id: 'evt-2' }, context);
    const ids = (message: string) => logger.items.filter((i) => i.message === message).map((i) => i.correlation_id);
    expect(ids('before session')).toEqual(['evt-1', 'evt-2']);
    expect(ids('after session')).toEqual([init.key, 'evt-2']);
  });
});
