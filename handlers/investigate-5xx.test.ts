/**
 * Runbook 4 over the simulated region and dynalite: the real intake reads the signals with
 * the SDK clients, classifies, and acts (hand-off event, forced redeploy, page).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../domain/config';
import { SimClock, SimWorld, baselineWorld, mergeWorld, simClientSetup } from '../test/simulated-region';
import type { WorldChange, WorldSpec } from '../test/simulated-region';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { investigate5xxIntake } from '../runbooks/investigate-5xx/intake';

const KEY = 'investigate-5xx-regami-alb-5xx-high';
const svc = defaultConfig.service;

interface Harness {
  world: SimWorld;
  rt: Runtime;
  emitted: { detailType: string; detail: Record<string, unknown> }[];
  mutations(): { op: string; input: Record<string, unknown> }[];
  pages(): { topic: string; message: string }[];
}

async function harness(patch: Record<string, unknown> = {}, failEmit = false): Promise<Harness> {
  const spec = mergeWorld(baselineWorld(), patch) as WorldSpec;
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const table = await freshStateTable('five-xx');
  const emitted: Harness['emitted'] = [];
  const rt = createRuntime({
    config: defaultConfig,
    clock,
    tableName: table.tableName,
    dynamoEndpoint: table.endpoint,
    clientSetup: simClientSetup(world),
    eventEmitter: async (detailType, detail) => {
      if (failEmit) throw new Error('PutEvents rejected Scale Requested on bus default: InternalFailure');
      emitted.push({ detailType, detail });
    },
    workflowStarter: async () => 'started',
  });
  // Let the simulated minutes pass so the metrics have a recent history.
  clock.advanceBy(10 * 60_000);
  return {
    world,
    rt,
    emitted,
    mutations: () =>
      world.calls.filter((c) => c.outcome === 'ok' && /^(Update|Register|Create|Delete|Put(?!Events)|Stop|Modify)/.test(c.operation) && c.service !== 'DynamoDB').map((c) => ({ op: `${c.service}.${c.operation}`, input: c.input as Record<string, unknown> })),
    pages: () => world.snsOutbox.map((m) => ({ topic: m.topicArn.split(':').pop() ?? '', message: m.message })),
  };
}

function alarmEvent(rt: Runtime, state: 'ALARM' | 'OK', stateAt: number, id = `evt-${stateAt}-${state}`): Record<string, unknown> {
  const sample = JSON.parse(readFileSync(join(__dirname, '..', 'events', 'samples', state === 'ALARM' ? 'alarm-5xx-alarm.json' : 'alarm-5xx-ok.json'), 'utf8')) as Record<string, unknown> & { detail: { state: Record<string, unknown> } };
  sample.id = id;
  sample.time = new Date(rt.clock.now()).toISOString();
  sample.detail.state = { ...sample.detail.state, value: state, timestamp: new Date(stateAt).toISOString().replace('Z', '+0000') };
  return sample;
}

const fiveXxFromT0 = { 'alb-target-5xx': { series: { points: [{ t: -3600, v: 0 }, { t: 0, v: 140 }] } } };
const metrics = (m: Record<string, unknown>) => ({ regions: { 'us-east-1': { cloudwatch: { metrics: { ...fiveXxFromT0, ...m } } } } });

describe('investigate-5xx intake (simulated region)', () => {
  it('pool exhaustion: no scaling, one P2 page with the evidence and the pool settings, within a bounded number of calls', async () => {
    const h = await harness(
      mergeWorld(metrics({ 'rds-connections': { series: 166 } }), {
        regions: {
          'us-east-1': {
            logs: {
              groups: {
                [svc.logGroupName]: {
                  generators: [{ from: 0, to: 3600, everySeconds: 4, message: 'ERROR sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 20 reached, connection timed out, timeout 30.00', stream: 'ecs/app/x' }],
                },
              },
            },
          },
        },
      }),
    );
    const callsBefore = h.world.calls.length;
    const result = await investigate5xxIntake(alarmEvent(h.rt, 'ALARM', h.rt.clock.now()), h.rt);
    expect(result).toMatchObject({ status: 'paged', incidentKey: KEY });
    expect(result.reason).toMatch(/^connection-pool-exhausted: log lines/);
    expect(h.mutations()).toEqual([]);
    expect(h.emitted).toEqual([]);
    const pages = h.pages();
    expect(pages).toHaveLength(1);
    expect(pages[0]!.topic).toBe('runbook-autopilot-dev-p2');
    expect(pages[0]!.message).toMatch(/ScalingWouldNotHelp/);
    expect(pages[0]!.message).toMatch(/pool_size/);
    expect(pages[0]!.message).toMatch(/DatabaseConnections/);
    // Bounded: metrics (1 call), service, stopped tasks, RDS, one bucket, one cache cluster, logs (<= 5 pages), SNS, state table.
    const aws = h.world.calls.slice(callsBefore).filter((c) => !['SNS', 'DynamoDB'].includes(c.service));
    expect(aws.length).toBeLessThanOrEqual(12);
    expect(aws.filter((c) => c.operation === 'GetMetricData')).toHaveLength(1);
    const rec = await h.rt.store.loadIncident(KEY);
    expect(rec?.status).toBe('escalated');
    expect(rec?.rootCauseGuess).toMatch(/^connection-pool-exhausted/);
  });

  it('CPU saturation: hands a Scale Requested event to scale-ecs and scales nothing itself', async () => {
    const h = await harness(metrics({ 'ecs-cpu': { series: 97 }, 'alb-latency': { series: 3.8 } }));
    const result = await investigate5xxIntake(alarmEvent(h.rt, 'ALARM', h.rt.clock.now()), h.rt);
    expect(result.status).toBe('acted');
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0]).toMatchObject({ detailType: 'Scale Requested', detail: { cluster: svc.clusterName, service: svc.serviceName, incidentKey: KEY } });
    expect((h.emitted[0]!.detail.evidence as string[])[0]).toMatch(/ECS CPUUtilization \(avg, recent\) = 97/);
    expect(h.mutations()).toEqual([]);
  });

  it('a hand-off that cannot be sent is paged P2 now (not thrown: a retry would investigate and page twice)', async () => {
    const h = await harness(metrics({ 'ecs-cpu': { series: 97 } }), true);
    const result = await investigate5xxIntake(alarmEvent(h.rt, 'ALARM', h.rt.clock.now()), h.rt);
    expect(result.status).toBe('paged');
    expect(h.pages()).toHaveLength(1);
    expect(h.pages()[0]!.topic).toBe('runbook-autopilot-dev-p2');
    expect(h.pages()[0]!.message).toMatch(/hand-off failed/);
    expect(h.pages()[0]!.message).toMatch(/InternalFailure/);
  });

  it('memory leak: forces one new deployment through the Actuator, marks it as our own change, pages P3; a second leak within the restart cooldown is refused and paged', async () => {
    const h = await harness(metrics({ 'ecs-memory': { series: { points: [{ t: -3600, v: 58 }, { t: 0, v: 80 }, { t: 300, v: 96 }] } } }));
    h.world.apply({ kind: 'ecs-tasks-stop', region: 'us-east-1', cluster: svc.clusterName, service: svc.serviceName, count: 1, reason: 'OutOfMemoryError: Container killed due to memory usage' } as WorldChange);
    const first = await investigate5xxIntake(alarmEvent(h.rt, 'ALARM', h.rt.clock.now()), h.rt);
    expect(first.status).toBe('acted');
    const updates = h.mutations().filter((m) => m.op === 'ECS.UpdateService');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.input).toMatchObject({ cluster: svc.clusterName, service: svc.serviceName, forceNewDeployment: true });
    const p3 = h.pages().find((p) => p.topic.endsWith('-p3'));
    expect(p3?.message).toMatch(/from 512 to 1024 MB/);
    const rec = await h.rt.store.loadIncident(KEY);
    expect(rec?.status).toBe('mitigated');
    const deploymentId = /forced a new deployment (\S+)/.exec(rec?.actionsTaken.join(' ') ?? '')?.[1] ?? /forced a new deployment (\S+)/.exec(p3?.message ?? '')?.[1];
    expect(deploymentId).toBeDefined();
    expect(await h.rt.store.isOwnChange(deploymentId!)).toBe(true);

    // The leak comes back twenty minutes later: a new ALARM period, but the restart cooldown holds.
    h.world.clock.advanceBy(20 * 60_000);
    h.world.apply({ kind: 'ecs-tasks-stop', region: 'us-east-1', cluster: svc.clusterName, service: svc.serviceName, count: 1, reason: 'OutOfMemoryError: Container killed due to memory usage' } as WorldChange);
    const second = await investigate5xxIntake(alarmEvent(h.rt, 'ALARM', h.rt.clock.now()), h.rt);
    expect(second.status).toBe('paged');
    expect(h.mutations().filter((m) => m.op === 'ECS.UpdateService')).toHaveLength(1);
    const refused = h.pages().filter((p) => p.topic.endsWith('-p2')).pop();
    expect(refused?.message).toMatch(/Cooldown/);
  });

  it('memory leak paged P3, then the alarm OK: the resolve goes to the P3 topic the trigger went to (not the record\'s P2)', async () => {
    const h = await harness(metrics({ 'ecs-memory': { series: { points: [{ t: -3600, v: 58 }, { t: 0, v: 80 }, { t: 300, v: 96 }] } } }));
    h.world.apply({ kind: 'ecs-tasks-stop', region: 'us-east-1', cluster: svc.clusterName, service: svc.serviceName, count: 1, reason: 'OutOfMemoryError: Container killed due to memory usage' } as WorldChange);
    expect((await investigate5xxIntake(alarmEvent(h.rt, 'ALARM', h.rt.clock.now()), h.rt)).status).toBe('acted');
    h.world.clock.advanceBy(10 * 60_000);
    expect((await investigate5xxIntake(alarmEvent(h.rt, 'OK', h.rt.clock.now()), h.rt)).status).toBe('paged');
    expect(h.pages().map((p) => p.topic)).toEqual(['runbook-autopilot-dev-p3', 'runbook-autopilot-dev-p3']);
    expect(h.pages()[1]!.message).toMatch(/back to normal/);
  });

  it('memory leak: the restart happened but marking it failed; Lambda\'s retry finds the restart, marks it, pages P3 - no second deployment, no "refused" page', async () => {
    const h = await harness(metrics({ 'ecs-memory': { series: { points: [{ t: -3600, v: 58 }, { t: 0, v: 80 }, { t: 300, v: 96 }] } } }));
    h.world.apply({ kind: 'ecs-tasks-stop', region: 'us-east-1', cluster: svc.clusterName, service: svc.serviceName, count: 1, reason: 'OutOfMemoryError: Container killed due to memory usage' } as WorldChange);
    const event = alarmEvent(h.rt, 'ALARM', h.rt.clock.now(), 'leak');
    const mark = jest.spyOn(h.rt.store, 'markOwnChange').mockRejectedValueOnce(new Error('ProvisionedThroughputExceededException'));
    await expect(investigate5xxIntake(event, h.rt)).rejects.toThrow(/ProvisionedThroughputExceeded/);
    mark.mockRestore();
    expect(h.mutations().filter((m) => m.op === 'ECS.UpdateService')).toHaveLength(1);

    h.world.clock.advanceBy(60_000);
    const retry = await investigate5xxIntake(event, h.rt);
    expect(retry.status).toBe('acted');
    expect(h.mutations().filter((m) => m.op === 'ECS.UpdateService')).toHaveLength(1);
    expect(h.pages().some((p) => /restart refused/.test(p.message))).toBe(false);
    const p3 = h.pages().find((p) => p.topic.endsWith('-p3'));
    const deploymentId = /forced a new deployment (\S+)/.exec(p3?.message ?? '')?.[1];
    expect(deploymentId).toBeDefined();
    expect(await h.rt.store.isOwnChange(deploymentId!)).toBe(true);
    expect((await h.rt.store.loadIncident(KEY))?.timeline.some((e) => /^already done: /.test(e.summary))).toBe(true);
  });

  it('memory leak while another runbook holds the service lock (a rollback rolling out): the restart is refused LockHeld and paged, nothing deployed', async () => {
    const h = await harness(metrics({ 'ecs-memory': { series: { points: [{ t: -3600, v: 58 }, { t: 0, v: 80 }, { t: 300, v: 96 }] } } }));
    h.world.apply({ kind: 'ecs-tasks-stop', region: 'us-east-1', cluster: svc.clusterName, service: svc.serviceName, count: 1, reason: 'OutOfMemoryError: Container killed due to memory usage' } as WorldChange);
    const lock = await h.rt.store.acquireLock(`service:${svc.clusterName}/${svc.serviceName}`, 'rollback-deployment-regami-service-d1', h.rt.clock.now(), 1800);
    expect(lock.acquired).toBe(true);
    const result = await investigate5xxIntake(alarmEvent(h.rt, 'ALARM', h.rt.clock.now()), h.rt);
    expect(result.status).toBe('paged');
    expect(h.mutations()).toEqual([]);
    const p2 = h.pages().find((p) => p.topic.endsWith('-p2'));
    expect(p2?.message).toMatch(/restart refused \(ResourceLock\)/);
    expect(p2?.message).toMatch(/LockHeld: service:regami-cluster\/regami-service is locked by rollback-deployment-regami-service-d1/);
  });

  it('an investigation that throws gives the ALARM back: it is paged P2 at once, and Lambda\'s retry of the same event investigates', async () => {
    const h = await harness(metrics({ 'rds-connections': { series: 166 } }));
    const event = alarmEvent(h.rt, 'ALARM', h.rt.clock.now(), 'the-only-delivery');
    const broken: Runtime = { ...h.rt, openSession: async () => { throw new Error('ProvisionedThroughputExceededException: state table throttled'); } };
    await expect(investigate5xxIntake(event, broken)).rejects.toThrow(/ProvisionedThroughputExceeded/);
    expect(h.pages()).toHaveLength(1);
    expect(h.pages()[0]!.topic).toBe('runbook-autopilot-dev-p2');
    expect(h.pages()[0]!.message).toMatch(/the investigation failed .*ProvisionedThroughputExceededException/);

    // Lambda retries the same event: it is investigated, not dropped as a duplicate.
    const retry = await investigate5xxIntake(event, h.rt);
    expect(retry.status).toBe('paged');
    expect(retry.reason).toMatch(/^connection-pool-exhausted/);
    expect((await h.rt.store.loadIncident(KEY))?.rootCauseGuess).toMatch(/^connection-pool-exhausted/);
    // ... and a third delivery of it is the duplicate.
    expect((await investigate5xxIntake(event, h.rt)).status).toBe('ignored');
  });

  it('a dependency down (Redis): no scaling, P2 with the dependency check to run', async () => {
    const h = await harness(metrics({}));
    h.world.apply({ kind: 'cache-status', region: 'us-east-1', id: 'regami-redis', status: 'incompatible-network' } as WorldChange);
    const result = await investigate5xxIntake(alarmEvent(h.rt, 'ALARM', h.rt.clock.now()), h.rt);
    expect(result.reason).toMatch(/^dependency-down: ElastiCache regami-redis status = incompatible-network/);
    expect(h.mutations()).toEqual([]);
    expect(h.pages()[0]!.message).toMatch(/describe-cache-clusters --cache-cluster-id regami-redis/);
  });

  it('a missing S3 bucket counts as a dependency down', async () => {
    const h = await harness(metrics({}));
    const config = { ...defaultConfig, dependencies: { ...defaultConfig.dependencies, s3Buckets: ['regami-uploads-gone'] } };
    const rt = { ...h.rt, config };
    const result = await investigate5xxIntake(alarmEvent(rt, 'ALARM', rt.clock.now()), rt);
    expect(result.reason).toMatch(/^dependency-down: S3 HeadBucket regami-uploads-gone = NotFound/);
  });

  it('duplicates of one ALARM period are investigated once; the OK state resolves the page', async () => {
    const h = await harness(metrics({}));
    const at = h.rt.clock.now();
    expect((await investigate5xxIntake(alarmEvent(h.rt, 'ALARM', at, 'a'), h.rt)).status).toBe('paged');
    const dup = await investigate5xxIntake(alarmEvent(h.rt, 'ALARM', at, 'b'), h.rt);
    expect(dup).toMatchObject({ status: 'ignored' });
    expect(h.pages()).toHaveLength(1);

    h.world.clock.advanceBy(5 * 60_000);
    const ok = await investigate5xxIntake(alarmEvent(h.rt, 'OK', h.rt.clock.now()), h.rt);
    expect(ok).toMatchObject({ status: 'paged', incidentKey: KEY });
    expect(h.pages()).toHaveLength(2);
    expect(h.pages()[1]!.message).toMatch(/resolve/i);
    const rec = await h.rt.store.loadIncident(KEY);
    expect(rec?.status).toBe('resolved');
    // Nothing left to resolve: a second OK does nothing.
    expect((await investigate5xxIntake(alarmEvent(h.rt, 'OK', h.rt.clock.now(), 'ok2'), h.rt)).status).toBe('ignored');
  });

  it('ignores alarms that are not the 5XX alarm', async () => {
    const h = await harness();
    const ev = alarmEvent(h.rt, 'ALARM', h.rt.clock.now());
    (ev.detail as { alarmName: string }).alarmName = 'regami-ecs-cpu-high';
    expect((await investigate5xxIntake(ev, h.rt)).status).toBe('ignored');
    expect(h.pages()).toEqual([]);
  });
});
