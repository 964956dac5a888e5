import { defaultConfig, type AutopilotConfig } from '../config';
import type { ActionRecord, Controls } from '../guardrails';
import {
  approvalVerdict,
  assessPrimary,
  confirmationState,
  controlsVerdicts,
  failoverIntervalVerdict,
  failoverScope,
  primaryCheckVerdict,
  replicaVerdicts,
  replicatesFrom,
  secondaryReadyVerdict,
} from './gates';
import type { PrimaryCheck, ReplicaReading, SecondaryReading } from './signals';

const config: AutopilotConfig = defaultConfig;
const PRIMARY = config.database.primaryInstanceId;
const PRIMARY_ARN = `arn:aws:rds:${config.primaryRegion}:123456789012:db:${PRIMARY}`;
const T0 = Date.parse('2026-01-15T03:00:00Z');

const down = (over: Partial<PrimaryCheck> = {}): PrimaryCheck => ({ at: T0, instanceId: PRIMARY, status: 'failed', connections: 0, alarms: [{ name: 'regami-db-down', state: 'ALARM' }], ...over });
const healthy = (over: Partial<PrimaryCheck> = {}): PrimaryCheck => ({ at: T0, instanceId: PRIMARY, status: 'available', connections: 42, alarms: [{ name: 'regami-db-down', state: 'OK' }], ...over });

describe('gate 1: primary confirmed down', () => {
  it('a failed status with zero connections is down', () => {
    expect(assessPrimary(down()).condition).toBe('down');
  });

  // Flipped (review S0): this test used to assert that an unreadable primary with no
  // datapoints is DOWN. "Cannot see the primary" must never count as "primary down".
  it('an unreadable primary with no datapoints is unknown, never down (and never healthy)', () => {
    const a = assessPrimary(down({ status: undefined, describeError: 'TimeoutError', connections: undefined, alarms: [] }));
    expect(a.reachability).toBe('unknown');
    expect(a.controlPlane).toBe('unreadable');
    expect(a.condition).toBe('unknown');
  });

  it.each(['ThrottlingException', 'TimeoutError', 'AccessDeniedException', 'InternalFailure'])(
    'a DescribeDBInstances error (%s) is not a failed status even when the alarm fires and connections are 0',
    (error) => {
      const a = assessPrimary(down({ status: undefined, describeError: error }));
      expect(a.reachability).toBe('unreachable');
      expect(a.condition).not.toBe('down');
      expect(primaryCheckVerdict(down({ status: undefined, describeError: error }), 1, 3).pass).toBe(false);
    },
  );

  it.each(['DBInstanceNotFound', 'DBInstanceNotFoundFault'])('a primary that positively does not exist (%s) and is unreachable is down', (error) => {
    expect(assessPrimary(down({ status: undefined, describeError: error })).condition).toBe('down');
  });

  it.each(['failed', 'storage-full', 'inaccessible-encryption-credentials', 'incompatible-parameters', 'stopped'])('status %s with the alarm in ALARM is down', (status) => {
    expect(assessPrimary(down({ status, connections: undefined })).condition).toBe('down');
  });

  it.each(['rebooting', 'modifying', 'maintenance', 'upgrading', 'backing-up'])('a transient status (%s) is not a failed state: not down', (status) => {
    expect(assessPrimary(down({ status })).condition).toBe('mixed');
  });

  it('a failed status with no reachability signal (no datapoint, alarms unreadable) is unknown, not down', () => {
    const a = assessPrimary(down({ connections: undefined, metricsError: 'ThrottlingException', alarms: [], alarmsError: 'ThrottlingException' }));
    expect(a.condition).toBe('unknown');
  });

  it('a stale DatabaseConnections datapoint of 0 is no reachability signal', () => {
    const stale = down({ alarms: [], connections: 0, connectionsAt: T0 - 20 * 60_000 });
    expect(assessPrimary(stale).reachability).toBe('unknown');
    expect(assessPrimary(stale).condition).toBe('unknown');
    expect(assessPrimary(down({ alarms: [], connections: 0, connectionsAt: T0 - 60_000 })).condition).toBe('down');
  });

  it('available with no datapoint and quiet alarms is unknown, not healthy', () => {
    expect(assessPrimary(healthy({ connections: undefined, alarms: [] })).condition).toBe('unknown');
  });

  it('available with connections and quiet alarms is healthy', () => {
    expect(assessPrimary(healthy()).condition).toBe('healthy');
  });

  it('status and reachability disagreeing is neither down nor healthy', () => {
    // A fresh DatabaseConnections > 0 and a firing alarm disagree: reachability unknown, never "unreachable".
    expect(assessPrimary(healthy({ alarms: [{ name: 'regami-db-down', state: 'ALARM' }] })).condition).toBe('unknown');
    expect(assessPrimary(down({ connections: 17, alarms: [] })).condition).toBe('mixed');
  });

  it('a fresh DatabaseConnections > 0 datapoint never counts as unreachable, even with a down alarm firing', () => {
    const a = assessPrimary(down({ connections: 42, alarms: [{ name: 'regami-db-down', state: 'ALARM' }] }));
    expect(a.reachability).not.toBe('unreachable');
    expect(a.condition).not.toBe('down');
  });

  it('the per-check verdict passes only for a down primary and carries its evidence', () => {
    const v = primaryCheckVerdict(down(), 1, 3);
    expect(v).toMatchObject({ guardrail: 'PrimaryCheck', pass: true, evidence: { check: 1, of: 3, condition: 'down', status: 'failed' } });
    expect(primaryCheckVerdict(healthy(), 2, 3).pass).toBe(false);
  });

  it('keeps checking until the configured number of checks', () => {
    expect(confirmationState([down()], 3).state).toBe('continue');
    expect(confirmationState([down(), down()], 3).state).toBe('continue');
  });

  it('confirms when every check found the primary down', () => {
    const s = confirmationState([down(), down(), down()], 3);
    expect(s.state).toBe('confirmed');
    if (s.state === 'confirmed') expect(s.verdict).toMatchObject({ guardrail: 'PrimaryConfirmedDown', pass: true });
  });

  it('ends at once when the primary recovers during the window', () => {
    const s = confirmationState([down(), healthy()], 3);
    expect(s.state).toBe('recovered');
    if (s.state === 'recovered') expect(s.verdict.reason).toMatch(/^PrimaryRecovered/);
  });

  it('an API outage over the whole window is not confirmed: refuse and decide by hand', () => {
    const blind = down({ status: undefined, describeError: 'ThrottlingException', connections: undefined, metricsError: 'ThrottlingException', alarms: [], alarmsError: 'ThrottlingException' });
    expect(confirmationState([blind, blind, blind], 3).state).toBe('continue');
    const s = confirmationState([blind, blind, blind, blind, blind, blind], 3);
    expect(s.state).toBe('not-confirmed');
    if (s.state === 'not-confirmed') {
      expect(s.verdict).toMatchObject({ guardrail: 'PrimaryConfirmedDown', pass: false });
      expect(s.verdict.reason).toMatch(/^PrimaryNotConfirmed: only 0\/6 checks found the primary down \(6 unknown\); cannot confirm the primary is down: decide by hand/);
    }
  });

  it('does not confirm while a mixed check sits among the latest ones, and refuses when the window ends that way', () => {
    const mixed = down({ connections: 5, alarms: [] });
    expect(confirmationState([down(), mixed, down()], 3).state).toBe('continue');
    const s = confirmationState([down(), mixed, down(), down(), mixed, down()], 3);
    expect(s.state).toBe('not-confirmed');
    if (s.state === 'not-confirmed') expect(s.verdict).toMatchObject({ pass: false, reason: expect.stringMatching(/^PrimaryNotConfirmed: only 4\/6/) });
  });

  it('judges the latest consecutive checks: evidence that caught up late (an RDS event before the metrics) confirms', () => {
    const early = down({ connections: 42, alarms: [] }); // the previous minute's connections: mixed
    const s = confirmationState([early, down(), down(), down()], 3);
    expect(s.state).toBe('confirmed');
    if (s.state === 'confirmed') expect(s.verdict.reason).toMatch(/latest 3\/3 consecutive checks.*1 earlier check\(s\)/);
  });
});

describe('gate 1 without the primary region (issue 15): data-plane evidence', () => {
  const unreadable = (dataPlane: PrimaryCheck['dataPlane']): PrimaryCheck => ({ at: T0, instanceId: PRIMARY, describeError: 'ServiceUnavailable', metricsError: 'ServiceUnavailable', alarms: [], alarmsError: 'ServiceUnavailable', dataPlane });
  const dp = (over: Partial<NonNullable<PrimaryCheck['dataPlane']>> = {}): NonNullable<PrimaryCheck['dataPlane']> => ({
    healthCheck: 'unhealthy',
    healthCheckDetail: 'db-health.regami.com TXT answers "primary-unhealthy"',
    replicaReplay: 'stopped',
    replicaDetail: 'ReplicaLag grew by the time elapsed',
    replayStoppedAt: T0,
    ...over,
  });

  it('a failed describe, the Route 53 health check unhealthy through DNS and the replica replaying nothing is down, via the data plane', () => {
    const a = assessPrimary(unreadable(dp()));
    expect(a).toMatchObject({ condition: 'down', via: 'data-plane', controlPlane: 'unreadable', reachability: 'unreachable' });
    expect(a.signals.join('\n')).toContain('Route 53 health check (DNS data plane): unhealthy');
    expect(confirmationState([unreadable(dp()), unreadable(dp()), unreadable(dp())], 3).state).toBe('confirmed');
  });

  it.each([
    ['the health check healthy', dp({ healthCheck: 'healthy' })],
    ['the health check unknown', dp({ healthCheck: 'unknown' })],
    ['the replica still replaying', dp({ replicaReplay: 'replaying' })],
    ['the replay state unknown', dp({ replicaReplay: 'unknown' })],
    ['no data-plane reading', undefined],
  ])('a failed describe with %s is never down (a control-plane outage alone proves nothing)', (_what, evidence) => {
    expect(assessPrimary(unreadable(evidence)).condition).toBe('unknown');
  });

  it('a primary the control plane still describes is judged as before: data-plane evidence does not override an available status', () => {
    expect(assessPrimary(healthy({ dataPlane: dp() })).condition).not.toBe('down');
    expect(assessPrimary(down({ dataPlane: dp({ healthCheck: 'healthy' }) }))).toMatchObject({ condition: 'down', via: 'control-plane' });
  });
});

describe('gate 2: replica', () => {
  const replica = (over: Partial<ReplicaReading> = {}): ReplicaReading => ({
    instanceId: config.database.replicaInstanceId,
    region: config.database.replicaRegion,
    status: 'available',
    sourceIdentifier: PRIMARY_ARN,
    lagSeconds: 2,
    lagSource: 'cloudwatch',
    ...over,
  });
  const byName = (r: ReplicaReading) => Object.fromEntries(replicaVerdicts(r, config).map((v) => [v.guardrail, v]));

  it('recognises the source by id and by cross-region ARN, and nothing else', () => {
    expect(replicatesFrom(PRIMARY, PRIMARY, 'us-east-1')).toBe(true);
    expect(replicatesFrom(PRIMARY_ARN, PRIMARY, 'us-east-1')).toBe(true);
    expect(replicatesFrom(PRIMARY_ARN, PRIMARY, 'eu-west-1')).toBe(false);
    expect(replicatesFrom(PRIMARY_ARN.replace(PRIMARY, 'other-db'), PRIMARY, 'us-east-1')).toBe(false);
    expect(replicatesFrom(`${PRIMARY_ARN}-old`, PRIMARY, 'us-east-1')).toBe(false);
    expect(replicatesFrom(undefined, PRIMARY, 'us-east-1')).toBe(false);
  });

  it('passes an available replica of the primary within the lag budget', () => {
    expect(replicaVerdicts(replica(), config).every((v) => v.pass)).toBe(true);
  });

  it('passes a lag exactly at the budget', () => {
    expect(byName(replica({ lagSeconds: config.guardrails.failover.maxReplicaLagSeconds })).ReplicaLag?.pass).toBe(true);
  });

  it('fails LagOverBudget with the numbers as evidence', () => {
    const v = byName(replica({ lagSeconds: 600 })).ReplicaLag;
    expect(v).toMatchObject({ pass: false, reason: expect.stringMatching(/^LagOverBudget: replica is 600s behind, RPO budget is 60s/), evidence: { lagSeconds: 600, maxLagSeconds: 60 } });
  });

  it('fails when lag is unknown or replication is not active (-1)', () => {
    expect(byName(replica({ lagSeconds: undefined })).ReplicaLag).toMatchObject({ pass: false, reason: expect.stringMatching(/^LagUnknown/) });
    expect(byName(replica({ lagSeconds: -1 })).ReplicaLag).toMatchObject({ pass: false, reason: expect.stringMatching(/^LagUnknown/) });
  });

  describe('lag judged as data loss (RDS for PostgreSQL: ReplicaLag = time since the last replayed commit)', () => {
    const DOWN = Date.parse('2026-01-15T03:01:00Z');
    const MIN = 60_000;
    // Lag 5 s while the primary is up; from the failure on, growth of 60 s per minute.
    const history = [
      { at: DOWN - 3 * MIN, seconds: 4 },
      { at: DOWN - 2 * MIN, seconds: 5 },
      { at: DOWN - MIN, seconds: 5 },
      { at: DOWN, seconds: 65 },
      { at: DOWN + MIN, seconds: 125 },
    ];
    const withHistory = (h: { at: number; seconds: number }[]) => replica({ lagSeconds: h[h.length - 1]?.seconds, lagHistory: h, lagPeriodSeconds: 60 });
    const lagOf = (r: ReplicaReading, since?: number) => Object.fromEntries(replicaVerdicts(r, config, since).map((v) => [v.guardrail, v])).ReplicaLag;

    it('the old rule (the lag read now) refuses this failover: post-failure growth is over the budget', () => {
      expect(lagOf(withHistory(history))).toMatchObject({ pass: false, reason: expect.stringMatching(/^LagOverBudget: replica is 125s behind/) });
    });

    it('passes on the lag observed while the primary was up, states the estimated data-loss window and names the growth', () => {
      const v = lagOf(withHistory(history), DOWN);
      expect(v).toMatchObject({ pass: true, evidence: { lagSeconds: 5, estimatedDataLossSeconds: 5, currentLagSeconds: 125, lagAt: DOWN - MIN } });
      expect(v?.reason).toMatch(/^estimated data-loss window 5s within budget 60s/);
      expect(v?.reason).toContain('not replication falling behind');
    });

    it('a datapoint whose period covers the failure is not a reading from while the primary was up', () => {
      // Failure 30 s into the minute starting DOWN - MIN: that minute already mixes in growth.
      const v = lagOf(withHistory([{ at: DOWN - 2 * MIN, seconds: 5 }, { at: DOWN - MIN, seconds: 90 }]), DOWN - 30_000);
      expect(v).toMatchObject({ pass: true, evidence: { lagSeconds: 5, lagAt: DOWN - 2 * MIN } });
    });

    it('still refuses a replica that was over budget before the failure', () => {
      const v = lagOf(withHistory([{ at: DOWN - 2 * MIN, seconds: 900 }, { at: DOWN - MIN, seconds: 900 }, { at: DOWN, seconds: 960 }]), DOWN);
      expect(v).toMatchObject({ pass: false, reason: expect.stringMatching(/^LagOverBudget: replica is 900s behind, RPO budget is 60s: estimated data-loss window 900s/), evidence: { lagSeconds: 900 } });
    });

    it('fails closed when no reading from before the failure exists, or replication was not active then', () => {
      expect(lagOf(withHistory([{ at: DOWN, seconds: 65 }]), DOWN)).toMatchObject({ pass: false, reason: expect.stringMatching(/^LagUnknown: no ReplicaLag reading from before the primary was seen down/) });
      expect(lagOf(withHistory([]), DOWN)).toMatchObject({ pass: false, reason: expect.stringMatching(/^LagUnknown/) });
      expect(lagOf(withHistory([{ at: DOWN - 2 * MIN, seconds: -1 }, { at: DOWN, seconds: -1 }]), DOWN)).toMatchObject({ pass: false, reason: expect.stringMatching(/^LagUnknown: replica lag was -1 \(replication not active\)/) });
    });
  });

  it('fails a replica that is not available or unreadable', () => {
    expect(byName(replica({ status: 'storage-full' })).ReplicaAvailable).toMatchObject({ pass: false, reason: expect.stringContaining('storage-full') });
    expect(byName(replica({ status: undefined, describeError: 'AccessDenied' })).ReplicaAvailable).toMatchObject({ pass: false, reason: expect.stringContaining('AccessDenied') });
  });

  it('fails a replica of another source, or one that is no longer a replica', () => {
    expect(byName(replica({ sourceIdentifier: 'some-other-db' })).ReplicaSource).toMatchObject({ pass: false, reason: expect.stringMatching(/^ReplicaSourceMismatch/) });
    expect(byName(replica({ sourceIdentifier: undefined })).ReplicaSource).toMatchObject({ pass: false, reason: expect.stringContaining('not a replica') });
  });
});

describe('gate 3: no recent failover', () => {
  const min = config.guardrails.failover.minSecondsBetweenFailovers;
  const promoted = (secondsAgo: number, scope = failoverScope(PRIMARY), action = 'promote-replica'): ActionRecord => ({ scope, action, at: T0 - secondsAgo * 1000, incidentKey: 'database-failover-earlier' });

  it('passes with no failover on record', () => {
    expect(failoverIntervalVerdict([], T0, min, PRIMARY).pass).toBe(true);
  });

  it('refuses RecentFailover within the minimum interval, naming the earlier incident', () => {
    const v = failoverIntervalVerdict([promoted(3600)], T0, min, PRIMARY);
    expect(v).toMatchObject({ guardrail: 'FailoverInterval', pass: false, reason: expect.stringMatching(/^RecentFailover: .* 3600s ago \(incident database-failover-earlier\)/) });
  });

  it('passes once the interval has elapsed', () => {
    expect(failoverIntervalVerdict([promoted(min + 1)], T0, min, PRIMARY).pass).toBe(true);
  });

  it('ignores other actions and other databases', () => {
    expect(failoverIntervalVerdict([promoted(60, 'db:other-db'), promoted(60, failoverScope(PRIMARY), 'scale-out')], T0, min, PRIMARY).pass).toBe(true);
  });
});

describe('gate 4: secondary region ready', () => {
  const ready = (over: Partial<SecondaryReading> = {}): SecondaryReading => ({
    region: 'us-west-2',
    clusterName: config.secondaryService.clusterName,
    clusterStatus: 'ACTIVE',
    service: { region: 'us-west-2', cluster: config.secondaryService.clusterName, service: config.secondaryService.serviceName, status: 'ACTIVE', desiredCount: 0, runningCount: 0, deployments: 1 },
    taskDefinitionArn: 'arn:aws:ecs:us-west-2:123456789012:task-definition/regami-api:12',
    taskDefinitionFamily: 'regami-api',
    hasDatabaseUrl: true,
    errors: [],
    ...over,
  });

  it('passes with cluster, service and a task definition of the family', () => {
    expect(secondaryReadyVerdict(ready(), config)).toMatchObject({ guardrail: 'SecondaryReady', pass: true });
  });

  it('passes with the configured roles, by ARN or by the task role\'s short name', () => {
    const roles = { taskRoleArn: config.secondaryService.taskRoleArn, executionRoleArn: config.secondaryService.executionRoleArn };
    expect(secondaryReadyVerdict(ready({ roles }), config).pass).toBe(true);
    expect(secondaryReadyVerdict(ready({ roles: { ...roles, taskRoleArn: 'regami-api-task' } }), config).pass).toBe(true);
  });

  it.each([
    ['no cluster', { clusterStatus: undefined }, /cluster regami-cluster-secondary is missing/],
    ['service draining', { service: { ...ready().service!, status: 'DRAINING' } }, /service regami-service-secondary is DRAINING/],
    ['no service', { service: undefined }, /service regami-service-secondary is missing/],
    ['no task definition', { taskDefinitionArn: undefined }, /no task definition of family regami-api/],
    ['another family', { taskDefinitionFamily: 'other' }, /is not of family regami-api/],
    ['no DATABASE_URL', { hasDatabaseUrl: false }, /has no DATABASE_URL/],
    // The iam:PassRole grant covers only the configured roles: the copy would be denied after the promotion.
    [
      'another task role than configured',
      { roles: { taskRoleArn: 'arn:aws:iam::123456789012:role/other', executionRoleArn: config.secondaryService.executionRoleArn } },
      /has taskRoleArn arn:aws:iam::123456789012:role\/other, secondaryService.taskRoleArn is arn:aws:iam::123456789012:role\/regami-api-task: registering its copy would be denied iam:PassRole after the promotion/,
    ],
    ['no execution role while one is configured', { roles: { taskRoleArn: config.secondaryService.taskRoleArn } }, /executionRoleArn \(none\), secondaryService.executionRoleArn is arn:aws:iam::123456789012:role\/ecsTaskExecutionRole/],
    [
      'a DATABASE_URL reference it cannot follow',
      { databaseUrlFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:regami/db/url-AbCdEf', databaseUrlProblem: 'no replica in us-west-2' },
      /reads DATABASE_URL from arn:aws:secretsmanager:us-east-1:123456789012:secret:regami\/db\/url-AbCdEf that cannot be followed: no replica in us-west-2/,
    ],
  ])('refuses SecondaryNotReady: %s', (_name, over, reason) => {
    const v = secondaryReadyVerdict(ready(over as Partial<SecondaryReading>), config);
    expect(v.pass).toBe(false);
    expect(v.reason).toMatch(/^SecondaryNotReady/);
    expect(v.reason).toMatch(reason);
  });
});

describe('gate 5: kill switch and budget', () => {
  const off: Controls = { killSwitch: false, dryRun: false };
  const actions = (n: number): ActionRecord[] => Array.from({ length: n }, (_, i) => ({ scope: 'global', action: 'scale-out', at: T0 - (i + 1) * 1000, incidentKey: 'x' }));
  const breaker = config.guardrails.circuitBreaker;

  it('passes with the switch off and room for every mutation of the failover', () => {
    expect(controlsVerdicts(off, actions(15), T0, breaker, 5).every((v) => v.pass)).toBe(true);
  });

  it('refuses when the kill switch is on', () => {
    const [kill] = controlsVerdicts({ ...off, killSwitch: true, setBy: 'oncall', reason: 'game day' }, [], T0, breaker, 5);
    expect(kill).toMatchObject({ guardrail: 'KillSwitch', pass: false, reason: expect.stringContaining('oncall') });
  });

  it('refuses when the budget cannot hold the whole failover', () => {
    const budget = controlsVerdicts(off, actions(16), T0, breaker, 5)[1];
    expect(budget).toMatchObject({ guardrail: 'ActionBudget', pass: false, reason: expect.stringMatching(/^BudgetExhausted: 16\/20/) });
  });

  it('does not count actions outside the window', () => {
    const old = actions(20).map((a) => ({ ...a, at: a.at - breaker.windowSeconds * 1000 }));
    expect(controlsVerdicts(off, old, T0, breaker, 5)[1]?.pass).toBe(true);
  });
});

describe('gate 6: approval', () => {
  it('passes only APPROVED', () => {
    expect(approvalVerdict({ outcome: 'APPROVED', by: 'alice' }, 900)).toMatchObject({ guardrail: 'Approval', pass: true, reason: 'APPROVED by "alice"' });
  });
  it('fails REJECTED with who said no', () => {
    expect(approvalVerdict({ outcome: 'REJECTED', by: 'bob' }, 900)).toMatchObject({ pass: false, reason: expect.stringMatching(/^ApprovalRejected: REJECTED by "bob"/) });
  });
  it('fails EXPIRED: silence is a denial', () => {
    expect(approvalVerdict({ outcome: 'EXPIRED' }, 900)).toMatchObject({ pass: false, reason: expect.stringMatching(/^ApprovalExpired: EXPIRED, nobody answered within 900s/) });
  });
});
