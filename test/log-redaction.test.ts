/**
 * Logs never carry the DATABASE_URL password (issue 8 item 5): the failover and the restore
 * switch both copy a task definition whose DATABASE_URL holds a password. Everything the
 * Powertools logger writes (stdout/stderr, DEBUG level, the production call logger
 * included), every stored incident record and every published page is searched for it.
 */
import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { SimClock, SimWorld, baselineWorld, mergeWorld, simClientSetup } from './simulated-region';
import { defaultConfig } from '../domain/config';
import { incidentKey } from '../domain/incident';
import { buildWorkflow as failoverWorkflow } from '../handlers/database-failover-workflow';
import { buildWorkflow as restoreWorkflow } from '../handlers/restore-from-backup-workflow';
import { createRuntime } from '../adapters/runtime/create-runtime';
import { callLogger, createAutopilotLogger } from '../adapters/runtime/logging';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { freshStateTable } from './support/state-table';

const PASSWORD = 'Zq7-hunter2-s3cr3t';
/** Environment values with no secret-like name or shape: names only still keeps them out. */
const PLAIN_VALUE = 'plain-env-value-7781';
const API_KEY = 'sk_live_51HxYz-not-for-logs';
const PRIMARY = defaultConfig.database.primaryInstanceId;
const url = (host: string): string => `postgresql://regami_app:${PASSWORD}@${host}:5432/regami`;

/** Both regions' application task definitions carry the password in DATABASE_URL. */
const ENVIRONMENT = { DATABASE_URL: url(`${PRIMARY}.c9akciq32.us-east-1.rds.amazonaws.com`), FEATURE_FLAGS: PLAIN_VALUE, STRIPE_SECRET_KEY: API_KEY };
const SECRET_WORLD = {
  regions: {
    'us-east-1': { ecs: { taskDefinitions: { 'regami-api:41': { containers: { app: { environment: ENVIRONMENT } } } } } },
    'us-west-2': { ecs: { taskDefinitions: { 'regami-api:12': { containers: { app: { environment: ENVIRONMENT } } } } } },
  },
};
const NEVER_LOGGED = [PASSWORD, PLAIN_VALUE, API_KEY];
const expectNone = (text: string) => {
  for (const secret of NEVER_LOGGED) expect({ found: text.includes(secret), secret }).toEqual({ found: false, secret });
};

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

let captured: Captured | undefined;
afterEach(() => {
  captured?.restore();
  captured = undefined;
});

interface Captured {
  output: string[];
  restore(): void;
}

/** Everything written to stdout and stderr (the Powertools logger's console is built on them). */
function capture(): Captured {
  const output: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }),
  );
  return { output, restore: () => spies.forEach((s) => s.mockRestore()) };
}

/** The failover's trigger: the primary has failed and the health alarm fires. */
const PRIMARY_DOWN = { regions: { 'us-east-1': { rds: { instances: { [PRIMARY]: { status: 'failed' } } }, cloudwatch: { alarms: { 'regami-db-down': { state: 'ALARM' } } } } } };

async function runtime(patch: unknown = {}): Promise<{ rt: Runtime; world: SimWorld; tableName: string }> {
  const spec = mergeWorld(baselineWorld(), SECRET_WORLD, patch);
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const { endpoint, tableName } = await freshStateTable('redaction');
  // DEBUG: every timeline entry and every AWS call attempt is logged; the production call logger logs mutating inputs.
  const logger = createAutopilotLogger({ logLevel: 'DEBUG' });
  const rt = createRuntime({ config: defaultConfig, clock, tableName, dynamoEndpoint: endpoint, logger, clientSetup: simClientSetup(world, { onCall: callLogger(logger) }) });
  return { rt, world, tableName };
}

function registeredUrls(world: SimWorld): string[] {
  return world.calls
    .filter((c) => c.operation === 'RegisterTaskDefinition' && c.outcome === 'ok')
    .flatMap((c) => (c.input as { containerDefinitions: { environment?: { name: string; value: string }[] }[] }).containerDefinitions)
    .flatMap((c) => c.environment ?? [])
    .filter((e) => e.name === 'DATABASE_URL')
    .map((e) => e.value);
}

describe('the DATABASE_URL password never reaches logs, incident records or pages', () => {
  it('database failover', async () => {
    const { rt, world } = await runtime(PRIMARY_DOWN);
    const key = incidentKey('database-failover', PRIMARY);
    const runner = new LocalDurableTestRunner({ handlerFunction: failoverWorkflow(() => rt) });
    const logs = (captured = capture());
    const status = (await runner.run({ payload: { incidentKey: key, primaryInstanceId: PRIMARY, detectedAt: rt.clock.now(), trigger: 'alarm regami-db-down ALARM' } })).getStatus();
    expect(status).toBe('SUCCEEDED');
    // The copy kept the credentials (the application still logs in) ...
    const urls = registeredUrls(world);
    expect(urls).toHaveLength(1);
    expect(urls[0]).toContain(PASSWORD);
    // ... the logs show the call and its input, the container environment by names only.
    const text = logs.output.join('');
    expect(text).toContain('RegisterTaskDefinition');
    expect(text).toContain('{"name":"DATABASE_URL"}');
    expect(text).toContain('{"name":"FEATURE_FLAGS"}');
    expectNone(text);

    const record = await rt.store.loadIncident(key);
    expect(record?.status).toBe('mitigated');
    expectNone(JSON.stringify(record));
    expect(world.snsOutbox.length).toBeGreaterThan(0);
    expectNone(JSON.stringify(world.snsOutbox));
    expectNone(logs.output.join(''));
  }, 30_000);

  it('restore switch', async () => {
    const { rt, world } = await runtime();
    const key = 'restore-from-backup-redaction-test';
    const runner = new LocalDurableTestRunner({ handlerFunction: restoreWorkflow(() => rt) });
    const logs = (captured = capture());
    const run = runner.run({
      payload: { kind: 'db', request: { incidentKey: key, dbInstanceId: PRIMARY, source: { kind: 'point-in-time', restoreTime: rt.clock.now() - 3600_000 }, reason: 'accidental deletion', requestedBy: 'alice', requestedAt: rt.clock.now() } },
    });
    const gate = runner.getOperation('approve-switch');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    await gate.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by: 'bob' }));
    const status = (await run).getStatus();
    expect(status).toBe('SUCCEEDED');
    const urls = registeredUrls(world);
    expect(urls).toHaveLength(1);
    expect(urls[0]).toContain(PASSWORD);
    const text = logs.output.join('');
    expect(text).toContain('RegisterTaskDefinition');
    expect(text).toContain('{"name":"DATABASE_URL"}');
    expectNone(text);

    const record = await rt.store.loadIncident(key);
    expect(record).toBeDefined();
    expectNone(JSON.stringify(record));
    expect(world.snsOutbox.length).toBeGreaterThan(0);
    expectNone(JSON.stringify(world.snsOutbox));
    expectNone(logs.output.join(''));
  }, 30_000);
});

describe('the autopilot logger redacts by key name at every level', () => {
  it.each(['debug', 'info', 'warn', 'error'] as const)('%s', (level) => {
    const logs = (captured = capture());
    const logger = createAutopilotLogger({ logLevel: 'DEBUG' });
    logger[level](`connecting to postgresql://app:${PASSWORD}@db:5432/regami`, {
      password: PASSWORD,
      nested: { apiToken: API_KEY, STRIPE_KEY: API_KEY, header: `Bearer ${API_KEY}`, query: `https://x/y?token=${API_KEY}` },
      environment: [{ name: 'FEATURE_FLAGS', value: PLAIN_VALUE }],
      credentialsSecretName: 'regami/db/app',
      incidentKey: 'scale-ecs-regami-service',
    });
    const text = logs.output.join('');
    expect(text).toContain('"incidentKey":"scale-ecs-regami-service"');
    expect(text).toContain('"credentialsSecretName":"regami/db/app"');
    expect(text).toContain('{"name":"FEATURE_FLAGS"}');
    expect(text).toContain('app:***@db');
    expectNone(text);
  });
});
