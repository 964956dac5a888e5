/**
 * Runbook 3 over the simulated region and dynalite: the durable workflow (LocalDurableTestRunner,
 * time skipping) and the intake (dedupe, episodes, flapping) with the real runtime.
 */
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../domain/config';
import { openIncident } from '../domain/incident';
import type { ScaleEcsInput } from '../domain/scaling/workflow';
import { episodeExecutionName } from '../domain/scaling/intake';
import { SimClock, SimWorld, baselineWorld, mergeWorld, simClientSetup } from '../test/simulated-region';
import type { WorldSpec } from '../test/simulated-region';
import { AwsScalingOperations } from '../adapters/aws/scaling';
import { setStepCrashHook } from '../adapters/durable';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { scaleEcsIntake } from '../runbooks/scale-ecs/intake';
import { buildWorkflow } from './scale-ecs-workflow';

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

const svc = defaultConfig.service;
const ref = { region: svc.region, cluster: svc.clusterName, service: svc.serviceName };
/** The service lock every runbook shares, and scaling's own cooldown/budget scope. */
const scope = `service:${svc.clusterName}/${svc.serviceName}`;
const scalingScope = `scale:service:${svc.clusterName}/${svc.serviceName}`;
const running = { region: svc.region, cluster: svc.clusterName, service: svc.serviceName, count: 4 };

/** A load spike until T+15m: 93% CPU on fewer than four tasks, 55% on four; 38% after. */
const spikeWorld = {
  regions: {
    'us-east-1': {
      cloudwatch: {
        metrics: {
          'ecs-cpu': {
            // 93% from an hour before T+0 (so the alarm is in ALARM at T+0) until T+15m, 38% after ...
            series: { points: [{ t: -3600, v: 93 }, { t: 900, v: 38 }] },
            // ... unless four tasks share the load.
            overrides: [{ when: { all: [{ before: 900 }, { not: { runningBelow: running } }] }, series: 55 }],
          },
        },
        alarms: { 'regami-ecs-cpu-high': { state: 'ALARM', stateReason: 'Threshold Crossed: 3 datapoints were greater than the threshold (80.0)' } },
      },
    },
  },
};

interface Harness {
  world: SimWorld;
  rt: Runtime;
  starts: { name: string; input: unknown }[];
  mutations(): { op: string; input: Record<string, unknown> }[];
}

async function harness(spec: WorldSpec, starter?: Runtime['startWorkflow'], config = defaultConfig): Promise<Harness> {
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const table = await freshStateTable('scale');
  const starts: { name: string; input: unknown }[] = [];
  const names = new Set<string>();
  const rt = createRuntime({
    config,
    clock,
    tableName: table.tableName,
    dynamoEndpoint: table.endpoint,
    clientSetup: simClientSetup(world),
    workflowStarter:
      starter ??
      (async (_rb, name, input) => {
        starts.push({ name, input });
        if (names.has(name)) return 'joined';
        names.add(name);
        return 'started';
      }),
  });
  return {
    world,
    rt,
    starts,
    mutations: () =>
      world.calls
        .filter((c) => c.outcome === 'ok' && (c.operation === 'UpdateService' || c.operation === 'RegisterScalableTarget'))
        .map((c) => ({ op: `${c.service}.${c.operation}`, input: c.input as Record<string, unknown> })),
  };
}

function alarmInput(stateChangedAt: number): ScaleEcsInput {
  return {
    incidentKey: 'scale-ecs-regami-service',
    ref,
    trigger: { kind: 'cpu-alarm', alarmName: 'regami-ecs-cpu-high', stateChangedAt, reason: 'CPU 93% > 80%' },
    gateAlarms: ['regami-ecs-cpu-high*'],
  };
}

describe('scale-ecs workflow (durable, simulated region)', () => {
  it('CPU spike: scales out through the auto scaling target, back in after stabilisation, restores the original min', async () => {
    const h = await harness(mergeWorld(baselineWorld(), spikeWorld));
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const execution = await runner.run({ payload: alarmInput(h.rt.clock.now()) });
    expect(execution.getStatus()).toBe('SUCCEEDED');
    expect(execution.getResult()).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });

    const registered = h.mutations().filter((m) => m.op === 'ApplicationAutoScaling.RegisterScalableTarget').map((m) => m.input.MinCapacity);
    expect(registered).toEqual([4, 3, 2]);
    const updates = h.mutations().filter((m) => m.op === 'ECS.UpdateService').map((m) => m.input.desiredCount);
    expect(updates).toEqual([3, 2]);

    const final = await new AwsScalingOperations(h.rt.aws, ref).readCapacity();
    expect(final).toMatchObject({ desired: 2, autoScaling: { minCapacity: 2, maxCapacity: 10 } });

    const record = await h.rt.store.loadIncident('scale-ecs-regami-service');
    expect(record?.status).toBe('resolved');
    expect(record?.mitigatedAt).toBeDefined();
    expect(record?.timeline.some((e) => /StabilisationPending/.test(e.summary))).toBe(true);
    expect(record?.actionsTaken).toHaveLength(3);
    // Scale-in waited for the stabilisation period after the alarm went OK.
    const firstIn = h.world.calls.find((c) => c.operation === 'UpdateService' && c.outcome === 'ok')!;
    const okSince = record!.timeline.find((e) => /: OK since/.test(e.summary))!.summary.match(/since (\S+);/)![1]!;
    expect(firstIn.at - Date.parse(okSince)).toBeGreaterThanOrEqual(defaultConfig.guardrails.scaling.stabilisationSeconds * 1000);

    const subjects = h.world.snsOutbox.map((m) => m.topicArn.split(':').pop());
    expect(subjects).toEqual(['runbook-autopilot-dev-p4', 'runbook-autopilot-dev-p4']);
  });

  it('an execution of a finished episode that runs on after a later episode replaced the record never writes into that record', async () => {
    const h = await harness(mergeWorld(baselineWorld(), spikeWorld));
    const t0 = h.rt.clock.now();
    const later = { ...openIncident({ key: 'scale-ecs-regami-service', runbook: 'scale-ecs', title: 'episode 2', severity: 'P3', detectedAt: t0 + 60_000 }), timeline: [{ at: t0 + 60_000, kind: 'note' as const, summary: 'episode 2 opened' }] };
    await h.rt.store.replaceIncident(later);
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const execution = await runner.run({ payload: { ...alarmInput(t0), detectedAt: t0 } });
    expect(execution.getStatus()).toBe('SUCCEEDED');
    const stored = await h.rt.store.loadIncident('scale-ecs-regami-service');
    expect(stored).toMatchObject({ title: 'episode 2', status: 'open', detectedAt: t0 + 60_000, actionsTaken: [] });
    expect(stored?.timeline.map((e) => e.summary)).toEqual(['episode 2 opened']);
  });

  it('without an auto scaling target: UpdateService desiredCount, never below the minimum', async () => {
    const spec = mergeWorld(baselineWorld(), spikeWorld);
    delete spec.regions['us-east-1']!.autoscaling!.targets![`service/${svc.clusterName}/${svc.serviceName}`];
    const h = await harness(spec);
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const execution = await runner.run({ payload: alarmInput(h.rt.clock.now()) });
    expect(execution.getResult()).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });
    expect(h.mutations().map((m) => `${m.op}:${String(m.input.desiredCount)}`)).toEqual(['ECS.UpdateService:4', 'ECS.UpdateService:3', 'ECS.UpdateService:2']);
  });

  it('capped at the max (a P2 trigger): the resolve reaches the P2 topic that opened the PagerDuty alert, not only the P4 one', async () => {
    const config = { ...defaultConfig, guardrails: { ...defaultConfig.guardrails, scaling: { ...defaultConfig.guardrails.scaling, maxTasks: 3 } } };
    const h = await harness(mergeWorld(baselineWorld(), spikeWorld), undefined, config);
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const execution = await runner.run({ payload: alarmInput(h.rt.clock.now()) });
    expect(execution.getResult()).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });
    const sent = h.world.snsOutbox.map((m) => ({ topic: m.topicArn.split(':').pop(), state: m.subject?.split(':')[0] ?? m.message.split('\n')[0] }));
    expect(sent[0]).toEqual({ topic: 'runbook-autopilot-dev-p2', state: 'ALARM' });
    expect(h.world.snsOutbox[0]!.message).toMatch(/scaled to its max of 3/);
    // The resolve: OK on the P2 topic (PagerDuty resolves only through the routing key that triggered).
    const last = h.world.snsOutbox[h.world.snsOutbox.length - 1]!;
    expect(last.topicArn).toMatch(/-p2$/);
    expect(last.subject).toMatch(/^OK: /);
    expect(h.world.snsOutbox.filter((m) => /-p4$/.test(m.topicArn))).toEqual([]);
  });

  it('budget exhausted: no mutation, a P2 page naming the guardrail', async () => {
    const h = await harness(mergeWorld(baselineWorld(), spikeWorld));
    const now = h.rt.clock.now();
    for (let i = 0; i < defaultConfig.guardrails.scaling.actionsPerHour; i++) {
      await h.rt.store.recordAction({ scope: scalingScope, action: 'scale-out', at: now - (3000 - i * 400) * 1000, incidentKey: 'earlier' });
    }
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const execution = await runner.run({ payload: alarmInput(now) });
    expect(execution.getResult()).toEqual({ outcome: 'refused', finalDesired: 2 });
    expect(h.mutations()).toEqual([]);
    expect(h.world.snsOutbox).toHaveLength(1);
    expect(h.world.snsOutbox[0]!.topicArn).toMatch(/-p2$/);
    expect(h.world.snsOutbox[0]!.message).toMatch(/BudgetExhausted: 6\/6/);
    expect((await h.rt.store.loadIncident('scale-ecs-regami-service'))?.status).toBe('escalated');
  });

  it('scaling and rollback keep separate cooldowns and budgets: a rollback a minute ago does not refuse the scale-out, the scaling changes never count against the rollback', async () => {
    const h = await harness(mergeWorld(baselineWorld(), spikeWorld));
    const now = h.rt.clock.now();
    await h.rt.store.recordAction({ scope, action: 'rollback', at: now - 60_000, incidentKey: 'rollback-deployment-regami-service-d1' });
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const execution = await runner.run({ payload: alarmInput(now) });
    expect(execution.getResult()).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });
    expect((await h.rt.store.recentActions(scope, 0)).map((a) => a.action)).toEqual(['rollback']);
    expect((await h.rt.store.recentActions(scalingScope, 0)).map((a) => a.action)).toEqual(['scale-out', 'scale-in', 'scale-in']);
    // A rollback right after the episode, with the rollback's cooldown: not refused by the scale-ins.
    const rollback = await h.rt.actuator.execute({
      proposed: { action: 'rollback', scope, summary: 'roll back regami-service', incidentKey: 'rollback-deployment-regami-service-d2' },
      policy: { cooldownSeconds: 300, budget: { max: 2, windowSeconds: 3600 } },
      recorder: { record: () => undefined },
      mutate: async () => 'rolled back',
    });
    expect(rollback.status).toBe('executed');
  });

  it('a scale-out AWS keeps failing ends in a P2 page, not a silent failure', async () => {
    const spec = mergeWorld(baselineWorld(), spikeWorld);
    spec.faults = [{ kind: 'server-error', service: 'ApplicationAutoScaling', operation: 'RegisterScalableTarget', status: 503 }];
    const h = await harness(spec);
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const execution = await runner.run({ payload: alarmInput(h.rt.clock.now()) });
    expect(execution.getResult()).toEqual({ outcome: 'failed', finalDesired: -1 });
    expect(h.mutations()).toEqual([]);
    const last = h.world.snsOutbox[h.world.snsOutbox.length - 1]!;
    expect(last.topicArn).toMatch(/-p2$/);
    expect(last.message).toMatch(/Scaling regami-service failed/);
    // The page names the durable step that ran out of retries (the workflow shell's step in progress).
    expect(last.message).toMatch(/stopped in step \\"(?!start\\"|page-workflow-failed\\")[a-z0-9-]+\\"/);
    expect((await h.rt.store.loadIncident('scale-ecs-regami-service'))?.status).toBe('escalated');
  });
});

describe('scale-ecs workflow: the service lock', () => {
  afterEach(() => setStepCrashHook(undefined));

  it('is taken by the execution (not the incident key) at the scale-out, held through Verify Health, given back before the monitoring', async () => {
    const h = await harness(mergeWorld(baselineWorld(), spikeWorld));
    const events: string[] = [];
    // The crash hook runs after each step: used here only to see the steps' order.
    setStepCrashHook((step) => void events.push(`step:${step}`));
    const acquire = h.rt.store.acquireLock.bind(h.rt.store);
    const release = h.rt.store.releaseLock.bind(h.rt.store);
    jest.spyOn(h.rt.store, 'acquireLock').mockImplementation(async (resource, owner, now, ttl) => {
      events.push(`acquire ${resource} ${owner}`);
      return acquire(resource, owner, now, ttl);
    });
    jest.spyOn(h.rt.store, 'releaseLock').mockImplementation(async (resource, owner) => {
      events.push(`release ${resource} ${owner}`);
      return release(resource, owner);
    });
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const execution = await runner.run({ payload: alarmInput(h.rt.clock.now()) });
    expect(execution.getResult()).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });

    const record = (await h.rt.store.loadIncident('scale-ecs-regami-service'))!;
    const owner = episodeExecutionName(ref, record.detectedAt);
    expect(owner).not.toBe('scale-ecs-regami-service');
    const lockEvents = events.filter((e) => !e.startsWith('step:'));
    expect(lockEvents.every((e) => e.endsWith(` ${scope} ${owner}`))).toBe(true);
    const firstAcquire = events.indexOf(`acquire ${scope} ${owner}`);
    const firstRelease = events.indexOf(`release ${scope} ${owner}`);
    const lastVerify = events.map((e, i) => (e.startsWith('step:verify-health-') ? i : -1)).reduce((a, b) => Math.max(a, b));
    expect(firstAcquire).toBeLessThan(events.indexOf('step:scale-up'));
    expect(firstRelease).toBeGreaterThan(lastVerify);
    expect(firstRelease).toBeLessThan(events.indexOf('step:check-alarm-1'));
    expect(record.heldLocks ?? []).toEqual([]);
    // Free for another runbook at the end.
    expect((await acquire(scope, 'rollback-deployment-x', h.rt.clock.now(), 60)).acquired).toBe(true);
  });
});

describe('scale-ecs workflow: a crash after a scaling step, before its checkpoint', () => {
  afterEach(() => setStepCrashHook(undefined));

  it('every step crashes once after its side effects: one scale-out, still scaled back in and the min restored, no refusal page', async () => {
    const h = await harness(mergeWorld(baselineWorld(), spikeWorld));
    const crashed = new Set<string>();
    setStepCrashHook((step) => {
      if (crashed.has(step)) return;
      crashed.add(step);
      throw new Error(`crash after ${step}, before its checkpoint`);
    });
    const runner = new LocalDurableTestRunner({ handlerFunction: buildWorkflow(() => h.rt) });
    const execution = await runner.run({ payload: alarmInput(h.rt.clock.now()) });
    expect(crashed.has('scale-up')).toBe(true);
    expect(execution.getResult()).toEqual({ outcome: 'scaled-and-restored', finalDesired: 2 });
    const registered = h.mutations().filter((m) => m.op === 'ApplicationAutoScaling.RegisterScalableTarget').map((m) => m.input.MinCapacity);
    expect(registered).toEqual([4, 3, 2]);
    const final = await new AwsScalingOperations(h.rt.aws, ref).readCapacity();
    expect(final).toMatchObject({ desired: 2, autoScaling: { minCapacity: 2 } });
    expect(h.world.snsOutbox.some((m) => /refused/.test(m.message))).toBe(false);
    const record = await h.rt.store.loadIncident('scale-ecs-regami-service');
    expect(record?.status).toBe('resolved');
    expect(record?.timeline.some((e) => /^already done/.test(e.summary))).toBe(true);
  });
});

function cpuAlarmEvent(now: number, state: 'ALARM' | 'OK', stateAt: number, id: string): Record<string, unknown> {
  const sample = JSON.parse(readFileSync(join(__dirname, '..', 'events', 'samples', 'alarm-cpu-metric-math.json'), 'utf8')) as Record<string, unknown> & { detail: { state: Record<string, unknown> } };
  sample.id = id;
  sample.time = new Date(now).toISOString();
  sample.detail.state = { ...sample.detail.state, value: state, timestamp: new Date(stateAt).toISOString().replace('Z', '+0000') };
  return sample;
}

describe('scale-ecs intake', () => {
  it('duplicates of one ALARM period start one workflow', async () => {
    const h = await harness(baselineWorld());
    const now = h.rt.clock.now();
    const first = await scaleEcsIntake(cpuAlarmEvent(now, 'ALARM', now, 'e1'), h.rt);
    const dup = await scaleEcsIntake(cpuAlarmEvent(now, 'ALARM', now, 'e2'), h.rt);
    expect(first).toMatchObject({ status: 'started-workflow', incidentKey: 'scale-ecs-regami-service' });
    expect(dup).toMatchObject({ status: 'ignored' });
    expect(dup.reason).toMatch(/duplicate/);
    expect(h.starts).toHaveLength(1);
  });

  it('a start that fails is paged P2 and gives the ALARM back: Lambda\'s retry of the same event starts the workflow', async () => {
    let calls = 0;
    const h = await harness(baselineWorld(), async () => {
      calls += 1;
      if (calls === 1) throw new Error('TooManyRequestsException: Rate exceeded');
      return 'started';
    });
    const now = h.rt.clock.now();
    const event = cpuAlarmEvent(now, 'ALARM', now, 'one-delivery');
    await expect(scaleEcsIntake(event, h.rt)).rejects.toThrow(/TooManyRequests/);
    expect(h.world.snsOutbox).toHaveLength(1);
    expect(h.world.snsOutbox[0]!.topicArn).toMatch(/-p2$/);
    expect(h.world.snsOutbox[0]!.message).toMatch(/Could not start the scaling workflow/);

    const retry = await scaleEcsIntake(event, h.rt);
    expect(retry).toMatchObject({ status: 'started-workflow', incidentKey: 'scale-ecs-regami-service' });
    expect(calls).toBe(2);
    // Once started, the same event again is the duplicate.
    expect((await scaleEcsIntake(event, h.rt)).status).toBe('ignored');
  });

  it('a flapping alarm (ALARM, OK, ALARM) joins the running episode instead of starting another', async () => {
    const h = await harness(baselineWorld());
    const t0 = h.rt.clock.now();
    expect((await scaleEcsIntake(cpuAlarmEvent(t0, 'ALARM', t0, 'a'), h.rt)).status).toBe('started-workflow');
    h.world.clock.advanceBy(60_000);
    expect((await scaleEcsIntake(cpuAlarmEvent(t0 + 60_000, 'OK', t0 + 60_000, 'b'), h.rt)).status).toBe('ignored');
    h.world.clock.advanceBy(60_000);
    expect((await scaleEcsIntake(cpuAlarmEvent(t0 + 120_000, 'ALARM', t0 + 120_000, 'c'), h.rt)).status).toBe('joined-workflow');
    expect(new Set(h.starts.map((s) => s.name)).size).toBe(1);
  });

  it('an ALARM period already handled by an episode that ended does not start another', async () => {
    const h = await harness(baselineWorld());
    const t0 = h.rt.clock.now();
    await scaleEcsIntake(cpuAlarmEvent(t0, 'ALARM', t0, 'a'), h.rt);
    const rec = (await h.rt.store.loadIncident('scale-ecs-regami-service'))!;
    h.world.clock.advanceBy(1800_000);
    // The episode's workflow ended: scaled back in, resolved.
    rec.status = 'resolved';
    rec.resolvedAt = h.rt.clock.now();
    await h.rt.store.saveIncident(rec);
    const late = await scaleEcsIntake(cpuAlarmEvent(h.rt.clock.now(), 'ALARM', t0 + 120_000, 'late'), h.rt);
    expect(late.status).toBe('ignored');
    expect(late.reason).toMatch(/was handled by the episode that ended/);
    // A new ALARM period after the episode: a new episode, a new execution name.
    h.world.clock.advanceBy(60_000);
    const next = await scaleEcsIntake(cpuAlarmEvent(h.rt.clock.now(), 'ALARM', h.rt.clock.now(), 'new'), h.rt);
    expect(next.status).toBe('started-workflow');
    expect(new Set(h.starts.map((s) => s.name)).size).toBe(2);
  });

  it('rejects an event older than the configured age and ignores other alarms and other services', async () => {
    const h = await harness(baselineWorld());
    const now = h.rt.clock.now();
    const old = cpuAlarmEvent(now - (defaultConfig.maxEventAgeSeconds + 60) * 1000, 'ALARM', now - 3600_000, 'old');
    expect(await scaleEcsIntake(old, h.rt)).toMatchObject({ status: 'rejected', field: 'time' });
    const other = cpuAlarmEvent(now, 'ALARM', now, 'other');
    (other.detail as { alarmName: string }).alarmName = 'regami-db-down';
    expect((await scaleEcsIntake(other, h.rt)).status).toBe('ignored');
    const request = JSON.parse(readFileSync(join(__dirname, '..', 'events', 'samples', 'autopilot-scale-requested.json'), 'utf8')) as Record<string, unknown> & { detail: Record<string, unknown> };
    request.time = new Date(now).toISOString();
    request.detail.service = 'someone-elses-service';
    expect(await scaleEcsIntake(request, h.rt)).toMatchObject({ status: 'ignored' });
    expect(h.starts).toHaveLength(0);
  });
});
