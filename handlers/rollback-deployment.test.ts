/**
 * Runbook 2 as a durable execution (LocalDurableTestRunner, time skipping) over the
 * simulated region and dynalite: the intake starts the workflow, the workflow rolls back,
 * waits for the rollout, verifies tasks and the 5XX alarm, and pages. Assertions are on the
 * simulated world (calls, tasks, listener), the SNS outbox and the incident record.
 */
import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { defaultConfig, type AutopilotConfig } from '../domain/config';
import type { RollbackInput } from '../domain/rollback/decide';
import type { RollbackResult } from '../domain/rollback/workflow';
import { SimClock, SimWorld, baselineWorld, mergeWorld, simClientSetup, type WorldSpec } from '../test/simulated-region';
import { isMutatingCall, type ObservedCall } from '../adapters/aws/clients';
import { loadSample } from '../events/samples/load';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { buildHandler } from './rollback-deployment';
import { buildWorkflow } from './rollback-deployment-workflow';
import { toServiceState } from '../adapters/aws/rollback';

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

const REGION = defaultConfig.service.region;
const CLUSTER = defaultConfig.service.clusterName;
const SERVICE = defaultConfig.service.serviceName;
const serving = (rev: number) => ({ serving: { region: REGION, cluster: CLUSTER, service: SERVICE, taskDefinition: `regami-api:${rev}` } });

function apiRevision(rev: number, registeredAt: number, extra: { tags?: Record<string, string>; failsWith?: string } = {}) {
  return {
    family: 'regami-api',
    revision: rev,
    registeredAt,
    cpu: '512',
    memory: '1024',
    containers: { app: { image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/regami-api:v1.${rev - 30}.0`, essential: true, portMappings: [{ containerPort: 8080, protocol: 'tcp' as const }] } },
    tags: { application: 'regami', ...(extra.tags ?? {}) },
    ...(extra.failsWith ? { failsWith: extra.failsWith } : {}),
  };
}

/**
 * regami-api:42 rolled out ten minutes ago and answers 5XX: 41 (three days stable) was drained
 * when 42 reached its desired count, so only its stopped tasks remember it. 43 is registered
 * (for the second bad deploy) and answers 5XX too.
 */
function badDeployWorld(revision42: { tags?: Record<string, string> } = {}): Partial<WorldSpec> {
  return {
    regions: {
      [REGION]: {
        ecs: {
          taskDefinitions: {
            'regami-api:42': apiRevision(42, -900, revision42),
            'regami-api:43': apiRevision(43, -300),
          },
          clusters: {
            [CLUSTER]: {
              services: {
                [SERVICE]: {
                  taskDefinition: 'regami-api:42',
                  desiredCount: 2,
                  deployments: {
                    bad: { taskDefinition: 'regami-api:42', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', createdAt: -600, runningCount: 2 },
                    good: { taskDefinition: 'regami-api:41', status: 'ACTIVE', rolloutState: 'COMPLETED', createdAt: -3 * 86400, runningCount: 2 },
                  },
                },
              },
            },
          },
        },
        cloudwatch: {
          metrics: {
            'alb-target-5xx': {
              namespace: 'AWS/ApplicationELB',
              metricName: 'HTTPCode_Target_5XX_Count',
              dimensions: { LoadBalancer: defaultConfig.service.loadBalancerDimension },
              unit: 'Count',
              series: 0,
              overrides: [
                { when: serving(42), series: 180 },
                { when: serving(43), series: 240 },
              ],
            },
          },
        },
      },
    },
  };
}

interface Harness {
  world: SimWorld;
  rt: Runtime;
  clock: SimClock;
  started: RollbackInput[];
  /** Intake: an event in, the workflow input it started (if any) captured. */
  deliver(event: Record<string, unknown>): Promise<{ status: string; reason?: string; incidentKey?: string }>;
  runWorkflow(input: RollbackInput): Promise<{ result: RollbackResult; status: string | undefined }>;
  /** A runner and its running execution, for tests that answer the approval gate. */
  startWorkflow(input: RollbackInput): { runner: LocalDurableTestRunner; done: Promise<RollbackResult> };
  alarmState(): Promise<string | undefined>;
  /** The next workflow start throws this (a Lambda Invoke that failed). */
  failNextStart: Error | undefined;
  calls(operation: string): { input: unknown }[];
  mutations(): string[];
  pages(): string[];
}

interface HarnessOptions {
  /** Sees every SDK call attempt (read-only probes during a run). */
  onCall?: (call: ObservedCall) => void;
}

async function harness(worldPatch: Partial<WorldSpec>, config: AutopilotConfig = defaultConfig, options: HarnessOptions = {}): Promise<Harness> {
  const spec = mergeWorld(baselineWorld(), worldPatch as Record<string, unknown>);
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const table = await freshStateTable('rollback');
  const started: RollbackInput[] = [];
  const executions = new Set<string>();
  const rt = createRuntime({
    config,
    clock,
    tableName: table.tableName,
    dynamoEndpoint: table.endpoint,
    clientSetup: simClientSetup(world, options.onCall ? { onCall: options.onCall } : {}),
    workflowStarter: async (runbook, name, input) => {
      expect(runbook).toBe('rollback-deployment');
      const failure = h.failNextStart;
      if (failure) {
        h.failNextStart = undefined;
        throw failure;
      }
      if (executions.has(name)) return 'joined';
      executions.add(name);
      started.push(input as RollbackInput);
      return 'started';
    },
  });
  const intake = buildHandler(() => rt);
  const workflow = buildWorkflow(() => rt);
  let seq = 0;
  const h: Harness = {
    world,
    rt,
    clock,
    started,
    failNextStart: undefined,
    async deliver(event) {
      seq += 1;
      const e = { ...event, id: `${String(event.id ?? 'evt')}-${seq}`, time: new Date(clock.now()).toISOString() };
      return (await intake(e, {} as never)) as { status: string; reason?: string; incidentKey?: string };
    },
    async runWorkflow(input) {
      const runner = new LocalDurableTestRunner({ handlerFunction: workflow });
      const execution = await runner.run({ payload: input });
      if (execution.getStatus() !== 'SUCCEEDED') throw new Error(`workflow ${execution.getStatus()}: ${JSON.stringify(execution.getError())}`);
      return { result: execution.getResult() as RollbackResult, status: execution.getStatus() };
    },
    startWorkflow(input) {
      const runner = new LocalDurableTestRunner({ handlerFunction: workflow });
      const done = runner.run({ payload: input }).then((execution) => {
        if (execution.getStatus() !== 'SUCCEEDED') throw new Error(`workflow ${execution.getStatus()}: ${JSON.stringify(execution.getError())}`);
        return execution.getResult() as RollbackResult;
      });
      return { runner, done };
    },
    async alarmState() {
      const out = await rt.aws.in(REGION).cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['regami-alb-5xx-high'] }));
      return out.MetricAlarms?.[0]?.StateValue;
    },
    calls: (operation) => world.calls.filter((c) => c.outcome === 'ok' && c.operation === operation),
    mutations: () => world.calls.filter((c) => c.outcome === 'ok' && isMutatingCall(c.service, c.operation)).map((c) => `${c.service}.${c.operation}`),
    pages: () => world.snsOutbox.map((m) => `${m.subject ?? ''}\n${m.message}`),
  };
  return h;
}

function rollbackRequested(): Record<string, unknown> {
  return loadSample('autopilot-rollback-requested');
}

async function startFromHandOff(h: Harness): Promise<RollbackInput> {
  const before = h.started.length;
  const out = await h.deliver(rollbackRequested());
  expect(out.status).toBe('started-workflow');
  const input = h.started[before];
  if (!input) throw new Error('intake did not start a workflow');
  return input;
}

describe('rollback deployment (durable, ECS)', () => {
  it('bad deploy: rolls back to the last stable revision, waits for the rollout, verifies tasks and the 5XX alarm, pages P2', async () => {
    const h = await harness(badDeployWorld());
    h.clock.advanceBy(5 * 60_000); // 42 finished rolling out; the 5XX alarm fires
    expect(await h.alarmState()).toBe('ALARM');
    const input = await startFromHandOff(h);
    expect(input.trigger).toMatchObject({ kind: 'rollback-requested', requestedBy: 'investigate-5xx' });

    const { result, status } = await h.runWorkflow(input);
    expect(status).toBe('SUCCEEDED');
    expect(result.outcome).toBe('rolled-back');

    // Exactly one mutation: UpdateService to 41 with a forced new deployment.
    expect(h.mutations()).toEqual(['ECS.UpdateService']);
    expect(h.calls('UpdateService')[0]?.input).toMatchObject({ cluster: CLUSTER, service: SERVICE, forceNewDeployment: true, taskDefinition: expect.stringMatching(/regami-api:41$/) });
    // Verified through the same API the runbook uses.
    expect(h.calls('ListTasks').length).toBeGreaterThan(0);
    expect(h.calls('DescribeAlarms').length).toBeGreaterThan(0);

    const pages = h.pages();
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatch(/rolled back to regami-api:41/);
    expect(pages[0]).toMatch(/P2|Degraded/);
    expect(pages[0]).toMatch(/regami-alb-5xx-high is OK/);

    const record = await h.rt.store.loadIncident(input.incidentKey);
    expect(record?.status).toBe('mitigated');
    expect(record?.startedAt).toBe(input.detectedAt); // the rollback went out at once (simulated time)
    expect(record?.mitigatedAt).toBeGreaterThan(input.detectedAt);
    expect(record?.timeline.some((e) => /regami-api:42 skipped \(current\)/.test(e.summary))).toBe(true);
  });

  it('rollback rollout fails again: pages P1 with what was seen, no second rollback, and its failure event is ignored (loop guard)', async () => {
    const h = await harness(
      mergeWorld(badDeployWorld() as Record<string, unknown>, {
        schedule: [{ at: 240, change: { kind: 'task-definition-fails', region: REGION, taskDefinition: 'regami-api:41', reason: 'CannotPullContainerError: image deleted from ECR' } }],
      }) as Partial<WorldSpec>,
    );
    h.clock.advanceBy(5 * 60_000);
    const input = await startFromHandOff(h);
    const { result } = await h.runWorkflow(input);
    expect(result.outcome).toBe('rollback-failed');
    expect(h.mutations()).toEqual(['ECS.UpdateService']);
    const pages = h.pages();
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatch(/no further automatic rollback/);
    expect((await h.rt.store.loadIncident(input.incidentKey))?.status).toBe('escalated');

    // ECS reports our own rollback deployment FAILED: the intake must not start a rollback of the rollback.
    const failure = h.world.awsEvents.filter((e) => e['detail-type'] === 'ECS Deployment State Change' && e.detail.eventName === 'SERVICE_DEPLOYMENT_FAILED').at(-1);
    expect(failure).toBeDefined();
    const again = await h.deliver(failure as unknown as Record<string, unknown>);
    expect(again.status).toBe('ignored');
    expect(again.reason).toMatch(/loop guard/);
    expect(h.started).toHaveLength(1);
  });

  it('second bad deploy inside the window: refused with RollbackWindow, paged with the manual command, no second UpdateService', async () => {
    const h = await harness(badDeployWorld());
    h.clock.advanceBy(5 * 60_000);
    const first = await startFromHandOff(h);
    expect((await h.runWorkflow(first)).result.outcome).toBe('rolled-back');

    // CI ships 43 twenty minutes later; it fails requests too.
    h.clock.advanceBy(20 * 60_000);
    await h.rt.aws.in(REGION).ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'regami-api:43' }));
    h.clock.advanceBy(5 * 60_000);
    const second = await startFromHandOff(h);
    expect(second.incidentKey).not.toBe(first.incidentKey);
    const { result } = await h.runWorkflow(second);
    expect(result.outcome).toBe('refused');
    expect(result.detail).toMatch(/RollbackWindow/);

    // One UpdateService by the autopilot, one by CI: nothing more.
    expect(h.calls('UpdateService').map((c) => (c.input as { taskDefinition: string }).taskDefinition.replace(/^.*\//, ''))).toEqual(['regami-api:41', 'regami-api:43']);
    const last = h.pages().at(-1) ?? '';
    expect(last).toMatch(/automatic rollback refused \(RollbackWindow\)/);
    expect(last).toContain(`aws ecs update-service --cluster ${CLUSTER} --service ${SERVICE} --task-definition regami-api:41 --force-new-deployment`);
    const record = await h.rt.store.loadIncident(second.incidentKey);
    expect(record?.status).toBe('escalated');
    expect(record?.refusals.some((r) => /RollbackWindowUsed/.test(r))).toBe(true);
  });

  it('not rollback-safe: the broken revision ran a migration, so it pages RevisionNotRollbackSafe and never calls UpdateService', async () => {
    const h = await harness(badDeployWorld({ tags: { 'autopilot:rollback-safe': 'false' } }));
    h.clock.advanceBy(5 * 60_000);
    const input = await startFromHandOff(h);
    const { result } = await h.runWorkflow(input);
    expect(result.outcome).toBe('not-rollback-safe');
    expect(h.calls('UpdateService')).toEqual([]);
    expect(h.mutations()).toEqual([]);
    const pages = h.pages();
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatch(/RevisionNotRollbackSafe/);
    expect(pages[0]).toMatch(/autopilot:rollback-safe=false/);
  });

  it('kill switch: the rollback is refused and paged; nothing changes', async () => {
    const h = await harness(badDeployWorld());
    await h.rt.store.setControls({ killSwitch: true, setBy: 'oncall', reason: 'game day' }, h.clock.now());
    h.clock.advanceBy(5 * 60_000);
    const input = await startFromHandOff(h);
    const { result } = await h.runWorkflow(input);
    expect(result.outcome).toBe('refused');
    expect(h.mutations()).toEqual([]);
    expect(h.pages()[0]).toMatch(/KillSwitch/);
  });

  it('the ECS failure and the 5XX hand-off for one deployment join one incident; a redelivered event is ignored', async () => {
    const h = await harness(badDeployWorld());
    h.clock.advanceBy(5 * 60_000);
    const described = await h.rt.aws.in(REGION).ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
    const primaryId = described.services?.[0]?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
    expect(primaryId).toBeDefined();
    const failed = loadSample('ecs-deployment-failed');
    (failed.detail as Record<string, unknown>).deploymentId = primaryId;
    (failed.detail as Record<string, unknown>).updatedAt = new Date(h.clock.now()).toISOString();
    const a = await h.deliver(failed);
    const b = await h.deliver(rollbackRequested());
    expect(a.status).toBe('started-workflow');
    expect(b).toMatchObject({ status: 'joined-workflow', incidentKey: a.incidentKey });

    // EventBridge redelivers one event (same id): the second delivery is a duplicate.
    const intake = buildHandler(() => h.rt);
    const once = { ...rollbackRequested(), id: 'same-id', time: new Date(h.clock.now()).toISOString() };
    expect(await intake(once, {} as never)).toMatchObject({ status: 'joined-workflow' });
    expect(await intake(once, {} as never)).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/duplicate/) });
    expect(h.started).toHaveLength(1);
  });

  it('"rolled back" is not "healthy": when the 5XX alarm stays in ALARM after the rollback, it pages P1 with what it saw', async () => {
    // The errors do not come from 42: they go on whatever runs.
    const world = badDeployWorld();
    const metric = (world.regions?.[REGION]?.cloudwatch?.metrics ?? {})['alb-target-5xx'];
    if (metric) metric.overrides = [{ when: { after: -86400 }, series: 200 }];
    const h = await harness(world);
    h.clock.advanceBy(5 * 60_000);
    const input = await startFromHandOff(h);
    const { result } = await h.runWorkflow(input);
    expect(result.outcome).toBe('unhealthy');
    expect(h.mutations()).toEqual(['ECS.UpdateService']);
    const pages = h.pages();
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatch(/5XX alarm is not OK after 6\d\ds/);
    expect(pages[0]).toMatch(/regami-alb-5xx-high is ALARM/);
    expect((await h.rt.store.loadIncident(input.incidentKey))?.status).toBe('escalated');
  });
});

const SERVICE_LOCK = `service:${CLUSTER}/${SERVICE}`;

describe('rollback deployment: review fixes (S1 claim, S5 stopped midway, S2/S10 service lock)', () => {
  it('S1: the workflow start fails after the event was claimed; Lambda\'s retry of the same event starts the rollback', async () => {
    const h = await harness(badDeployWorld());
    h.clock.advanceBy(5 * 60_000);
    const intake = buildHandler(() => h.rt);
    const once = { ...rollbackRequested(), id: 'retried-id', time: new Date(h.clock.now()).toISOString() };
    h.failNextStart = new Error('Lambda Invoke: ServiceException (503)');
    await expect(intake(once, {} as never)).rejects.toThrow(/ServiceException/);
    expect(h.started).toHaveLength(0);
    // The retry (same event id) runs instead of being dropped as a duplicate.
    expect(await intake(once, {} as never)).toMatchObject({ status: 'started-workflow' });
    expect(h.started).toHaveLength(1);
    // And once it succeeded, a third delivery is a duplicate again.
    expect(await intake(once, {} as never)).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/duplicate/) });
  });

  it('S5: a step out of retries mid-rollout pages P1 "stopped" with what was done and the manual commands, and gives the lock back', async () => {
    // The rollback goes out at +5m; a minute later DescribeServices fails on every attempt.
    const h = await harness(
      mergeWorld(badDeployWorld() as Record<string, unknown>, {
        schedule: [{ at: 360, change: { kind: 'fault', fault: { id: 'ecs-down', kind: 'server-error', service: 'ECS', operation: 'DescribeServices' } } }],
      }) as Partial<WorldSpec>,
    );
    h.clock.advanceBy(5 * 60_000);
    const input = await startFromHandOff(h);
    const { done } = h.startWorkflow(input);
    await expect(done).rejects.toThrow(/workflow FAILED/);

    expect(h.mutations()).toEqual(['ECS.UpdateService']);
    const pages = h.pages();
    expect(pages).toHaveLength(1);
    const stopped = pages[0] ?? '';
    expect(stopped).toMatch(/^ALARM: \[P1\]/);
    expect(stopped).toMatch(/the autopilot stopped/);
    // What was done: the UpdateService that already went out, so nobody rolls back a second time blindly.
    expect(stopped).toMatch(/roll back regami-cluster\/regami-service from regami-api:42 to regami-api:41/);
    // Where it stopped (the rollout monitor) and how to go on by hand.
    expect(stopped).toMatch(/rollback deployment .*IN_PROGRESS/);
    expect(stopped).toMatch(/stopped in step \\"monitor-rollback-\d+\\" \(2\. Monitor rollback progress\)/);
    expect(stopped).toContain(`aws ecs describe-services --cluster ${CLUSTER} --services ${SERVICE}`);
    expect(stopped).toContain(`aws ecs update-service --cluster ${CLUSTER} --service ${SERVICE}`);
    const record = await h.rt.store.loadIncident(input.incidentKey);
    expect(record?.status).toBe('escalated');
    expect(record?.heldLocks ?? []).toEqual([]);
    expect((await h.rt.store.acquireLock(SERVICE_LOCK, 'scale-ecs-episode', h.clock.now(), 60)).acquired).toBe(true);
  });

  it.each([
    ['the default lock TTL', defaultConfig],
    // Shorter than the rollout: held only because each poll renews it (same owner re-acquires).
    ['a 60 s lock TTL, renewed while polling', { ...defaultConfig, guardrails: { ...defaultConfig.guardrails, lockTtlSeconds: 60 } }],
  ])('S2/S10: the service lock is held by this execution through the rollout and its verification, then released (%s)', async (_label: string, config: AutopilotConfig) => {
    const probes: Promise<{ acquired: boolean; owner?: string }>[] = [];
    let rt: Runtime | undefined;
    let clock: SimClock | undefined;
    const h = await harness(badDeployWorld(), config, {
      onCall: (call) => {
        // Verification reads the running tasks (after the rollout COMPLETED): another runbook tries the lock then.
        if (call.operation === 'ListTasks' && (call.input as { desiredStatus?: string }).desiredStatus === 'RUNNING' && rt && clock && probes.length === 0) {
          const store = rt.store;
          probes.push(store.acquireLock(SERVICE_LOCK, 'scale-ecs-episode', clock.now(), 60).then((r) => (r.acquired ? { acquired: true } : { acquired: false, owner: r.heldBy.owner })));
        }
      },
    });
    rt = h.rt;
    clock = h.clock;
    h.clock.advanceBy(5 * 60_000);
    const input = await startFromHandOff(h);
    const { result } = await h.runWorkflow(input);
    expect(result.outcome).toBe('rolled-back');
    expect(probes).toHaveLength(1);
    // Owner = the durable execution name (the intake names the execution after the incident key).
    expect(await probes[0]).toEqual({ acquired: false, owner: input.incidentKey });
    // Given back when the verification ended.
    const record = await h.rt.store.loadIncident(input.incidentKey);
    expect(record?.heldLocks ?? []).toEqual([]);
    expect(record?.timeline.some((e) => e.summary === `released the lock on ${SERVICE_LOCK}`)).toBe(true);
    expect((await h.rt.store.acquireLock(SERVICE_LOCK, 'scale-ecs-episode', h.clock.now(), 60)).acquired).toBe(true);
  });
});

/** A blue/green deployment of 42 through CodeDeploy, in progress when CodeDeploy reports its failure. */
function blueGreenWorld(rollbackOutcome: 'Succeeded' | 'Failed'): Partial<WorldSpec> {
  return {
    regions: {
      [REGION]: {
        ecs: { taskDefinitions: { 'regami-api:42': apiRevision(42, -900) } },
        codedeploy: {
          applications: {
            [defaultConfig.codeDeploy.applicationName]: {
              groups: {
                [defaultConfig.codeDeploy.deploymentGroupName]: {
                  deployments: { 'd-BAD000042': { status: 'InProgress', createdAt: -300, taskDefinition: 'regami-api:42', creator: 'user' } },
                  rollbackOutcome,
                  rollbackSeconds: 120,
                },
              },
            },
          },
        },
      },
    },
  };
}

function codeDeployFailure(): Record<string, unknown> {
  const e = loadSample('codedeploy-failure');
  (e.detail as Record<string, unknown>).deploymentId = 'd-BAD000042';
  return e;
}

describe('rollback deployment (durable, blue/green)', () => {
  it('CodeDeploy failure: stops the deployment with auto-rollback, watches the rollback succeed, verifies the alarm, pages P2', async () => {
    const h = await harness(blueGreenWorld('Succeeded'));
    const out = await h.deliver(codeDeployFailure());
    expect(out.status).toBe('started-workflow');
    const input = h.started[0] as RollbackInput;
    const { result } = await h.runWorkflow(input);
    expect(result.outcome).toBe('rolled-back');
    expect(h.mutations()).toEqual(['CodeDeploy.StopDeployment']);
    expect(h.calls('StopDeployment')[0]?.input).toEqual({ deploymentId: 'd-BAD000042', autoRollbackEnabled: true });
    expect(h.calls('ModifyListener')).toEqual([]);
    const pages = h.pages();
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatch(/CodeDeploy rolled back; 5XX alarm OK/);
    expect(pages[0]).toMatch(/ended Succeeded/);
  });

  it('CodeDeploy rollback fails: asks for approval (P1 with the commands), then switches the ALB listener to blue and verifies', async () => {
    const h = await harness(blueGreenWorld('Failed'));
    await h.deliver(codeDeployFailure());
    const { runner, done } = h.startWorkflow(h.started[0] as RollbackInput);
    const gate = runner.getOperation('approve-listener-switch');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    // Nothing switched before a human says so.
    expect(h.calls('ModifyListener')).toEqual([]);
    const ask = h.pages().at(-1) ?? '';
    expect(ask).toMatch(/approve the emergency ALB switch/);
    expect(ask).toContain('autopilot approve');
    expect(ask).toContain('autopilot reject');
    // C2: the simulated service reports no task sets, so the original cannot be determined: the
    // page says it is the configured group, and that group's health was read before asking.
    expect(ask).toMatch(/configured blue target group regami-blue-tg \(original task set NOT determined\)/);
    expect(ask).toMatch(/regami-blue-tg: 2\/2 targets healthy/);
    expect(h.calls('DescribeTargetHealth').map((c) => c.input)).toEqual([{ TargetGroupArn: defaultConfig.service.blueTargetGroupArn }]);
    await gate.sendCallbackSuccess(JSON.stringify({ outcome: 'APPROVED', by: 'alice' }));
    const result = await done;
    expect(result.outcome).toBe('switched-listener');
    expect(h.mutations()).toEqual(['CodeDeploy.StopDeployment', 'ElasticLoadBalancingV2.ModifyListener']);
    expect(h.calls('ModifyListener')[0]?.input).toEqual({
      ListenerArn: defaultConfig.service.listenerArn,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: defaultConfig.service.blueTargetGroupArn }],
    });
    // The P1 approval request is resolved on its own topic once healthy; the P2 tells what happened.
    const subjects = h.pages().map((p) => p.split('\n')[0]);
    expect(subjects.map((s) => s?.slice(0, 9))).toEqual(['ALARM: [P', 'OK: [P1] ', 'ALARM: [P']);
    expect(subjects[0]).toMatch(/^ALARM: \[P1\].*approve the emergency ALB switch/);
    expect(subjects[2]).toMatch(/^ALARM: \[P2\].*traffic switched to the blue target group; 5XX alarm OK/);
  });

  it('C2: the switch target has no healthy target: no approval is asked, the listener is never touched, P1 with the evidence', async () => {
    const h = await harness(
      mergeWorld(blueGreenWorld('Failed') as Record<string, unknown>, {
        regions: {
          [REGION]: {
            elbv2: {
              targetGroups: {
                [defaultConfig.service.blueTargetGroupArn]: {
                  targets: [
                    { id: '10.0.1.21', port: 8080, state: 'unhealthy', reason: 'Target.FailedHealthChecks' },
                    { id: '10.0.2.22', port: 8080, state: 'unhealthy', reason: 'Target.FailedHealthChecks' },
                  ],
                },
              },
            },
          },
        },
      }) as Partial<WorldSpec>,
    );
    await h.deliver(codeDeployFailure());
    const input = h.started[0] as RollbackInput;
    const { result } = await h.runWorkflow(input);
    expect(result.outcome).toBe('refused');
    expect(h.calls('ModifyListener')).toEqual([]);
    expect(h.mutations()).toEqual(['CodeDeploy.StopDeployment']);
    const pages = h.pages();
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatch(/^ALARM: \[P1\]/);
    expect(pages[0]).toMatch(/emergency ALB switch is not offered \(SwitchTargetUnhealthy\)/);
    expect(pages[0]).not.toContain('autopilot approve');
    expect(pages[0]).toMatch(/10\.0\.1\.21:8080 unhealthy \(Target\.FailedHealthChecks\)/);
    const record = await h.rt.store.loadIncident(input.incidentKey);
    expect(record?.status).toBe('escalated');
    expect(record?.refusals.some((r) => /SwitchTargetUnhealthy/.test(r))).toBe(true);
  });

  it('approval REJECTED: pages that nothing was switched, never touches the listener', async () => {
    // (EXPIRED is the same branch; the local runner does not skip callback timeouts, so it is
    // covered in domain/rollback/workflow.test.ts.)
    const h = await harness(blueGreenWorld('Failed'));
    await h.deliver(codeDeployFailure());
    const { runner, done } = h.startWorkflow(h.started[0] as RollbackInput);
    const gate = runner.getOperation('approve-listener-switch');
    await gate.waitForData(WaitingOperationStatus.SUBMITTED);
    await gate.sendCallbackFailure({ ErrorMessage: 'rejected by bob: blue is running the old schema' });
    const result = await done;
    expect(result).toMatchObject({ outcome: 'approval-denied', detail: 'REJECTED' });
    expect(h.calls('ModifyListener')).toEqual([]);
    expect(h.mutations()).toEqual(['CodeDeploy.StopDeployment']);
    expect(h.pages().at(-1)).toMatch(/ALB switch REJECTED - nothing switched/);
    const record = await h.rt.store.loadIncident((h.started[0] as RollbackInput).incidentKey);
    expect(record?.status).toBe('escalated');
  });
});

describe('AWS mapping (adapters/aws/rollback)', () => {
  it('C2: reads ECS task sets (CodeDeploy externalId, target groups) from DescribeServices', () => {
    const state = toServiceState(
      {
        serviceName: SERVICE,
        deploymentController: { type: 'CODE_DEPLOY' },
        taskSets: [
          {
            id: 'ecs-svc/111',
            status: 'PRIMARY',
            externalId: 'd-BASE00041',
            taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:41',
            runningCount: 2,
            createdAt: new Date('2026-01-12T03:00:00Z'),
            loadBalancers: [{ targetGroupArn: defaultConfig.service.greenTargetGroupArn, containerName: 'app', containerPort: 8080 }],
          },
          { id: 'ecs-svc/222', status: 'ACTIVE', externalId: 'd-BAD000042', taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:42', loadBalancers: [] },
        ],
      },
      CLUSTER,
      SERVICE,
    );
    expect(state.taskSets).toEqual([
      { id: 'ecs-svc/111', status: 'PRIMARY', externalId: 'd-BASE00041', taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:41', targetGroupArns: [defaultConfig.service.greenTargetGroupArn], runningCount: 2, createdAt: Date.parse('2026-01-12T03:00:00Z') },
      { id: 'ecs-svc/222', status: 'ACTIVE', externalId: 'd-BAD000042', taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:42', targetGroupArns: [], runningCount: 0 },
    ]);
    expect(toServiceState({ serviceName: SERVICE }, CLUSTER, SERVICE).taskSets).toBeUndefined();
  });
});
