/**
 * Duplicates and concurrency (issue 8 item 3), through the drill and the real runbooks:
 * - the same event delivered 100 times, and related events for one incident arriving
 *   together, produce exactly one remediation (failover, restore, scale);
 * - two runbooks targeting one service never mutate it at the same time (the Actuator's
 *   lock: a restore switch holds it, a rollback on the same service is refused LockHeld);
 * - a lock left by a crashed execution expires after lockTtlSeconds.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SimClock, SimWorld, baselineWorld, simClientSetup } from './simulated-region';
import { IncidentSession } from '../adapters/runtime/incident-session';
import { makeAct, releaseHeldLocks } from '../adapters/runtime/wiring';
import { defaultConfig } from '../domain/config';
import { openIncident } from '../domain/incident';
import { serviceScope } from '../domain/rollback/steps';
import { runDrill } from '../drill/drill';
import { prepareScenario } from '../drill/load';
import type { ScenarioOutcome } from '../drill/printer';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { freshStateTable } from './support/state-table';

const endpoint = process.env.DYNAMO_ENDPOINT;
if (!endpoint) throw new Error('DYNAMO_ENDPOINT is not set: run through jest (test/support/global-setup.ts starts dynalite)');

async function drill(scenario: Record<string, unknown>): Promise<ScenarioOutcome> {
  const [outcome] = await runDrill([prepareScenario(scenario, '<duplicates.test>')], { dynamoEndpoint: endpoint, reportsRoot: false });
  if (!outcome) throw new Error('no outcome');
  return outcome;
}

const ok = (o: ScenarioOutcome, service: string, operation: string): number => o.run.calls.filter((c) => c.service === service && c.operation === operation && !c.error).length;

const PRIMARY_DOWN_WORLD = {
  regions: {
    'us-east-1': {
      rds: { instances: { 'regami-db-primary': { status: 'storage-full' } } },
      cloudwatch: { alarms: { 'regami-db-down': { state: 'ALARM', stateReason: 'Primary database health check failing' } } },
    },
  },
};

describe('duplicates: one incident, one remediation', () => {
  it('failover: the same RDS event delivered 100 times (EventBridge duplicates) promotes the replica once', async () => {
    const o = await drill({
      name: 'duplicate-rds-event',
      description: 'RDS-EVENT-0221 delivered 100 times with the same id, one second apart.',
      runbooks: ['database-failover'],
      world: PRIMARY_DOWN_WORLD,
      timeline: [{ at: 0, type: 'event', event: { sample: 'events/samples/rds-instance-storage-full.json' }, keepId: true, repeat: 100, every: '1s' }],
      expectations: { incidentStatus: { 'database-failover': 'mitigated' } },
    });
    expect(o.failures).toEqual([]);
    // The first delivery starts the workflow; the 99 others are recognised as the same event.
    expect(o.run.intakes.filter((i) => i.runbook === 'database-failover' && i.result.status === 'started-workflow')).toHaveLength(1);
    expect(o.run.intakes.filter((i) => i.runbook === 'database-failover' && /^duplicate delivery/.test(i.result.reason ?? ''))).toHaveLength(99);
    expect(o.run.workflows.started).toBe(1);
    expect(ok(o, 'RDS', 'PromoteReadReplica')).toBe(1);
    expect(ok(o, 'ECS', 'RegisterTaskDefinition')).toBe(1);
    expect(ok(o, 'Route53', 'ChangeResourceRecordSets')).toBe(1);
    expect(o.run.incidents.filter((i) => i.status === 'mitigated')).toHaveLength(1);
  }, 60_000);

  it('failover: related events for one outage arriving together (RDS event and both alarms) make one remediation', async () => {
    const o = await drill({
      name: 'related-events-together',
      description: 'The RDS event, the database-down alarm and the connections-zero alarm, all at T+0.',
      runbooks: ['database-failover'],
      world: PRIMARY_DOWN_WORLD,
      timeline: [
        { at: 0, type: 'event', event: { sample: 'events/samples/rds-instance-storage-full.json' } },
        { at: 0, type: 'event', event: { sample: 'events/samples/alarm-db-down-composite.json' } },
        { at: 0, type: 'event', event: { sample: 'events/samples/alarm-db-down-composite.json', patch: { detail: { alarmName: 'regami-db-connections-zero' } } } },
      ],
      expectations: { incidentStatus: { 'database-failover': 'mitigated' } },
    });
    expect(o.failures).toEqual([]);
    expect(o.run.workflows.started).toBe(1);
    expect(ok(o, 'RDS', 'PromoteReadReplica')).toBe(1);
    expect(ok(o, 'Route53', 'ChangeResourceRecordSets')).toBe(1);
  }, 60_000);

  it('restore: the same restore request delivered 100 times restores once and switches once', async () => {
    const o = await drill({
      name: 'duplicate-restore-request',
      description: 'One operator request delivered 100 times with the same id.',
      runbooks: ['restore-from-backup'],
      timeline: [
        {
          at: 0,
          type: 'event',
          event: { sample: 'events/samples/autopilot-restore-requested-pitr.json', patch: { detail: { restoreTime: '2026-01-15T02:30:00Z', reason: 'accidental deletion' } } },
          // Relayed once by the operator-request function (verified alice), delivered 100 times by EventBridge.
          relayedBy: 'alice@regami.com',
          keepId: true,
          repeat: 100,
          every: '1s',
        },
        { at: '+45m', type: 'approve', callback: '*', by: 'dba' },
      ],
      expectations: { incidentStatus: { 'restore-from-backup': 'mitigated' } },
    });
    expect(o.failures).toEqual([]);
    expect(o.run.workflows.started).toBe(1);
    expect(ok(o, 'RDS', 'CreateDBSnapshot')).toBe(1);
    expect(ok(o, 'RDS', 'RestoreDBInstanceToPointInTime')).toBe(1);
    expect(ok(o, 'ECS', 'UpdateService')).toBe(1);
  }, 60_000);

  it('scale: the same CPU alarm delivered 100 times scales out once', async () => {
    const o = await drill({
      name: 'duplicate-cpu-alarm',
      description: 'The CPU alarm (in ALARM in CloudWatch too) delivered 100 times with the same id.',
      runbooks: ['scale-ecs'],
      world: { regions: { 'us-east-1': { cloudwatch: { alarms: { 'regami-ecs-cpu-high': { mode: 'fixed', state: 'ALARM' } } } } } },
      awsEvents: 'ignore',
      timeline: [{ at: 0, type: 'event', event: { sample: 'events/samples/alarm-cpu-metric-math.json' }, keepId: true, repeat: 100, every: '1s' }],
      expectations: { workflows: { started: 1 } },
    });
    expect(o.failures).toEqual([]);
    expect(o.run.intakes.filter((i) => i.result.status === 'started-workflow')).toHaveLength(1);
    const scaleOuts = o.run.mutations?.filter((m) => m.operation === 'RegisterScalableTarget' && (m.input as { MinCapacity?: number }).MinCapacity === 4) ?? [];
    expect(scaleOuts).toHaveLength(1);
  }, 60_000);
});

describe('concurrency: two runbooks, one service', () => {
  async function runtime(): Promise<{ rt: Runtime; clock: SimClock }> {
    const spec = baselineWorld();
    const clock = new SimClock(Date.parse(spec.start));
    const world = SimWorld.create(spec, clock);
    const { tableName } = await freshStateTable('locks');
    const rt = createRuntime({ config: defaultConfig, clock, tableName, dynamoEndpoint: endpoint, clientSetup: simClientSetup(world), logger: new Logger({ serviceName: 'locks-test', logLevel: 'SILENT' }) });
    return { rt, clock };
  }

  function session(rt: Runtime, key: string, runbook: 'restore-from-backup' | 'rollback-deployment'): IncidentSession {
    return new IncidentSession(openIncident({ key, runbook, title: key, severity: 'P2', detectedAt: rt.clock.now() }), rt.clock, rt.store);
  }

  it('a rollback is refused LockHeld while the restore switch mutates the same service, and acts once it is done', async () => {
    const { rt } = await runtime();
    const restoreAct = makeAct(rt.actuator, session(rt, 'restore-from-backup-regami-db-primary-1', 'restore-from-backup'));
    const rollbackAct = makeAct(rt.actuator, session(rt, 'rollback-deployment-regami-service-d-1', 'rollback-deployment'));
    const scope = serviceScope(defaultConfig);
    // The scope string restore uses for its switch (domain/restore/workflow.ts) is the rollback's.
    expect(scope).toBe(`service:${defaultConfig.service.clusterName}/${defaultConfig.service.serviceName}`);

    let finishSwitch!: () => void;
    const switching = new Promise<void>((resolve) => (finishSwitch = resolve));
    let switchStarted!: () => void;
    const started = new Promise<void>((resolve) => (switchStarted = resolve));
    const restore = restoreAct({ action: 'switch-application-database', scope, summary: 'switch to the restored database' }, async () => {
      switchStarted();
      await switching;
      return 'switched';
    });
    await started;

    const rollbackMutate = jest.fn(async () => 'rolled back');
    const refused = await rollbackAct({ action: 'rollback', scope, summary: 'roll back the service' }, rollbackMutate);
    expect(refused).toMatchObject({ status: 'refused', guardrail: 'ResourceLock' });
    expect(refused.status === 'refused' && refused.reason).toMatch(/^LockHeld: .* is locked by restore-from-backup-regami-db-primary-1/);
    expect(rollbackMutate).not.toHaveBeenCalled();

    finishSwitch();
    await expect(restore).resolves.toEqual({ status: 'executed', result: 'switched' });
    const after = await rollbackAct({ action: 'rollback', scope, summary: 'roll back the service' }, rollbackMutate);
    expect(after).toEqual({ status: 'executed', result: 'rolled back' });
  });

  it('a restore holding its lock through the remediation (holdLocks, as the runbooks act) keeps a rollback out until it releases it', async () => {
    const { rt } = await runtime();
    const scope = serviceScope(defaultConfig);
    const restoreSession = session(rt, 'restore-from-backup-regami-db-primary-3', 'restore-from-backup');
    const restoreAct = makeAct(rt.actuator, restoreSession, { holdLocks: true });
    const rollbackAct = makeAct(rt.actuator, session(rt, 'rollback-deployment-regami-service-d-3', 'rollback-deployment'), { holdLocks: true });
    expect(await restoreAct({ action: 'switch-application-database', scope, summary: 'switch' }, async () => 'switched')).toEqual({ status: 'executed', result: 'switched' });

    // The switch call returned, but the restore still waits for the rollout: the service stays its own.
    const mutate = jest.fn(async () => 'rolled back');
    expect(await rollbackAct({ action: 'rollback', scope, summary: 'roll back' }, mutate)).toMatchObject({ status: 'refused', guardrail: 'ResourceLock' });
    expect(mutate).not.toHaveBeenCalled();

    await releaseHeldLocks(rt.store, restoreSession);
    expect(await rollbackAct({ action: 'rollback', scope, summary: 'roll back' }, mutate)).toEqual({ status: 'executed', result: 'rolled back' });
  });

  it('a lock left by a crashed execution expires after lockTtlSeconds', async () => {
    const { rt, clock } = await runtime();
    const scope = serviceScope(defaultConfig);
    const recorder = session(rt, 'restore-from-backup-regami-db-primary-2', 'restore-from-backup');
    // The crashed execution held the lock for its whole remediation (keepLock) and never released it.
    const crashed = await rt.actuator.execute({
      proposed: { action: 'switch-application-database', scope, summary: 'switch', incidentKey: 'restore-from-backup-regami-db-primary-2' },
      policy: {},
      keepLock: true,
      recorder,
      mutate: async () => 'switched',
    });
    expect(crashed.status).toBe('executed');

    const rollbackAct = makeAct(rt.actuator, session(rt, 'rollback-deployment-regami-service-d-2', 'rollback-deployment'));
    const mutate = jest.fn(async () => 'rolled back');
    clock.advanceBy((defaultConfig.guardrails.lockTtlSeconds - 1) * 1000);
    expect(await rollbackAct({ action: 'rollback', scope, summary: 'roll back' }, mutate)).toMatchObject({ status: 'refused', guardrail: 'ResourceLock' });
    clock.advanceBy(2000);
    expect(await rollbackAct({ action: 'rollback', scope, summary: 'roll back' }, mutate)).toEqual({ status: 'executed', result: 'rolled back' });
    expect(mutate).toHaveBeenCalledTimes(1);
  });
});
