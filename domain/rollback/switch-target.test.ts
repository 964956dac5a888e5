import { defaultConfig } from '../config';
import { chooseSwitchTarget, describeSwitchTarget, switchTargetVerdict, targetGroupName, type TaskSetState, type TargetHealthReading } from './switch-target';

const BLUE = defaultConfig.service.blueTargetGroupArn;
const GREEN = defaultConfig.service.greenTargetGroupArn;
const td = (rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/regami-api:${rev}`;
const taskSet = (id: string, externalId: string, tg: string, rev: number, status = 'ACTIVE'): TaskSetState => ({ id, status, externalId, taskDefinitionArn: td(rev), targetGroupArns: [tg], runningCount: 2 });
const healthy = (tg: string, n = 2): TargetHealthReading => ({ targetGroupArn: tg, healthy: n, total: 2, targets: [] });

describe('chooseSwitchTarget (C2: the original task set, not a fixed "blue")', () => {
  it('the live group alternated: the original 41 runs behind GREEN, the failed replacement behind BLUE -> green', () => {
    const sets = [taskSet('ecs-svc/original', 'd-BASE00041', GREEN, 41, 'PRIMARY'), taskSet('ecs-svc/replacement', 'd-BAD000042', BLUE, 42)];
    const t = chooseSwitchTarget(sets, [BLUE], ['d-BAD000042'], [], BLUE);
    expect(t).toMatchObject({ source: 'original-task-set', targetGroupArn: GREEN, taskSetId: 'ecs-svc/original', taskDefinitionArn: td(41) });
    expect(describeSwitchTarget(t)).toBe('the original task set ecs-svc/original (regami-api:41) behind regami-green-tg');
    expect(t.evidence).toEqual(expect.arrayContaining(['listener forwards to regami-blue-tg', expect.stringMatching(/ecs-svc\/replacement ACTIVE regami-api:42 \(created by d-BAD000042\)/)]));
  });

  it('the original behind BLUE: blue (the same answer the fixed config gave, now for the right reason)', () => {
    const sets = [taskSet('ecs-svc/replacement', 'd-BAD000042', GREEN, 42, 'PRIMARY'), taskSet('ecs-svc/original', 'd-BASE00041', BLUE, 41)];
    expect(chooseSwitchTarget(sets, [GREEN], ['d-BAD000042'], [], BLUE)).toMatchObject({ source: 'original-task-set', targetGroupArn: BLUE });
  });

  it('a draining task set is not the original; a rollback-created one is taken only when nothing else qualifies', () => {
    const draining = taskSet('ecs-svc/old', 'd-BASE00040', BLUE, 40, 'DRAINING');
    const byRollback = taskSet('ecs-svc/rb', 'd-ROLLBACK1', BLUE, 41);
    expect(chooseSwitchTarget([draining, byRollback, taskSet('ecs-svc/rep', 'd-BAD000042', GREEN, 42)], [GREEN], ['d-BAD000042'], ['d-ROLLBACK1'], GREEN)).toMatchObject({
      source: 'original-task-set',
      taskSetId: 'ecs-svc/rb',
    });
    const original = taskSet('ecs-svc/orig', 'd-BASE00041', GREEN, 41);
    expect(chooseSwitchTarget([byRollback, original], [BLUE], ['d-BAD000042'], ['d-ROLLBACK1'], BLUE)).toMatchObject({ source: 'original-task-set', taskSetId: 'ecs-svc/orig' });
  });

  it('falls back to the configured blue group, saying why, when the original cannot be determined', () => {
    const none = chooseSwitchTarget(undefined, [BLUE], ['d-BAD000042'], [], BLUE);
    expect(none).toMatchObject({ source: 'configured-fallback', targetGroupArn: BLUE, why: expect.stringMatching(/no task sets/) });
    expect(describeSwitchTarget(none)).toMatch(/CONFIGURED blue target group regami-blue-tg \(fallback: .*\) - check which task definition/);
    const onlyReplacement = chooseSwitchTarget([taskSet('ecs-svc/rep', 'd-BAD000042', GREEN, 42)], [GREEN], ['d-BAD000042'], [], BLUE);
    expect(onlyReplacement).toMatchObject({ source: 'configured-fallback', why: expect.stringMatching(/no task set outside the failed deployment \(d-BAD000042\)/) });
    const two = chooseSwitchTarget([taskSet('a', 'd-BASE00040', BLUE, 40), taskSet('b', 'd-BASE00041', GREEN, 41)], [GREEN], ['d-BAD000042'], [], BLUE);
    expect(two).toMatchObject({ source: 'configured-fallback', why: expect.stringMatching(/ambiguous/) });
  });
});

describe('switchTargetVerdict', () => {
  const original = chooseSwitchTarget([taskSet('o', 'd-BASE00041', GREEN, 41)], [BLUE], ['d-BAD000042'], [], BLUE);

  it('passes for a healthy group other than the one traffic is on', () => {
    expect(switchTargetVerdict(original, healthy(GREEN), [BLUE])).toMatchObject({ guardrail: 'SwitchTargetHealthy', pass: true, reason: 'regami-green-tg has 2/2 healthy targets' });
  });

  it('refuses a group with no healthy target (the switch would send traffic nowhere)', () => {
    const v = switchTargetVerdict(original, { targetGroupArn: GREEN, healthy: 0, total: 2, targets: ['10.0.1.5:8080 unhealthy (Target.FailedHealthChecks)'] }, [BLUE]);
    expect(v).toMatchObject({ pass: false, code: 'SwitchTargetUnhealthy' });
    expect(v.reason).toMatch(/^SwitchTargetUnhealthy: regami-green-tg has no healthy target \(2 registered\)/);
    expect(v.evidence).toMatchObject({ targets: ['10.0.1.5:8080 unhealthy (Target.FailedHealthChecks)'] });
  });

  it('refuses a switch to where traffic already is', () => {
    const v = switchTargetVerdict(original, healthy(GREEN), [GREEN]);
    expect(v).toMatchObject({ pass: false, code: 'SwitchChangesNothing' });
    expect(v.reason).toMatch(/^SwitchChangesNothing/);
  });

  it('names target groups by their ARN name', () => {
    expect(targetGroupName(GREEN)).toBe('regami-green-tg');
  });
});
