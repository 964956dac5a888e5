/**
 * ISSUE 14 item 5: DATABASE_URL as a Secrets Manager or SSM reference (container `secrets`).
 * The failover (runbook 1 step 5) and the restore switch (runbook 5 step 5) read it in the
 * Region the service runs in, write a NEW reference for the incident with only the host
 * rewritten, and register a task definition reading it: no plaintext password in the task
 * definition, the logs (DEBUG, the production call logger included), the incident record or
 * the pages. A reference that cannot be read is refused before any mutation. IAM is on: every
 * call is authorised against the role of the workflow making it (infra/permissions.ts).
 */
import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { SimClock, SimWorld, baselineWorld, mergeWorld, simClientSetup } from './simulated-region';
import { secretArnSuffix } from './simulated-region/services/secretsmanager';
import { defaultConfig } from '../domain/config';
import { incidentKey } from '../domain/incident';
import type { FailoverOutcome } from '../domain/failover/workflow';
import type { RestoreOutcome } from '../domain/restore/workflow';
import { buildWorkflow as failoverWorkflow } from '../handlers/database-failover-workflow';
import { buildWorkflow as restoreWorkflow } from '../handlers/restore-from-backup-workflow';
import { createRuntime } from '../adapters/runtime/create-runtime';
import { callLogger, createAutopilotLogger } from '../adapters/runtime/logging';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { functionPolicies } from '../infra/iam-policy';
import { freshStateTable } from './support/state-table';

const PASSWORD = 'Xk9-ref-s3cr3t-pw';
const PRIMARY = defaultConfig.database.primaryInstanceId;
const REPLICA = defaultConfig.database.replicaInstanceId;
const PRIMARY_HOST = `${PRIMARY}.c9akciq32.us-east-1.rds.amazonaws.com`;
const REPLICA_HOST = `${REPLICA}.c9akciq32.us-west-2.rds.amazonaws.com`;
const url = (host: string): string => `postgresql://regami_app:${PASSWORD}@${host}:5432/regami?sslmode=require`;
const ACCOUNT = '123456789012';
const SECRET = 'regami/prod/database-url';
const SECRET_EAST = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${SECRET}-${secretArnSuffix(SECRET)}`;
const WEST_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/0b7e2f55-4c1d-4e8a-9f00-5ecd0a11a001`;
const EAST_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b7e2f55-4c1d-4e8a-9f00-5ecd0a11a002`;
const PARAMETER = '/regami/prod/database-url';

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

let captured: { output: string[]; restore(): void } | undefined;
afterEach(() => {
  captured?.restore();
  captured = undefined;
});

function capture(): { output: string[]; restore(): void } {
  const output: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }),
  );
  return { output, restore: () => spies.forEach((s) => s.mockRestore()) };
}

/** Both regions' revisions read DATABASE_URL from `valueFrom[region]`, none from the environment. */
function readingFrom(valueFrom: Record<'us-east-1' | 'us-west-2', string>) {
  const td = (v: string) => ({ containers: { app: { environment: { DATABASE_URL: null }, secrets: { DATABASE_URL: v } } } });
  return {
    regions: {
      'us-east-1': { ecs: { taskDefinitions: { 'regami-api:41': td(valueFrom['us-east-1']) } } },
      'us-west-2': { ecs: { taskDefinitions: { 'regami-api:12': td(valueFrom['us-west-2']) } } },
    },
  };
}

/** The primary's secret, replicated to us-west-2 under a key of that Region. */
const REPLICATED_SECRET = {
  regions: { 'us-east-1': { secretsmanager: { secrets: { [SECRET]: { value: url(PRIMARY_HOST), kmsKeyId: EAST_KEY, replicas: { 'us-west-2': { kmsKeyId: WEST_KEY } } } } } } },
};

const PRIMARY_DOWN = { regions: { 'us-east-1': { rds: { instances: { [PRIMARY]: { status: 'failed' } } }, cloudwatch: { alarms: { 'regami-db-down': { state: 'ALARM' } } } } } };

async function runtime(caller: string, ...patches: unknown[]): Promise<{ rt: Runtime; world: SimWorld }> {
  const spec = mergeWorld(baselineWorld(), ...patches);
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const { endpoint, tableName } = await freshStateTable('references');
  world.setIam({ policies: functionPolicies(defaultConfig, { account: ACCOUNT, tableName }), caller: () => caller });
  const logger = createAutopilotLogger({ logLevel: 'DEBUG' });
  const rt = createRuntime({ config: defaultConfig, clock, tableName, dynamoEndpoint: endpoint, logger, clientSetup: simClientSetup(world, { onCall: callLogger(logger) }) });
  return { rt, world };
}

type Registered = { containerDefinitions: { name: string; environment?: { name: string; value: string }[]; secrets?: { name: string; valueFrom: string }[] }[] };
const registered = (world: SimWorld): Registered[] => world.calls.filter((c) => c.operation === 'RegisterTaskDefinition' && c.outcome === 'ok').map((c) => c.input as Registered);
const appOf = (r: Registered) => r.containerDefinitions.find((c) => c.name === 'app')!;
const ok = (world: SimWorld, service: string) => world.calls.filter((c) => c.service === service && c.outcome === 'ok').map((c) => `${c.operation} ${c.region}`);
const denied = (world: SimWorld) => world.authorizations.flatMap((a) => a.decisions.filter((d) => !d.allowed).map((d) => `${a.caller} ${d.action} ${d.resource}`));

async function failover(world: SimWorld, rt: Runtime): Promise<FailoverOutcome> {
  const runner = new LocalDurableTestRunner({ handlerFunction: failoverWorkflow(() => rt) });
  const execution = await runner.run({ payload: { incidentKey: incidentKey('database-failover', PRIMARY), primaryInstanceId: PRIMARY, detectedAt: rt.clock.now(), trigger: 'alarm regami-db-down ALARM' } });
  expect(execution.getStatus()).toBe('SUCCEEDED');
  return execution.getResult() as FailoverOutcome;
}

function expectNoPassword(text: string, where: string): void {
  expect({ where, found: text.includes(PASSWORD) }).toEqual({ where, found: false });
}

describe('DATABASE_URL from Secrets Manager', () => {
  it('failover: reads the replica in us-west-2, writes a NEW secret there under the replica\'s key, the task definition reads it; no password anywhere', async () => {
    const { rt, world } = await runtime('databaseFailoverWorkflow', readingFrom({ 'us-east-1': SECRET_EAST, 'us-west-2': SECRET_EAST }), REPLICATED_SECRET, PRIMARY_DOWN);
    const logs = (captured = capture());
    expect(await failover(world, rt)).toMatchObject({ result: 'failed-over', endpoint: REPLICA_HOST });
    expect(denied(world)).toEqual([]);

    const key = incidentKey('database-failover', PRIMARY);
    const name = `${SECRET}/${key}/${REPLICA}`;
    const written = world.region('us-west-2').secretsmanager.secrets.get(name)!;
    expect(written.value).toBe(url(REPLICA_HOST));
    expect(written.kmsKeyId).toBe(WEST_KEY);
    // The secret the running services read is unchanged, in both Regions.
    expect(world.region('us-east-1').secretsmanager.secrets.get(SECRET)!.value).toBe(url(PRIMARY_HOST));
    expect(world.region('us-west-2').secretsmanager.secrets.get(SECRET)!.value).toBe(url(PRIMARY_HOST));
    // Never the failed Region's Secrets Manager.
    expect(ok(world, 'SecretsManager').every((c) => c.endsWith('us-west-2'))).toBe(true);
    expect(ok(world, 'SecretsManager')).toContain('CreateSecret us-west-2');

    const regs = registered(world);
    expect(regs).toHaveLength(1);
    expect(appOf(regs[0]!).secrets).toEqual([{ name: 'DATABASE_URL', valueFrom: written.arn }]);
    expect(appOf(regs[0]!).environment?.some((e) => e.name === 'DATABASE_URL')).toBe(false);
    expectNoPassword(JSON.stringify(regs), 'task definition');

    const record = await rt.store.loadIncident(key);
    expect(record?.status).toBe('mitigated');
    expect(record!.timeline.some((e) => e.summary.includes(`DATABASE_URL now from Secrets Manager secret ${written.arn} (written for this incident), host ${REPLICA_HOST}`))).toBe(true);
    expectNoPassword(JSON.stringify(record), 'incident record');
    expectNoPassword(JSON.stringify(world.snsOutbox), 'pages');
    const text = logs.output.join('');
    expect(text).toContain('CreateSecret');
    expectNoPassword(text, 'logs');
  }, 60_000);

  it('failover refuses before any mutation when the secret lives in us-east-1 with no replica in us-west-2 (P1, reason named)', async () => {
    // DEBUG logs kept out of the test output (as in the other cases).
    captured = capture();
    const unreplicated = { regions: { 'us-east-1': { secretsmanager: { secrets: { [SECRET]: { value: url(PRIMARY_HOST) } } } } } };
    const { rt, world } = await runtime('databaseFailoverWorkflow', readingFrom({ 'us-east-1': SECRET_EAST, 'us-west-2': SECRET_EAST }), unreplicated, PRIMARY_DOWN);
    const out = await failover(world, rt);
    expect(out).toMatchObject({ result: 'refused', gate: 'SecondaryReady', reason: expect.stringContaining(`lives in us-east-1 and has no replica in us-west-2`) });
    expect(world.calls.filter((c) => c.outcome === 'ok' && /^(Promote|Register|Update|Change|Create|Put)/.test(c.operation) && c.service !== 'DynamoDB' && c.service !== 'SNS')).toEqual([]);
    expect(denied(world)).toEqual([]);
    const page = world.snsOutbox.find((m) => m.message.includes('gate SecondaryReady refused'));
    expect(page?.message).toContain('has no replica in us-west-2');
    expect(page?.subject).toMatch(/P1|failover/i);
  }, 60_000);

  it('restore: writes a NEW secret in the service\'s Region, rolls the service onto a task definition reading it; no password anywhere', async () => {
    const { rt, world } = await runtime('restoreFromBackupWorkflow', readingFrom({ 'us-east-1': SECRET_EAST, 'us-west-2': SECRET_EAST }), REPLICATED_SECRET);
    const key = 'restore-from-backup-references-test';
    const runner = new LocalDurableTestRunner({ handlerFunction: restoreWorkflow(() => rt) });
    const logs = (captured = capture());
    const run = runner.run({
      payload: { kind: 'db', request: { incidentKey: key, dbInstanceId: PRIMARY, source: { kind: 'point-in-time', restoreTime: rt.clock.now() - 3600_000 }, reason: 'accidental deletion', requestedBy: 'alice', requestedAt: rt.clock.now() } },
    });
    const gate = runner.getOperation('approve-switch');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    await gate.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by: 'bob' }));
    const execution = await run;
    expect(execution.getStatus()).toBe('SUCCEEDED');
    expect(execution.getResult()).toMatchObject({ outcome: 'switched' });
    expect(denied(world)).toEqual([]);
    const regs = registered(world);
    expect(regs).toHaveLength(1);
    const valueFrom = appOf(regs[0]!).secrets?.find((s) => s.name === 'DATABASE_URL')?.valueFrom ?? '';
    expect(valueFrom).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${SECRET}/${key}/${PRIMARY}-pitr-`));
    const written = [...world.region('us-east-1').secretsmanager.secrets.values()].find((s) => s.arn === valueFrom)!;
    expect(written.value).toMatch(new RegExp(`^postgresql://regami_app:${PASSWORD}@${PRIMARY}-pitr-[^.]+\\.`));
    expect(written.kmsKeyId).toBe(EAST_KEY);
    expectNoPassword(JSON.stringify(regs), 'task definition');
    const record = await rt.store.loadIncident(key);
    expect(record!.timeline.some((e) => e.summary.includes(`now from Secrets Manager secret ${valueFrom}`))).toBe(true);
    expectNoPassword(JSON.stringify(record), 'incident record');
    expectNoPassword(JSON.stringify(world.snsOutbox), 'pages');
    expectNoPassword(logs.output.join(''), 'logs');
  }, 60_000);
});

describe('DATABASE_URL from SSM Parameter Store', () => {
  it('failover: a NEW SecureString parameter in us-west-2 under the source\'s key, the task definition reads its ARN; no password anywhere', async () => {
    const parameters = { regions: { 'us-west-2': { ssm: { parameters: { [PARAMETER]: { value: url(PRIMARY_HOST), keyId: WEST_KEY } } } } } };
    const { rt, world } = await runtime('databaseFailoverWorkflow', readingFrom({ 'us-east-1': PARAMETER, 'us-west-2': PARAMETER }), parameters, PRIMARY_DOWN);
    const logs = (captured = capture());
    expect(await failover(world, rt)).toMatchObject({ result: 'failed-over' });
    expect(denied(world)).toEqual([]);
    const name = `${PARAMETER}/${incidentKey('database-failover', PRIMARY)}/${REPLICA}`;
    const written = world.region('us-west-2').ssm.parameters.get(name)!;
    expect(written).toMatchObject({ value: url(REPLICA_HOST), type: 'SecureString', keyId: WEST_KEY, version: 1 });
    expect(world.region('us-west-2').ssm.parameters.get(PARAMETER)!.value).toBe(url(PRIMARY_HOST));
    const regs = registered(world);
    expect(appOf(regs[0]!).secrets).toEqual([{ name: 'DATABASE_URL', valueFrom: written.arn }]);
    expectNoPassword(JSON.stringify(regs), 'task definition');
    const record = await rt.store.loadIncident(incidentKey('database-failover', PRIMARY));
    expect(record!.timeline.some((e) => e.summary.includes(`DATABASE_URL now from SSM parameter ${written.arn}`))).toBe(true);
    expectNoPassword(JSON.stringify(record), 'incident record');
    expectNoPassword(JSON.stringify(world.snsOutbox), 'pages');
    const text = logs.output.join('');
    expect(text).toContain('PutParameter');
    expectNoPassword(text, 'logs');
  }, 60_000);

  it('restore: refuses the switch (P1, nothing registered) when the parameter cannot be read in the service\'s Region', async () => {
    captured = capture();
    // The revision names a parameter that does not exist: ParameterNotFound.
    const { rt, world } = await runtime('restoreFromBackupWorkflow', readingFrom({ 'us-east-1': PARAMETER, 'us-west-2': PARAMETER }));
    const key = 'restore-from-backup-references-refused';
    const runner = new LocalDurableTestRunner({ handlerFunction: restoreWorkflow(() => rt) });
    const run = runner.run({
      payload: { kind: 'db', request: { incidentKey: key, dbInstanceId: PRIMARY, source: { kind: 'point-in-time', restoreTime: rt.clock.now() - 3600_000 }, reason: 'accidental deletion', requestedBy: 'alice', requestedAt: rt.clock.now() } },
    });
    const gate = runner.getOperation('approve-switch');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    await gate.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by: 'bob' }));
    const execution = await run;
    expect(execution.getResult()).toMatchObject<Partial<RestoreOutcome>>({ outcome: 'failed', stage: 'switch application', reason: expect.stringContaining(`SSM parameter ${PARAMETER} cannot be read in us-east-1 (ParameterNotFound)`) } as Partial<RestoreOutcome>);
    expect(registered(world)).toHaveLength(0);
    expect(world.calls.filter((c) => c.outcome === 'ok' && (c.operation === 'UpdateService' || c.operation === 'PutParameter'))).toEqual([]);
    const page = world.snsOutbox.find((m) => m.message.includes('cannot be read in us-east-1'));
    expect(page).toBeDefined();
    expect(denied(world)).toEqual([]);
  }, 60_000);
});
