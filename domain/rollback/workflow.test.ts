/**
 * The workflow against in-memory ports: the branches the durable tests cannot reach
 * cheaply (a callback that times out, ECS already rolling back, no known-good revision,
 * dry-run). Every port records what was asked of it.
 */
import { defaultConfig } from '../config';
import type { ApprovalOutcome, Act, ActOutcome, Workflow } from '../ports';
import type { Page } from '../paging';
import type { RollbackInput } from './decide';
import type { CodeDeployDeploymentState, RollbackOperations, ServiceState } from './operations';
import type { RevisionHistory } from './revisions';
import { runRollbackDeployment, type RollbackDeps } from './workflow';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const arn = (rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:${rev}`;
const revision = (rev: number) => ({ arn: arn(rev), family: 'regami-api', revision: rev, status: 'ACTIVE' as const, tags: {}, environment: {} });

interface Fake {
  deps: RollbackDeps;
  pages: Page[];
  acted: string[];
  mutations: string[];
}

function fake(ops: Partial<RollbackOperations>, opts: { approval?: ApprovalOutcome; act?: 'execute' | 'dry-run' } = {}): Fake {
  let now = T0;
  const pages: Page[] = [];
  const acted: string[] = [];
  const mutations: string[] = [];
  const workflow: Workflow = {
    step: (_name, fn) => fn(),
    wait: async (_name, seconds) => {
      now += seconds * 1000;
    },
    waitForApproval: async (_name, timeoutSeconds, submit) => {
      await submit('cb-1');
      if (!opts.approval || opts.approval.outcome === 'EXPIRED') now += timeoutSeconds * 1000;
      return opts.approval ?? { outcome: 'EXPIRED' };
    },
  };
  const act: Act = async <T>(request: Parameters<Act>[0], mutate: () => Promise<T>): Promise<ActOutcome<T>> => {
    acted.push(request.action);
    if (opts.act === 'dry-run') return { status: 'dry-run' };
    return { status: 'executed', result: await mutate() };
  };
  const unexpected = (name: string) => async () => {
    throw new Error(`unexpected call: ${name}`);
  };
  const all: RollbackOperations = {
    describeService: unexpected('describeService'),
    readHistory: unexpected('readHistory'),
    describeTaskDefinition: unexpected('describeTaskDefinition'),
    rollServiceTo: async (td) => {
      mutations.push(`rollServiceTo ${td}`);
      return { deploymentId: 'ecs-svc/new', reused: false };
    },
    runningTasks: unexpected('runningTasks'),
    readAlarms: async () => [{ name: 'regami-alb-5xx-high', state: 'OK' }],
    activeCodeDeployDeployments: unexpected('activeCodeDeployDeployments'),
    getCodeDeployDeployment: unexpected('getCodeDeployDeployment'),
    stopCodeDeployWithRollback: async (id) => {
      mutations.push(`stop ${id}`);
      return { id, status: 'Stopped' };
    },
    listenerTargets: async () => [defaultConfig.service.targetGroupArn],
    targetHealth: async (tg) => ({ targetGroupArn: tg, healthy: 2, total: 2, targets: ['10.0.1.21:8080 healthy', '10.0.2.22:8080 healthy'] }),
    switchListenerTo: async (tg) => {
      mutations.push(`switch ${tg}`);
      return [tg];
    },
    ...ops,
  };
  const deps: RollbackDeps = {
    config: defaultConfig,
    workflow,
    ops: all,
    act,
    pager: { send: async (p) => void pages.push(p) },
    clock: { now: () => now },
    recorder: { record: () => undefined },
    incident: {
      set: () => undefined,
      setIfUnset: () => undefined,
      addRefusal: () => undefined,
      current: () => {
        throw new Error('the rollback workflow does not read the record back');
      },
    },
    renewLocks: async () => undefined,
    markOwnChange: async () => undefined,
    recentActions: async () => [],
    approvalCommands: (id) => ({ approve: `approve ${id}`, reject: `reject ${id}` }),
  };
  return { deps, pages, acted, mutations };
}

const serviceWith = (deployments: ServiceState['deployments']): ServiceState => ({
  clusterName: 'regami-cluster',
  serviceName: 'regami-service',
  deploymentController: 'ECS',
  taskDefinitionArn: deployments[0]?.taskDefinitionArn ?? '',
  desiredCount: 2,
  runningCount: 2,
  deployments,
  recentEvents: [],
});

const ecsInput: RollbackInput = { incidentKey: 'k', eventId: 'e', detectedAt: T0, trigger: { kind: 'ecs-deployment-failed', deploymentId: 'ecs-svc/42', reason: 'circuit breaker' } };
const codeDeployInput: RollbackInput = { incidentKey: 'k', eventId: 'e', detectedAt: T0, trigger: { kind: 'codedeploy-failure', deploymentId: 'd-BAD' } };

const history = (revisions = [revision(42), revision(41)]): RevisionHistory => ({
  currentDeploymentId: 'ecs-svc/42',
  currentTaskDefinitionArn: arn(42),
  deployments: [
    { id: 'ecs-svc/42', taskDefinitionArn: arn(42), createdAt: T0 - 600_000, outcome: 'failed' },
    { id: 'ecs-svc/41', taskDefinitionArn: arn(41), createdAt: T0 - 86_400_000, outcome: 'completed', completedAt: T0 - 86_000_000 },
  ],
  revisions,
});

describe('runRollbackDeployment (in-memory ports)', () => {
  it('blue/green: CodeDeploy started no rollback, approval EXPIRED - pages again and never switches the listener', async () => {
    const f = fake(
      {
        describeService: async () => serviceWith([]),
        activeCodeDeployDeployments: async () => [],
        getCodeDeployDeployment: async (id): Promise<CodeDeployDeploymentState> => ({ id, status: 'Failed' }),
      },
      { approval: { outcome: 'EXPIRED' } },
    );
    const result = await runRollbackDeployment(f.deps, codeDeployInput);
    expect(result).toMatchObject({ outcome: 'approval-denied', detail: 'EXPIRED' });
    expect(f.mutations).toEqual([]);
    expect(f.pages.map((p) => p.severity)).toEqual(['P1', 'P1']);
    expect(f.pages[0]?.approval).toMatchObject({ callbackId: 'cb-1', approveCommand: 'approve cb-1', rejectCommand: 'reject cb-1' });
    expect(f.pages[1]?.title).toMatch(/EXPIRED/);
    expect(f.pages[1]?.nextStep).toContain('aws elbv2 modify-listener');
  });

  it('ECS already rolling back (circuit breaker): watches that deployment, starts no second one', async () => {
    const cb = { id: 'ecs-svc/cb', taskDefinitionArn: arn(41), status: 'PRIMARY', rolloutState: 'COMPLETED', createdAt: T0 - 60_000, runningCount: 2, desiredCount: 2 };
    const failed = { id: 'ecs-svc/42', taskDefinitionArn: arn(42), status: 'ACTIVE', rolloutState: 'FAILED', createdAt: T0 - 600_000, runningCount: 0, desiredCount: 0 };
    const f = fake({
      describeService: async () => serviceWith([cb, failed]),
      readHistory: async () => history(),
      runningTasks: async () => [
        { taskArn: 't1', taskDefinitionArn: arn(41), lastStatus: 'RUNNING' },
        { taskArn: 't2', taskDefinitionArn: arn(41), lastStatus: 'RUNNING' },
      ],
    });
    const result = await runRollbackDeployment(f.deps, ecsInput);
    expect(result.outcome).toBe('rolled-back');
    expect(f.acted).toEqual([]);
    expect(f.mutations).toEqual([]);
    expect(f.pages[0]?.done[0]).toMatch(/no second UpdateService/);
  });

  it('no known-good revision: pages P1 with every skipped revision as evidence and the manual commands', async () => {
    const f = fake({
      describeService: async () => serviceWith([]),
      readHistory: async () => ({ ...history(), revisions: [revision(42), { ...revision(41), status: 'INACTIVE' as const }] }),
    });
    const result = await runRollbackDeployment(f.deps, ecsInput);
    expect(result.outcome).toBe('no-known-good');
    expect(f.acted).toEqual([]);
    const page = f.pages[0];
    expect(page?.severity).toBe('P1');
    expect(page?.diagnosis).toEqual(expect.arrayContaining(['regami-api:41 skipped (inactive): regami-api:41 is INACTIVE']));
    expect(page?.refused[0]?.guardrail).toBe('KnownGoodRevision');
    expect(page?.nextStep).toContain('aws ecs list-task-definitions --family-prefix regami-api --sort DESC');
  });

  it('dry-run: says what it would do and pages P1, changes nothing', async () => {
    const f = fake({ describeService: async () => serviceWith([]), readHistory: async () => history() }, { act: 'dry-run' });
    const result = await runRollbackDeployment(f.deps, ecsInput);
    expect(result.outcome).toBe('dry-run');
    expect(f.mutations).toEqual([]);
    expect(f.pages[0]?.title).toMatch(/DRY-RUN - would roll back regami-api:42 to regami-api:41/);
    expect(f.pages[0]?.nextStep).toContain('--task-definition regami-api:41 --force-new-deployment');
  });
});

describe('emergency ALB switch target (C2)', () => {
  const BLUE = defaultConfig.service.blueTargetGroupArn;
  const GREEN = defaultConfig.service.greenTargetGroupArn;
  // The previous successful deployment left the ORIGINAL task set (41) behind GREEN; the failed
  // d-BAD replacement (42) sits behind the configured "blue" group and receives the traffic.
  const alternated: ServiceState = {
    ...serviceWith([]),
    deploymentController: 'CODE_DEPLOY',
    taskSets: [
      { id: 'ecs-svc/original', status: 'ACTIVE', externalId: 'd-BASE00041', taskDefinitionArn: arn(41), targetGroupArns: [GREEN], runningCount: 2 },
      { id: 'ecs-svc/replacement', status: 'PRIMARY', externalId: 'd-BAD', taskDefinitionArn: arn(42), targetGroupArns: [BLUE], runningCount: 2 },
    ],
  };
  const failedRollback = {
    describeService: async () => alternated,
    activeCodeDeployDeployments: async () => [],
    getCodeDeployDeployment: async (id: string): Promise<CodeDeployDeploymentState> => ({ id, status: 'Failed' }),
    listenerTargets: async () => [BLUE],
    // Schema safety reads the replacement revision (42) before any mutation: unmarked here.
    describeTaskDefinition: async (a: string) => revision(Number(a.split(':').pop())),
  };

  it('asks to switch to the ORIGINAL task set\'s group (green here), names it and its revision, and switches there once approved', async () => {
    const asked: string[] = [];
    const f = fake({ ...failedRollback, targetHealth: async (tg) => (asked.push(tg), { targetGroupArn: tg, healthy: 2, total: 2, targets: [] }) }, { approval: { outcome: 'APPROVED', by: 'alice' } });
    const result = await runRollbackDeployment(f.deps, codeDeployInput);
    expect(result.outcome).toBe('switched-listener');
    expect(asked).toEqual([GREEN]);
    expect(f.mutations).toEqual([`switch ${GREEN}`]);
    const ask = f.pages[0];
    expect(ask?.title).toMatch(/approve the emergency ALB switch to regami-green-tg \(original task set, regami-api:41\)/);
    expect(ask?.diagnosis).toEqual(expect.arrayContaining(['switch target: the original task set ecs-svc/original (regami-api:41) behind regami-green-tg', 'regami-green-tg: 2/2 targets healthy']));
    expect(ask?.nextStep).toContain(`TargetGroupArn=${GREEN}`);
    expect(f.pages.at(-1)?.title).toMatch(/traffic switched to the original task set's target group regami-green-tg; 5XX alarm OK/);
  });

  it('a replacement revision marked not rollback-safe: no StopDeployment, no switch, P1 (the ECS rule on the blue/green path)', async () => {
    const f = fake(
      { ...failedRollback, describeTaskDefinition: async (a: string) => ({ ...revision(Number(a.split(':').pop())), tags: { 'autopilot:rollback-safe': 'false' } }) },
      { approval: { outcome: 'APPROVED' } },
    );
    const result = await runRollbackDeployment(f.deps, codeDeployInput);
    expect(result.outcome).toBe('not-rollback-safe');
    expect(f.mutations).toEqual([]);
    expect(f.pages[0]).toMatchObject({ severity: 'P1', refused: [{ guardrail: 'RevisionNotRollbackSafe' }] });
  });

  it('the original group has no healthy target: no approval is asked, nothing switched, P1 with the target health as evidence', async () => {
    const f = fake(
      { ...failedRollback, targetHealth: async (tg) => ({ targetGroupArn: tg, healthy: 0, total: 2, targets: ['10.0.3.7:8080 unhealthy (Target.FailedHealthChecks)', '10.0.4.8:8080 draining'] }) },
      { approval: { outcome: 'APPROVED' } },
    );
    const result = await runRollbackDeployment(f.deps, codeDeployInput);
    expect(result.outcome).toBe('refused');
    expect(result.detail).toMatch(/^SwitchTargetUnhealthy: regami-green-tg/);
    expect(f.mutations).toEqual([]);
    expect(f.acted).toEqual([]);
    expect(f.pages).toHaveLength(1);
    const page = f.pages[0];
    expect(page?.severity).toBe('P1');
    expect(page?.approval).toBeUndefined();
    expect(page?.title).toMatch(/emergency ALB switch is not offered \(SwitchTargetUnhealthy\)/);
    expect(page?.refused).toEqual([expect.objectContaining({ action: 'listener-switch', guardrail: 'SwitchTargetHealthy' })]);
    expect(page?.diagnosis).toEqual(expect.arrayContaining(['regami-green-tg: 0/2 targets healthy (10.0.3.7:8080 unhealthy (Target.FailedHealthChecks); 10.0.4.8:8080 draining)']));
    expect(page?.nextStep).toContain(`aws elbv2 describe-target-health --target-group-arn ${GREEN}`);
  });

  it('no task sets: falls back to the configured blue group and the approval page says the original was NOT determined', async () => {
    const f = fake({ ...failedRollback, describeService: async () => ({ ...alternated, taskSets: [] }), listenerTargets: async () => [GREEN] }, { approval: { outcome: 'APPROVED' } });
    const result = await runRollbackDeployment(f.deps, codeDeployInput);
    expect(result.outcome).toBe('switched-listener');
    expect(f.mutations).toEqual([`switch ${BLUE}`]);
    expect(f.pages[0]?.title).toMatch(/configured blue target group regami-blue-tg \(original task set NOT determined\)/);
    expect(f.pages[0]?.diagnosis.join('\n')).toMatch(/fallback: ECS reports no task sets/);
  });
});

describe('loop guard inside the mutation (S11)', () => {
  it('marks the rollback deployment as our own right after UpdateService returns its id, inside the act', async () => {
    const order: string[] = [];
    const f = fake({
      readHistory: async () => history(),
      rollServiceTo: async () => (order.push('UpdateService'), { deploymentId: 'ecs-svc/new', reused: false }),
      runningTasks: async () => [
        { taskArn: 't1', taskDefinitionArn: arn(41), lastStatus: 'RUNNING' },
        { taskArn: 't2', taskDefinitionArn: arn(41), lastStatus: 'RUNNING' },
      ],
    });
    const act = f.deps.act;
    f.deps.act = async (request, mutate) => {
      const outcome = await act(request, mutate);
      order.push(`act returned ${request.action}`);
      return outcome;
    };
    f.deps.markOwnChange = async (ref) => void order.push(`mark ${ref}`);
    // Before the rollback: nothing rolling back yet; after it: the new deployment COMPLETED.
    f.deps.ops.describeService = async () =>
      order.includes('UpdateService')
        ? serviceWith([{ id: 'ecs-svc/new', taskDefinitionArn: arn(41), status: 'PRIMARY', rolloutState: 'COMPLETED', createdAt: T0, runningCount: 2, desiredCount: 2 }])
        : serviceWith([]);
    const result = await runRollbackDeployment(f.deps, ecsInput);
    expect(result.outcome).toBe('rolled-back');
    expect(order).toEqual(['UpdateService', 'mark ecs-svc/new', 'act returned rollback']);
  });

  it('a failing mark fails the mutation (so the step retries and re-marks) instead of leaving an unmarked deployment', async () => {
    const f = fake({ describeService: async () => serviceWith([]), readHistory: async () => history() });
    f.deps.markOwnChange = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    await expect(runRollbackDeployment(f.deps, ecsInput)).rejects.toThrow(/ProvisionedThroughputExceeded/);
    expect(f.mutations).toEqual([`rollServiceTo ${arn(41)}`]);
  });
});
