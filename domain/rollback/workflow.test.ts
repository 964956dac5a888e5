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
    incident: { conclude: () => undefined, refused: () => undefined, mitigationStarted: () => undefined },
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
