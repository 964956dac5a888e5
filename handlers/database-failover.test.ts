/**
 * Runbook 1 as a durable execution (LocalDurableTestRunner, time skipping) over the
 * simulated region and dynalite: the gates, the steps, and that a promotion happens once.
 */
import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { defaultConfig, type AutopilotConfig } from '../domain/config';
import { incidentKey } from '../domain/incident';
import type { FailoverInput, FailoverOutcome } from '../domain/failover/workflow';
import { SimClock, SimWorld, baselineWorld, mergeWorld, simClientSetup, type FaultSpec } from '../test/simulated-region';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { buildWorkflow } from './database-failover-workflow';

const PRIMARY = defaultConfig.database.primaryInstanceId;
const REPLICA = defaultConfig.database.replicaInstanceId;
const REPLICA_HOST = `${REPLICA}.c9akciq32.us-west-2.rds.amazonaws.com`;
const KEY = incidentKey('database-failover', PRIMARY);

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

/** The primary has failed: RDS says 'failed', the health alarm fires, connections drop to 0. */
const PRIMARY_DOWN = {
  regions: {
    'us-east-1': {
      rds: { instances: { [PRIMARY]: { status: 'failed' } } },
      cloudwatch: { alarms: { 'regami-db-down': { state: 'ALARM' } } },
    },
  },
};

function withFailover(over: Partial<AutopilotConfig['guardrails']['failover']>): AutopilotConfig {
  return { ...defaultConfig, guardrails: { ...defaultConfig.guardrails, failover: { ...defaultConfig.guardrails.failover, ...over } } };
}

interface Harness {
  world: SimWorld;
  rt: Runtime;
  runner: LocalDurableTestRunner;
  input: FailoverInput;
  ok(operation: string): { service: string; operation: string; region: string; input: unknown }[];
  mutations(): string[];
  pages(): string[];
}

async function harness(opts: { world?: unknown; config?: AutopilotConfig; faults?: FaultSpec[] } = {}): Promise<Harness> {
  const spec = mergeWorld(baselineWorld(), PRIMARY_DOWN, opts.world, opts.faults ? { faults: opts.faults } : undefined);
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const table = await freshStateTable('failover');
  const rt = createRuntime({ config: opts.config ?? defaultConfig, clock, tableName: table.tableName, dynamoEndpoint: table.endpoint, clientSetup: simClientSetup(world) });
  const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => rt) });
  const ok = (operation: string) => world.calls.filter((c) => c.outcome === 'ok' && c.operation === operation);
  return {
    world,
    rt,
    runner,
    input: { incidentKey: KEY, primaryInstanceId: PRIMARY, detectedAt: clock.now(), trigger: 'alarm regami-db-down ALARM' },
    ok,
    mutations: () => world.calls.filter((c) => c.outcome === 'ok' && /^(Promote|Register|Update|Change)/.test(c.operation)).map((c) => `${c.service}.${c.operation} ${c.region}`),
    pages: () => world.snsOutbox.map((m) => `${m.subject ?? ''} | ${m.message}`),
  };
}

async function finish(h: Harness): Promise<FailoverOutcome> {
  const execution = await h.runner.run({ payload: h.input });
  expect(execution.getStatus()).toBe('SUCCEEDED');
  return execution.getResult() as FailoverOutcome;
}

describe('database failover (durable, simulated region)', () => {
  it('happy path: confirms the outage, passes every gate, promotes once, moves the application and DNS, verifies, documents', async () => {
    const h = await harness();
    const out = await finish(h);
    expect(out).toMatchObject({ result: 'failed-over', endpoint: REPLICA_HOST });
    expect(h.mutations()).toEqual([
      'ECS.UpdateService us-east-1',
      'RDS.PromoteReadReplica us-west-2',
      'ECS.RegisterTaskDefinition us-west-2',
      'ECS.UpdateService us-west-2',
      'Route53.ChangeResourceRecordSets us-east-1',
    ]);
    expect(h.ok('PromoteReadReplica')[0]?.input).toMatchObject({ DBInstanceIdentifier: REPLICA, BackupRetentionPeriod: 7 });
    const registered = h.ok('RegisterTaskDefinition')[0]?.input as { family: string; containerDefinitions: { name: string; environment?: { name: string; value: string }[] }[] };
    expect(registered.family).toBe('regami-api');
    const url = registered.containerDefinitions.find((c) => c.name === 'app')?.environment?.find((e) => e.name === 'DATABASE_URL')?.value;
    expect(url).toBe(`postgresql://regami_app@${REPLICA_HOST}:5432/regami`);
    expect(h.ok('UpdateService').find((c) => c.region === 'us-west-2')?.input).toMatchObject({ cluster: 'regami-cluster-secondary', service: 'regami-service-secondary', desiredCount: 2 });
    // Runbook step 7's record, and in the same batch the primary set stepping down to SECONDARY
    // (Route53 allows one PRIMARY per name), its alias and health check kept.
    expect(h.ok('ChangeResourceRecordSets')[0]?.input).toEqual({
      HostedZoneId: 'Z1234567890ABC',
      ChangeBatch: {
        Comment: expect.any(String),
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: { Name: 'api.regami.com', Type: 'A', SetIdentifier: 'secondary', Failover: 'PRIMARY', AliasTarget: { HostedZoneId: 'Z1H1FL5HABSF5', DNSName: 'regami-alb-secondary.us-west-2.elb.amazonaws.com', EvaluateTargetHealth: true } },
          },
          {
            Action: 'UPSERT',
            ResourceRecordSet: expect.objectContaining({ SetIdentifier: 'primary', Failover: 'SECONDARY', HealthCheckId: 'hc-regami-primary-0001', AliasTarget: expect.objectContaining({ DNSName: 'regami-alb.us-east-1.elb.amazonaws.com.' }) }),
          },
        ],
      },
    });
    // Waited for DNS to be INSYNC and checked the application afterwards.
    expect(h.ok('GetChange').length).toBeGreaterThan(0);

    const record = await h.rt.store.loadIncident(KEY);
    expect(record).toMatchObject({ status: 'mitigated', startedAt: expect.any(Number), mitigatedAt: expect.any(Number) });
    const gates = record!.timeline.filter((e) => e.kind === 'guardrail').map((e) => `${e.verdict?.guardrail}:${e.verdict?.pass}`);
    for (const g of ['PrimaryConfirmedDown', 'ReplicaAvailable', 'ReplicaSource', 'ReplicaLag', 'FailoverInterval', 'KillSwitch', 'ActionBudget', 'SecondaryReady']) expect(gates).toContain(`${g}:true`);
    expect(record!.timeline.some((e) => /health .*: healthy/.test(e.summary))).toBe(true);
    expect(record!.timeline.some((e) => /failover complete: detected .* downtime \d+s/.test(e.summary))).toBe(true);
    // Pages: P1 at the start, resolve at the end, P2 follow-up.
    expect(h.pages().some((p) => p.includes('Automatic database failover STARTED'))).toBe(true);
    expect(h.pages().some((p) => p.includes('Failover follow-up'))).toBe(true);
    // The promotion took the simulated 7 minutes: the workflow waited durably.
    expect(h.rt.clock.now() - h.input.detectedAt).toBeGreaterThan(7 * 60_000);
  });

  it('reads the scheduled readiness check at its start: the timeline records it, and while it says NOT READY every trigger page carries why', async () => {
    const h = await harness();
    const checkedAt = h.rt.clock.now() - 3 * 3600_000;
    await h.rt.store.writeReadiness({ checkedAt, stage: 'dev', schedule: 'rate(1 day)', runbooks: [{ runbook: 'database-failover', ready: false, failed: ['paging subscriptions: P3 subscription pending confirmation'] }] });
    const out = await finish(h);
    expect(out.result).toBe('failed-over');
    const line = 'readiness: NOT READY at the scheduled check of 2026-01-15T00:00:00.000Z, 3h ago: paging subscriptions: P3 subscription pending confirmation';
    const record = await h.rt.store.loadIncident(KEY);
    expect(record!.timeline.filter((e) => e.summary.startsWith('readiness:')).map((e) => e.summary)).toEqual([line]);
    const triggers = h.world.snsOutbox.filter((m) => (m.subject ?? '').startsWith('ALARM'));
    expect(triggers.length).toBeGreaterThan(0);
    for (const m of triggers) expect(m.message).toContain(line);
    // A resolve says what was resolved, not why the check had warned.
    for (const m of h.world.snsOutbox.filter((x) => (x.subject ?? '').startsWith('OK'))) expect(m.message).not.toContain('readiness:');
  });

  it('with no readiness check recorded, says so on the timeline and adds nothing to its pages', async () => {
    const h = await harness();
    await finish(h);
    const record = await h.rt.store.loadIncident(KEY);
    expect(record!.timeline.filter((e) => e.summary.startsWith('readiness:')).map((e) => e.summary)).toEqual([expect.stringMatching(/^readiness: no scheduled readiness check is recorded/)]);
    for (const m of h.world.snsOutbox) expect(m.message).not.toContain('readiness:');
  });

  it('a primary that recovers during confirmation ends with a resolve page and no mutation', async () => {
    const h = await harness({
      world: {
        schedule: [
          { at: 70, change: { kind: 'db-status', region: 'us-east-1', id: PRIMARY, status: 'available' } },
          { at: 70, change: { kind: 'alarm-state', region: 'us-east-1', name: 'regami-db-down', state: 'OK' } },
        ],
      },
    });
    const out = await finish(h);
    expect(out).toEqual({ result: 'recovered' });
    expect(h.mutations()).toEqual([]);
    expect((await h.rt.store.loadIncident(KEY))?.status).toBe('resolved');
    expect(h.pages()).toHaveLength(1);
    expect(h.pages()[0]).toContain('recovered during confirmation');
  });

  it('replica lag over the RPO budget refuses before any mutation and pages P1 naming the gate', async () => {
    const h = await harness({ world: { regions: { 'us-west-2': { rds: { instances: { [REPLICA]: { replicaLagSeconds: 900 } } } } } } });
    const out = await finish(h);
    expect(out).toMatchObject({ result: 'refused', gate: 'ReplicaLag', reason: expect.stringMatching(/^LagOverBudget: replica is 900s behind/) });
    expect(h.mutations()).toEqual([]);
    expect(h.pages()).toHaveLength(1);
    expect(h.pages()[0]).toContain('gate ReplicaLag refused');
    expect((await h.rt.store.loadIncident(KEY))?.status).toBe('escalated');
  });

  it('approval rejected: the P1 page carries the commands; a rejection stops before any mutation', async () => {
    const h = await harness({ config: withFailover({ requireApproval: true }) });
    const run = h.runner.run({ payload: h.input });
    const gate = h.runner.getOperation('approve-failover');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    expect(h.mutations()).toEqual([]);
    expect(h.pages().some((p) => p.includes('APPROVAL NEEDED') && p.includes('autopilot approve'))).toBe(true);
    await gate.sendCallbackFailure({ ErrorMessage: 'rejected by bob: replica is in the wrong state' });
    const execution = await run;
    expect(execution.getResult()).toMatchObject({ result: 'refused', gate: 'Approval', reason: expect.stringContaining('REJECTED') });
    expect(h.mutations()).toEqual([]);
    expect(h.pages().filter((p) => p.includes('gate Approval refused'))).toHaveLength(1);
  });

  it('approval approved: re-checks, then fails over', async () => {
    const h = await harness({ config: withFailover({ requireApproval: true }) });
    const run = h.runner.run({ payload: h.input });
    const gate = h.runner.getOperation('approve-failover');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    await gate.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by: 'alice' }));
    const execution = await run;
    expect(execution.getResult()).toMatchObject({ result: 'failed-over' });
    expect(h.ok('PromoteReadReplica')).toHaveLength(1);
  });

  it('approval timeout counts as denied (EXPIRED), re-pages, and never proceeds', async () => {
    // The local runner times callbacks out with a real timer (skipTime does not reach it): keep it short.
    const h = await harness({ config: withFailover({ requireApproval: true, approvalTimeoutSeconds: 1 }) });
    const out = await finish(h);
    expect(out).toMatchObject({ result: 'refused', gate: 'Approval', reason: expect.stringContaining('EXPIRED') });
    expect(h.mutations()).toEqual([]);
    expect(h.pages()).toHaveLength(2);
    expect(h.pages()[1]).toContain('gate Approval refused');
    const record = await h.rt.store.loadIncident(KEY);
    expect(record?.timeline.some((e) => e.kind === 'approval' && e.summary === 'approval EXPIRED')).toBe(true);
  });

  it('a failure between promotion and DNS resumes from its checkpoint without promoting twice', async () => {
    // Route53 answers 5xx to every SDK attempt of the first DNS change: the step fails and is retried.
    const h = await harness({ faults: [{ kind: 'server-error', service: 'Route53', operation: 'ChangeResourceRecordSets', first: 5 }] });
    const out = await finish(h);
    expect(out).toMatchObject({ result: 'failed-over' });
    expect(h.world.calls.filter((c) => c.operation === 'ChangeResourceRecordSets' && c.outcome === 'error').length).toBeGreaterThanOrEqual(5);
    expect(h.ok('ChangeResourceRecordSets')).toHaveLength(1);
    expect(h.world.calls.filter((c) => c.operation === 'PromoteReadReplica')).toHaveLength(1);
    expect(h.ok('RegisterTaskDefinition')).toHaveLength(1);
    // The DNS step ran again after its failure; the promotion step was replayed from its checkpoint.
    const dnsAttempt = h.runner.getOperation('update-dns').getStepDetails()?.attempt ?? 0;
    const promoteAttempt = h.runner.getOperation('promote-read-replica').getStepDetails()?.attempt ?? 0;
    expect(dnsAttempt).toBeGreaterThan(promoteAttempt);
  });

  it('an RDS control-plane outage in the primary region (cannot see the primary) is never "down": refused, no mutation, P1 "decide by hand"', async () => {
    // Review S0: the alarm fires, but DescribeDBInstances is throttled on every attempt.
    const h = await harness({ faults: [{ kind: 'throttle', service: 'RDS', operation: 'DescribeDBInstances', region: 'us-east-1', probability: 1 }] });
    const out = await finish(h);
    expect(out).toMatchObject({ result: 'refused', gate: 'PrimaryConfirmedDown', reason: expect.stringMatching(/^PrimaryNotConfirmed/) });
    expect(h.mutations()).toEqual([]);
    expect(h.world.calls.filter((c) => c.operation === 'PromoteReadReplica')).toHaveLength(0);
    const page = h.pages().find((p) => p.includes('Cannot confirm the primary'));
    expect(page).toContain('decide by hand');
    expect(page).toContain('aws rds describe-db-instances --db-instance-identifier regami-db-primary');
  });

  it('the pause of the primary-region service fails: stops BEFORE promotion and pages P1 (a writer it could not stop)', async () => {
    const h = await harness({ faults: [{ kind: 'server-error', service: 'ECS', operation: 'UpdateService', region: 'us-east-1', probability: 1 }] });
    const out = await finish(h);
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'pause-application' });
    expect(h.world.calls.filter((c) => c.operation === 'PromoteReadReplica')).toHaveLength(0);
    expect(h.mutations()).toEqual([]);
    expect(h.pages().some((p) => p.includes('STOPPED at pause-application') && p.includes('writers were NOT stopped'))).toBe(true);
  });

  it('holds every lock it took (owner = the execution name) through the remediation and gives them back at the end', async () => {
    const h = await harness();
    expect(await finish(h)).toMatchObject({ result: 'failed-over' });
    const record = await h.rt.store.loadIncident(KEY);
    const released = record!.timeline.filter((e) => e.summary.startsWith('released the lock on ')).map((e) => e.summary.replace('released the lock on ', ''));
    expect(released).toEqual(expect.arrayContaining(['service:regami-cluster/regami-service', 'db:regami-db-primary', 'service:regami-cluster-secondary/regami-service-secondary', 'dns:Z1234567890ABC/api.regami.com']));
    // released after the last action, not after each call
    const lastAction = Math.max(...record!.timeline.map((e, i) => (e.kind === 'action' ? i : -1)));
    const firstRelease = record!.timeline.findIndex((e) => e.summary.startsWith('released the lock on '));
    expect(firstRelease).toBeGreaterThan(lastAction);
    expect(record!.heldLocks ?? []).toEqual([]);
    for (const resource of released) expect((await h.rt.store.acquireLock(resource, 'someone-else', h.rt.clock.now(), 60)).acquired).toBe(true);
  });

  it('the lock owner is the execution, not the incident key: a lock held under the bare incident key is not re-entered', async () => {
    const h = await harness();
    await h.rt.store.acquireLock('service:regami-cluster-secondary/regami-service-secondary', KEY, h.rt.clock.now(), 3600);
    const out = await finish(h);
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'start-secondary-service', reason: expect.stringContaining('LockHeld') });
    expect(h.ok('UpdateService').filter((c) => c.region === 'us-west-2')).toHaveLength(0);
    // stopped before DNS: its locks are given back on this exit too
    const record = await h.rt.store.loadIncident(KEY);
    expect(record!.timeline.some((e) => e.summary === 'released the lock on db:regami-db-primary')).toBe(true);
  });

  it('a secondary region without its service refuses before any mutation', async () => {
    const h = await harness({ world: { regions: { 'us-west-2': { ecs: { clusters: { 'regami-cluster-secondary': { services: { 'regami-service-secondary': null } } } } } } } });
    const out = await finish(h);
    expect(out).toMatchObject({ result: 'refused', gate: 'SecondaryReady' });
    expect(h.mutations()).toEqual([]);
  });

  it('keeps the DATABASE_URL credentials in the new task definition and never records or pages the password', async () => {
    const primaryHost = `${PRIMARY}.c9akciq32.us-east-1.rds.amazonaws.com`;
    const secretUrl = `postgresql://regami_app:s3cr3t-Pa55@${primaryHost}:5432/regami?sslmode=require`;
    const h = await harness({ world: { regions: { 'us-west-2': { ecs: { taskDefinitions: { 'regami-api:12': { containers: { app: { environment: { DATABASE_URL: secretUrl } } } } } } } } } });
    expect(await finish(h)).toMatchObject({ result: 'failed-over' });
    const registered = h.ok('RegisterTaskDefinition')[0]?.input as { containerDefinitions: { environment?: { name: string; value: string }[] }[] };
    const url = registered.containerDefinitions.flatMap((c) => c.environment ?? []).find((e) => e.name === 'DATABASE_URL')?.value;
    expect(url).toBe(`postgresql://regami_app:s3cr3t-Pa55@${REPLICA_HOST}:5432/regami?sslmode=require`);
    const record = await h.rt.store.loadIncident(KEY);
    expect(JSON.stringify(record)).toContain('regami_app:***@');
    expect(JSON.stringify(record)).not.toContain('s3cr3t-Pa55');
    expect(h.pages().join('\n')).not.toContain('s3cr3t-Pa55');
  });

  it('a secondary service that never stabilises is rolled back: scaled to 0, the primary service restored (stable), DNS untouched, P1 says where it stopped', async () => {
    const h = await harness({
      config: withFailover({ serviceStableTimeoutSeconds: 120 }),
      faults: [{ kind: 'hang', what: 'ecs-deployment', region: 'us-west-2' }],
    });
    const out = await finish(h);
    // Review S6: DNS never left the primary stack, so the paused primary service is restored
    // (after the secondary is at 0) instead of leaving the region at 0 tasks.
    expect(out).toMatchObject({ result: 'stopped', stoppedAt: 'wait-service-stable', rolledBack: ['scaled regami-service-secondary to 0', 'restored regami-service to 2 tasks (stable)'] });
    expect(h.ok('UpdateService').filter((c) => c.region === 'us-east-1').map((c) => (c.input as { desiredCount?: number }).desiredCount)).toEqual([0, 2]);
    expect(h.world.calls.filter((c) => c.operation === 'PromoteReadReplica')).toHaveLength(1);
    expect(h.ok('UpdateService').filter((c) => c.region === 'us-west-2').map((c) => (c.input as { desiredCount?: number }).desiredCount)).toEqual([2, 0]);
    expect(h.ok('ChangeResourceRecordSets')).toHaveLength(0);
    const stopped = h.pages().find((p) => p.includes('STOPPED at wait-service-stable'));
    expect(stopped).toBeDefined();
    expect(stopped).toContain('cannot be undone');
    expect((await h.rt.store.loadIncident(KEY))?.status).toBe('escalated');
  });
});
