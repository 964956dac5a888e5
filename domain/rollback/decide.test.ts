import type { ActionRecord } from '../guardrails';
import {
  alarmsHealthy,
  decideBlueGreen,
  decideEcsRollback,
  rollbackWindowVerdict,
  tasksOnRevision,
  usesBlueGreen,
} from './decide';
import type { ServiceState } from './operations';
import type { RevisionHistory, TaskDefinitionRevision } from './revisions';

const NOW = Date.UTC(2026, 0, 15, 3, 0, 0);
const SCOPE = 'service:regami-cluster/regami-service';
const arn = (rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:${rev}`;
const revision = (rev: number, over: Partial<TaskDefinitionRevision> = {}): TaskDefinitionRevision => ({
  arn: arn(rev),
  family: 'regami-api',
  revision: rev,
  status: 'ACTIVE',
  tags: {},
  environment: {},
  ...over,
});

function service(deployments: ServiceState['deployments'], controller = 'ECS'): ServiceState {
  return { clusterName: 'regami-cluster', serviceName: 'regami-service', deploymentController: controller, taskDefinitionArn: deployments[0]?.taskDefinitionArn ?? '', desiredCount: 2, runningCount: 2, deployments, recentEvents: [] };
}

const broken42 = { id: 'ecs-svc/42', taskDefinitionArn: arn(42), status: 'PRIMARY', rolloutState: 'FAILED', createdAt: NOW - 600_000, runningCount: 0, desiredCount: 2 };
const good41 = { id: 'ecs-svc/41', taskDefinitionArn: arn(41), status: 'ACTIVE', rolloutState: 'COMPLETED', createdAt: NOW - 3 * 86_400_000, runningCount: 2, desiredCount: 2 };

function historyOf(revisions: TaskDefinitionRevision[]): RevisionHistory {
  return {
    currentDeploymentId: 'ecs-svc/42',
    currentTaskDefinitionArn: arn(42),
    deployments: [
      { id: 'ecs-svc/42', taskDefinitionArn: arn(42), createdAt: NOW - 600_000, outcome: 'failed' },
      { id: 'ecs-svc/41', taskDefinitionArn: arn(41), createdAt: NOW - 3 * 86_400_000, outcome: 'completed', completedAt: NOW - 3 * 86_400_000 + 300_000 },
    ],
    revisions,
  };
}

describe('rollbackWindowVerdict', () => {
  const rollback = (minutesAgo: number, incidentKey = 'rollback-deployment-regami-service-ecs-svc-41'): ActionRecord => ({ scope: SCOPE, action: 'rollback', at: NOW - minutesAgo * 60_000, incidentKey });

  it('passes when the service was not rolled back in the window', () => {
    expect(rollbackWindowVerdict([rollback(61)], SCOPE, 'this', NOW, 3600).pass).toBe(true);
  });

  it('refuses a second automatic rollback inside the window, naming the first', () => {
    const v = rollbackWindowVerdict([rollback(20)], SCOPE, 'this', NOW, 3600);
    expect(v).toMatchObject({ guardrail: 'RollbackWindow', pass: false });
    expect(v.reason).toContain('1200s ago');
    expect(v.reason).toContain('rollback-deployment-regami-service-ecs-svc-41');
  });

  it('does not count other actions on the service (a scale-out is not a rollback)', () => {
    const scale: ActionRecord = { scope: SCOPE, action: 'scale-out', at: NOW - 60_000, incidentKey: 'scale' };
    expect(rollbackWindowVerdict([scale], SCOPE, 'this', NOW, 3600).pass).toBe(true);
  });

  it("does not count this incident's own rollback (a retried step is not a second rollback)", () => {
    expect(rollbackWindowVerdict([rollback(1, 'this')], SCOPE, 'this', NOW, 3600).pass).toBe(true);
  });
});

describe('decideEcsRollback', () => {
  it('rolls back to the known-good revision when it is safe', () => {
    const plan = decideEcsRollback(service([broken42, good41]), historyOf([revision(42), revision(41)]), 600, NOW);
    expect(plan.kind).toBe('roll-back');
    expect(plan.kind === 'roll-back' && plan.target.arn).toBe(arn(41));
    expect(plan.kind === 'roll-back' && plan.notBefore).toBe(broken42.createdAt);
  });

  it('pages with RevisionNotRollbackSafe when the broken revision ran a migration', () => {
    const plan = decideEcsRollback(service([broken42, good41]), historyOf([revision(42, { tags: { 'autopilot:rollback-safe': 'false' } }), revision(41)]), 600, NOW);
    expect(plan.kind).toBe('page');
    expect(plan.kind === 'page' && plan.refusal.guardrail).toBe('RevisionNotRollbackSafe');
    expect(plan.kind === 'page' && plan.refusal.reason).toContain('regami-api:42 (tag autopilot:rollback-safe=false)');
  });

  it('pages with RevisionNotRollbackSafe when the broken revision cannot be described (marker unknown)', () => {
    const plan = decideEcsRollback(service([broken42, good41]), historyOf([revision(41)]), 600, NOW);
    expect(plan.kind === 'page' && plan.refusal.guardrail).toBe('RevisionNotRollbackSafe');
  });

  it('pages with NoKnownGoodRevision when nothing qualifies', () => {
    const plan = decideEcsRollback(service([broken42, good41]), historyOf([revision(42), revision(41, { status: 'INACTIVE' })]), 600, NOW);
    expect(plan.kind === 'page' && plan.refusal.reason).toMatch(/^NoKnownGoodRevision/);
  });

  it('watches the rollback ECS already started (circuit breaker) instead of starting a second one', () => {
    const cbRollback = { id: 'ecs-svc/43', taskDefinitionArn: arn(41), status: 'PRIMARY', rolloutState: 'IN_PROGRESS', createdAt: NOW - 60_000, runningCount: 1, desiredCount: 2 };
    const failed = { ...broken42, status: 'ACTIVE' };
    const plan = decideEcsRollback(service([cbRollback, failed, good41]), historyOf([revision(42), revision(41)]), 600, NOW);
    expect(plan).toMatchObject({ kind: 'watch-existing', deploymentId: 'ecs-svc/43' });
  });
});

describe('decideBlueGreen', () => {
  it('stops an in-progress deployment with auto-rollback', () => {
    expect(decideBlueGreen([{ id: 'd-A', status: 'InProgress', creator: 'user' }], undefined)).toMatchObject({ kind: 'stop', deploymentId: 'd-A' });
  });

  it('watches a rollback CodeDeploy already runs, stopping nothing', () => {
    expect(decideBlueGreen([{ id: 'd-RB', status: 'InProgress', creator: 'codeDeployRollback' }], { id: 'd-A', status: 'Failed' })).toMatchObject({
      kind: 'watch-rollback',
      rollbackDeploymentId: 'd-RB',
    });
    expect(decideBlueGreen([], { id: 'd-A', status: 'Failed', rollbackDeploymentId: 'd-RB' })).toMatchObject({ kind: 'watch-rollback', rollbackDeploymentId: 'd-RB' });
  });

  it('reports that no rollback happened when the failed deployment has none and nothing runs', () => {
    expect(decideBlueGreen([], { id: 'd-A', status: 'Failed' }).kind).toBe('no-rollback');
  });

  it('uses blue/green for CodeDeploy triggers and CODE_DEPLOY services', () => {
    expect(usesBlueGreen({ kind: 'codedeploy-failure', deploymentId: 'd-A' }, service([good41]))).toBe(true);
    expect(usesBlueGreen({ kind: 'rollback-requested', reason: 'r', requestedBy: 'op', evidence: [] }, service([good41], 'CODE_DEPLOY'))).toBe(true);
    expect(usesBlueGreen({ kind: 'ecs-deployment-failed', deploymentId: 'x', reason: 'r' }, service([good41]))).toBe(false);
  });
});

describe('verification', () => {
  it('healthy only when every watched alarm is OK, and never with no alarm at all', () => {
    expect(alarmsHealthy([{ state: 'OK' }, { state: 'OK' }])).toBe(true);
    expect(alarmsHealthy([{ state: 'OK' }, { state: 'ALARM' }])).toBe(false);
    expect(alarmsHealthy([{ state: 'INSUFFICIENT_DATA' }])).toBe(false);
    expect(alarmsHealthy([])).toBe(false);
  });

  it('rolled back only when every running task uses the target and the desired count runs', () => {
    const t = (rev: number) => ({ taskDefinitionArn: arn(rev) });
    expect(tasksOnRevision([t(41), t(41)], 'regami-api:41', 2)).toEqual({ ok: true, onTarget: 2, other: [] });
    expect(tasksOnRevision([t(41), t(42)], arn(41), 2)).toEqual({ ok: false, onTarget: 1, other: ['regami-api:42'] });
    expect(tasksOnRevision([t(41)], arn(41), 2).ok).toBe(false);
  });
});

describe('liveStateAgreesVerdict: never act on a claim (issue 13 item 6)', () => {
  const { liveStateAgreesVerdict } = jest.requireActual('./decide') as typeof import('./decide');
  const dep = (over: Record<string, unknown> = {}) => ({ id: 'ecs-svc/1', taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:42', status: 'PRIMARY', rolloutState: 'COMPLETED', createdAt: 1000, runningCount: 2, desiredCount: 2, ...over });
  const service = (d: ReturnType<typeof dep>) => ({ clusterName: 'c', serviceName: 's', deploymentController: 'ECS', taskDefinitionArn: d.taskDefinitionArn, desiredCount: 2, runningCount: 2, deployments: [d], recentEvents: [] });
  const requested = { kind: 'rollback-requested' as const, reason: 'text', requestedBy: 'someone', evidence: ['words'], deploymentId: 'ecs-svc/1' };

  it('a FAILED deployment agrees', () => {
    expect(liveStateAgreesVerdict({ trigger: { kind: 'ecs-deployment-failed', deploymentId: 'ecs-svc/1', reason: 'x' }, service: service(dep({ rolloutState: 'FAILED' })), history: undefined, alarms: [] }).pass).toBe(true);
  });
  it('a 5XX alarm in ALARM since after the deployment started agrees; one from before does not', () => {
    expect(liveStateAgreesVerdict({ trigger: requested, service: service(dep()), history: undefined, alarms: [{ name: 'a', state: 'ALARM', updatedAt: 2000 }] }).pass).toBe(true);
    expect(liveStateAgreesVerdict({ trigger: requested, service: service(dep()), history: undefined, alarms: [{ name: 'a', state: 'ALARM', updatedAt: 500 }] }).pass).toBe(false);
  });
  it('a completed deployment with a quiet alarm refuses, naming the claim', () => {
    const v = liveStateAgreesVerdict({ trigger: requested, service: service(dep()), history: undefined, alarms: [{ name: 'a', state: 'OK', updatedAt: 2000 }] });
    expect(v).toMatchObject({ guardrail: 'LiveStateAgrees', pass: false });
    expect(v.reason).toMatch(/^ClaimNotConfirmed: Rollback Requested by someone/);
  });
});
