import {
  chooseKnownGoodRevision,
  deploymentsFromStoppedTasks,
  familyRevision,
  rollbackSafety,
  stableSeconds,
  type DeploymentRecord,
  type RevisionHistory,
  type TaskDefinitionRevision,
} from './revisions';

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 15, 3, 0, 0);
const STABLE_FOR = 600;

const arn = (rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:${rev}`;

function revision(rev: number, over: Partial<TaskDefinitionRevision> = {}): TaskDefinitionRevision {
  return { arn: arn(rev), family: 'regami-api', revision: rev, status: 'ACTIVE', tags: {}, environment: {}, registeredAt: NOW - (100 - rev) * 60 * MIN, ...over };
}

/** A deployment of `rev` created `minutesAgo`, completed `settleMinutes` later (undefined = not completed). */
function deployment(id: string, rev: number, minutesAgo: number, outcome: DeploymentRecord['outcome'] = 'completed', settleMinutes = 5): DeploymentRecord {
  const createdAt = NOW - minutesAgo * MIN;
  return { id, taskDefinitionArn: arn(rev), createdAt, outcome, ...(outcome === 'completed' ? { completedAt: createdAt + settleMinutes * MIN } : {}) };
}

function history(current: DeploymentRecord, others: DeploymentRecord[], revisions: TaskDefinitionRevision[]): RevisionHistory {
  return { currentDeploymentId: current.id, currentTaskDefinitionArn: current.taskDefinitionArn, deployments: [current, ...others], revisions };
}

describe('chooseKnownGoodRevision', () => {
  it('chooses the revision the service ran stably before the current deployment', () => {
    const current = deployment('d42', 42, 10, 'failed');
    const h = history(current, [deployment('d41', 41, 3 * 24 * 60)], [revision(42), revision(41), revision(40)]);
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind).toBe('found');
    if (choice.kind !== 'found') return;
    expect(familyRevision(choice.revision.arn)).toBe('regami-api:41');
    expect(choice.stableDeployment.id).toBe('d41');
    expect(choice.skipped.map((s) => [familyRevision(s.taskDefinitionArn), s.reason])).toEqual([['regami-api:42', 'current']]);
  });

  it('is not "current minus one": skips a revision that was registered but never deployed', () => {
    // 41 was registered and abandoned; 40 is what actually ran before 42.
    const current = deployment('d42', 42, 10, 'in-progress');
    const h = history(current, [deployment('d40', 40, 2 * 24 * 60)], [revision(42), revision(41), revision(40)]);
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind === 'found' && familyRevision(choice.revision.arn)).toBe('regami-api:40');
  });

  it('skips a revision whose own deployment failed, even if it also ran for a while once', () => {
    const current = deployment('d43', 43, 10, 'failed');
    const h = history(
      current,
      [deployment('d42', 42, 60, 'failed'), deployment('d42-old', 42, 3000), deployment('d41', 41, 5000)],
      [revision(43), revision(42), revision(41)],
    );
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind === 'found' && familyRevision(choice.revision.arn)).toBe('regami-api:41');
    expect(choice.skipped).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'failed', taskDefinitionArn: arn(42) })]));
  });

  it('skips a revision that was rolled back', () => {
    const current = deployment('d43', 43, 10, 'in-progress');
    const h = history(current, [deployment('d42', 42, 60, 'rolled-back'), deployment('d41', 41, 5000)], [revision(43), revision(42), revision(41)]);
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind === 'found' && familyRevision(choice.revision.arn)).toBe('regami-api:41');
  });

  it('never rolls back to an INACTIVE revision', () => {
    const current = deployment('d42', 42, 10, 'failed');
    const h = history(current, [deployment('d41', 41, 600), deployment('d40', 40, 5000)], [revision(42), revision(41, { status: 'INACTIVE' }), revision(40)]);
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind === 'found' && familyRevision(choice.revision.arn)).toBe('regami-api:40');
    expect(choice.skipped).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'inactive', taskDefinitionArn: arn(41) })]));
  });

  it('skips a revision that never stayed PRIMARY and COMPLETED for stableForSeconds', () => {
    // 41 completed 5 minutes after it started and was replaced by 42 two minutes later: 120 s stable.
    const current = deployment('d42', 42, 10, 'failed');
    const h = history(current, [deployment('d41', 41, 17, 'completed', 5), deployment('d40', 40, 4000)], [revision(42), revision(41), revision(40)]);
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind === 'found' && familyRevision(choice.revision.arn)).toBe('regami-api:40');
    const skipped41 = choice.skipped.find((s) => s.taskDefinitionArn === arn(41));
    expect(skipped41).toMatchObject({ reason: 'never-stable' });
    expect(skipped41?.detail).toContain('120s');
  });

  it('skips a deployment that never completed (still in progress when replaced)', () => {
    const current = deployment('d42', 42, 10, 'failed');
    const h = history(current, [deployment('d41', 41, 200, 'in-progress'), deployment('d40', 40, 4000)], [revision(42), revision(41), revision(40)]);
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind === 'found' && familyRevision(choice.revision.arn)).toBe('regami-api:40');
  });

  it('counts stability exactly at the threshold as stable, one second less as not', () => {
    const current: DeploymentRecord = { id: 'd42', taskDefinitionArn: arn(42), createdAt: NOW - 60_000, outcome: 'failed' };
    const at = (stable: number): RevisionHistory =>
      history(current, [{ id: 'd41', taskDefinitionArn: arn(41), createdAt: NOW - 3_600_000, outcome: 'completed', completedAt: current.createdAt - stable * 1000 }], [revision(42), revision(41)]);
    expect(chooseKnownGoodRevision(at(STABLE_FOR), STABLE_FOR, NOW).kind).toBe('found');
    expect(chooseKnownGoodRevision(at(STABLE_FOR - 1), STABLE_FOR, NOW).kind).toBe('none');
  });

  it('never chooses the current revision, even when an older deployment of it ran stably', () => {
    // A forced redeploy of 42 (same revision) is what broke: 42 itself is not the way back.
    const current = deployment('d42-b', 42, 10, 'failed');
    const h = history(current, [deployment('d42-a', 42, 3000), deployment('d41', 41, 6000)], [revision(42), revision(41)]);
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind === 'found' && familyRevision(choice.revision.arn)).toBe('regami-api:41');
  });

  it('only counts runs from before the current deployment as evidence of stability', () => {
    // 41 never settled before 42; a later (post-42) run of 41 proves nothing about "before".
    const current = deployment('d42', 42, 100, 'failed');
    const h = history(
      current,
      [deployment('d41-after', 41, 90, 'completed', 5), deployment('d41', 41, 104, 'completed', 3), deployment('d40', 40, 4000)],
      [revision(42), revision(41), revision(40)],
    );
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind === 'found' && familyRevision(choice.revision.arn)).toBe('regami-api:40');
    expect(choice.skipped.find((s) => s.taskDefinitionArn === arn(41))?.reason).toBe('never-stable');
  });

  it('does not roll back to a revision it cannot describe', () => {
    const current = deployment('d42', 42, 10, 'failed');
    const h = history(current, [deployment('d41', 41, 3000)], [revision(42)]);
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind).toBe('none');
    expect(choice.skipped).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'unknown-revision', taskDefinitionArn: arn(41) })]));
  });

  it('returns none, with every revision and its reason, when nothing qualifies', () => {
    const current = deployment('d43', 43, 10, 'failed');
    const h = history(
      current,
      [deployment('d42', 42, 30, 'failed'), deployment('d41', 41, 40, 'completed', 5)],
      [revision(43), revision(42), revision(41), revision(40, { status: 'INACTIVE' }), revision(39)],
    );
    const choice = chooseKnownGoodRevision(h, STABLE_FOR, NOW);
    expect(choice.kind).toBe('none');
    expect(choice.skipped.map((s) => [familyRevision(s.taskDefinitionArn), s.reason])).toEqual([
      ['regami-api:43', 'current'],
      ['regami-api:42', 'failed'],
      ['regami-api:41', 'never-stable'],
      ['regami-api:40', 'never-deployed'],
      ['regami-api:39', 'never-deployed'],
    ]);
  });

  it('returns none for a service with only the current deployment', () => {
    const current = deployment('d1', 1, 10, 'failed');
    expect(chooseKnownGoodRevision(history(current, [], [revision(1)]), STABLE_FOR, NOW).kind).toBe('none');
  });
});

describe('stableSeconds', () => {
  it('runs from completion to the start of the next deployment, or to now for the newest', () => {
    const a = deployment('a', 40, 100, 'completed', 10); // completed 90 min ago
    const b = deployment('b', 41, 30, 'completed', 10); // started 30 min ago, completed 20 min ago
    expect(stableSeconds(a, [a, b], NOW)).toBe(60 * 60);
    expect(stableSeconds(b, [a, b], NOW)).toBe(20 * 60);
  });

  it('is zero for a deployment that did not complete', () => {
    const f = deployment('f', 41, 30, 'failed');
    expect(stableSeconds(f, [f], NOW)).toBe(0);
  });
});

describe('rollbackSafety', () => {
  const h = (revisions: TaskDefinitionRevision[], deployed: number[]): RevisionHistory => ({
    currentDeploymentId: 'd42',
    currentTaskDefinitionArn: arn(42),
    deployments: deployed.map((r) => deployment(`d${r}`, r, 1000 - r)),
    revisions,
  });

  it('is safe when no revision between target and current is marked', () => {
    expect(rollbackSafety(revision(41), h([revision(42), revision(41)], [41, 42])).safe).toBe(true);
  });

  it('is unsafe when the current revision carries the tag autopilot:rollback-safe=false', () => {
    const s = rollbackSafety(revision(41), h([revision(42, { tags: { 'autopilot:rollback-safe': 'false' } }), revision(41)], [41, 42]));
    expect(s.safe).toBe(false);
    expect(s.unsafe).toEqual([{ taskDefinitionArn: arn(42), marker: 'tag autopilot:rollback-safe=false' }]);
  });

  it('is unsafe when the current revision sets ROLLBACK_SAFE=false in its environment', () => {
    const s = rollbackSafety(revision(41), h([revision(42, { environment: { ROLLBACK_SAFE: 'FALSE' } }), revision(41)], [41, 42]));
    expect(s.safe).toBe(false);
    expect(s.unsafe[0]?.marker).toBe('environment ROLLBACK_SAFE=FALSE');
  });

  it('is unsafe when a deployed revision crossed on the way back ran a migration', () => {
    const s = rollbackSafety(revision(40), h([revision(42), revision(41, { tags: { 'autopilot:rollback-safe': 'false' } }), revision(40)], [40, 41, 42]));
    expect(s.safe).toBe(false);
    expect(s.unsafe.map((u) => u.taskDefinitionArn)).toEqual([arn(41)]);
  });

  it('ignores the marker on a revision that was never deployed (its migration never ran)', () => {
    expect(rollbackSafety(revision(40), h([revision(42), revision(41, { tags: { 'autopilot:rollback-safe': 'false' } }), revision(40)], [40, 42])).safe).toBe(true);
  });

  it('treats any value but "false" as safe (the marker is opt-in)', () => {
    expect(rollbackSafety(revision(41), h([revision(42, { tags: { 'autopilot:rollback-safe': 'true' } }), revision(41)], [41, 42])).safe).toBe(true);
  });
});

describe('deploymentsFromStoppedTasks', () => {
  const task = (startedBy: string, rev: number, startedMinutesAgo: number | undefined, stopCode: string) => ({
    startedBy,
    taskDefinitionArn: arn(rev),
    createdAt: NOW - ((startedMinutesAgo ?? 5) + 1) * MIN,
    ...(startedMinutesAgo !== undefined ? { startedAt: NOW - startedMinutesAgo * MIN } : {}),
    stoppedAt: NOW - 2 * MIN,
    stopCode,
  });

  it('rebuilds a drained deployment whose tasks ran until the scheduler replaced them as completed', () => {
    const records = deploymentsFromStoppedTasks([task('ecs-svc/41', 41, 4000, 'ServiceSchedulerInitiated'), task('ecs-svc/41', 41, 3999, 'ServiceSchedulerInitiated')], new Set());
    expect(records).toEqual([{ id: 'ecs-svc/41', taskDefinitionArn: arn(41), createdAt: NOW - 4001 * MIN, outcome: 'completed', completedAt: NOW - 4000 * MIN }]);
  });

  it('marks a deployment whose tasks never lasted until replaced as failed', () => {
    const records = deploymentsFromStoppedTasks([task('ecs-svc/40', 40, 90, 'EssentialContainerExited'), task('ecs-svc/40', 40, undefined, 'TaskFailedToStart')], new Set());
    expect(records).toMatchObject([{ id: 'ecs-svc/40', outcome: 'failed' }]);
  });

  it('skips deployments DescribeServices still lists, and tasks not started by a deployment', () => {
    const records = deploymentsFromStoppedTasks([task('ecs-svc/42', 42, 10, 'ServiceSchedulerInitiated'), task('manual-run', 42, 10, 'UserInitiated')], new Set(['ecs-svc/42']));
    expect(records).toEqual([]);
  });

  it('lets the known-good choice find a revision that was fully replaced by the bad one', () => {
    const current = deployment('ecs-svc/42', 42, 10, 'completed', 2);
    const drained = deploymentsFromStoppedTasks([task('ecs-svc/41', 41, 4000, 'ServiceSchedulerInitiated')], new Set([current.id]));
    const choice = chooseKnownGoodRevision(history(current, drained, [revision(42), revision(41)]), STABLE_FOR, NOW);
    expect(choice.kind === 'found' && familyRevision(choice.revision.arn)).toBe('regami-api:41');
  });
});
