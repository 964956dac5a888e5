/**
 * Issue 15: what the replica's DBInstanceStatus means for runbook 1 steps 2 and 4, per state. The
 * facts are AWS's: "Viewing Amazon RDS DB instance status"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html: 'modifying' is
 * "being modified because of a customer request to modify the DB instance"), PromoteReadReplica
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html: "a read
 * replica cannot be promoted to a standalone instance when it is in the backing-up status"),
 * "Promoting a read replica to be a standalone DB instance"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html: "replication is
 * stopped and the read replica is rebooted"), "Enabling automated backups"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.Enabling.html:
 * "a backup is immediately created").
 */
import type { ActionRecord } from '../guardrails';
import { failoverScope } from './gates';
import { promoteDecision, promotionProgress, promotionRequested, replicaNotPromotableReason } from './replica-states';
import type { ReplicaReading } from './signals';

const T0 = Date.parse('2026-01-15T03:00:00Z');
const SOURCE = 'arn:aws:rds:us-east-1:123456789012:db:regami-db-primary';
const ENDPOINT = { address: 'regami-db-replica.c9akciq32.us-west-2.rds.amazonaws.com', port: 5432 };
const INCIDENT = 'database-failover-regami-db-primary';
const WAIT = 'aws rds wait db-instance-available --db-instance-identifier regami-db-replica --region us-west-2';

const reading = (status: string | undefined, replica = true, over: Partial<ReplicaReading> = {}): ReplicaReading => ({
  instanceId: 'regami-db-replica',
  region: 'us-west-2',
  ...(status !== undefined ? { status } : {}),
  ...(replica ? { sourceIdentifier: SOURCE } : {}),
  endpoint: ENDPOINT,
  ...over,
});
const requested: ActionRecord = { scope: failoverScope('regami-db-primary'), action: 'promote-replica', at: T0, incidentKey: INCIDENT };

describe('step 2, Check Read Replica Health: why a replica is not promotable now', () => {
  it('modifying, still a replica: a change of its own, neither a promotion under way nor ready; names what RDS says is pending and how to wait', () => {
    const reason = replicaNotPromotableReason(reading('modifying', true, { pendingModifications: ['DBInstanceClass=db.r6g.large'] }), WAIT);
    expect(reason).toBe(
      `modifying (RDS: being modified at a customer's request; pending: DBInstanceClass=db.r6g.large) and still a replica: this failover requested no promotion, so this is not a promotion under way, and not ready either: PromoteReadReplica needs it available. Wait for it (${WAIT}), check it again, then promote`,
    );
  });

  it('backing-up: RDS cannot promote a replica while it is backing up', () => {
    expect(replicaNotPromotableReason(reading('backing-up'), WAIT)).toContain('backing-up (RDS: being backed up; a read replica cannot be promoted while backing-up): not a promotion');
  });

  it('a promotion state and no longer a replica: a promotion this failover did not request may be under way', () => {
    expect(replicaNotPromotableReason(reading('modifying', false), WAIT)).toContain('no longer a replica: a promotion this failover did not request may be under way; decide by hand');
  });

  it('a failed state, another transient state, and an unreadable replica are named as such', () => {
    expect(replicaNotPromotableReason(reading('storage-full'), WAIT)).toBe('storage-full (it cannot serve until someone acts)');
    expect(replicaNotPromotableReason(reading('upgrading'), WAIT)).toBe('upgrading: PromoteReadReplica needs it available');
    expect(replicaNotPromotableReason(reading(undefined, false, { describeError: 'ThrottlingException' }), WAIT)).toBe('unreadable (ThrottlingException)');
  });
});

describe('step 4, Promote Read Replica: promote, already under way, or stop', () => {
  it.each<[string, ReplicaReading, ActionRecord | undefined, string]>([
    ['available, a replica', reading('available'), undefined, 'promote'],
    ['available, a replica, promotion recorded (crashed before the call)', reading('available'), requested, 'promote'],
    ['no longer a replica', reading('backing-up', false), undefined, 'under-way'],
    ['modifying, a replica, promotion recorded', reading('modifying'), requested, 'under-way'],
    ['rebooting, a replica, promotion recorded', reading('rebooting'), requested, 'under-way'],
    ['backing-up, a replica, promotion recorded', reading('backing-up'), requested, 'under-way'],
    ['modifying, a replica, nothing recorded', reading('modifying'), undefined, 'stop'],
    ['backing-up, a replica, nothing recorded', reading('backing-up'), undefined, 'stop'],
    ['rebooting, a replica, nothing recorded', reading('rebooting'), undefined, 'stop'],
    ['storage-optimization, a replica, promotion recorded', reading('storage-optimization'), requested, 'stop'],
    ['unreadable (the step retries: never "promoted already" for want of a source)', reading(undefined, false, { describeError: 'AccessDenied' }), requested, 'unreadable'],
  ])('%s', (_name, live, req, kind) => {
    expect(promoteDecision(live, req).kind).toBe(kind);
  });

  it('says why it stops: an unrequested modification is not a promotion under way', () => {
    const d = promoteDecision(reading('modifying', true, { pendingModifications: ['DBInstanceClass=db.r6g.large'] }), undefined);
    expect(d).toEqual({
      kind: 'stop',
      reason: "replica regami-db-replica is modifying and still a replica (RDS: being modified at a customer's request; pending: DBInstanceClass=db.r6g.large): not promoting it (a modification this failover did not request: not a promotion under way, and PromoteReadReplica needs it available)",
    });
    expect(promoteDecision(reading('storage-optimization'), requested)).toMatchObject({ reason: expect.stringContaining("after this incident's PromoteReadReplica at 2026-01-15T03:00:00.000Z, a state a promotion does not pass through") });
  });

  it('the request is this incident\'s promote-replica on the primary\'s scope, not dropped at the last moment', () => {
    const others: ActionRecord[] = [
      { ...requested, incidentKey: 'database-failover-another' },
      { ...requested, action: 'pause-primary-service' },
      { ...requested, scope: 'db:other-db' },
      { ...requested, outcome: 'not-run' },
    ];
    expect(promotionRequested(others, INCIDENT, 'regami-db-primary')).toBeUndefined();
    // A call that threw may have half-applied: still a request.
    const failed = { ...requested, at: T0 + 5000, outcome: 'failed' as const };
    expect(promotionRequested([...others, requested, failed], INCIDENT, 'regami-db-primary')).toBe(failed);
  });
});

describe("step 4's wait: completed, in progress, or stop", () => {
  it.each<[string, ReplicaReading, string, boolean | undefined]>([
    ['modifying, still a replica', reading('modifying'), 'in-progress', false],
    ['rebooting, still a replica (past the point of no return)', reading('rebooting'), 'in-progress', true],
    ['backing-up, no longer a replica (the first automated backup)', reading('backing-up', false), 'in-progress', false],
    ['available, still a replica (the promotion has not shown yet)', reading('available'), 'in-progress', false],
    ['unreadable', reading(undefined, false, { describeError: 'ThrottlingException' }), 'in-progress', false],
    ['available, no longer a replica', reading('available', false), 'completed', undefined],
    ['a failed state', reading('incompatible-parameters', false), 'stop', undefined],
    ['a state no promotion passes through', reading('maintenance', false), 'stop', undefined],
  ])('%s', (_name, live, kind, rebooting) => {
    const p = promotionProgress(live);
    expect(p.kind).toBe(kind);
    if (p.kind === 'in-progress') expect(p.rebooting).toBe(rebooting);
    if (p.kind === 'completed') expect(p.endpoint).toEqual(ENDPOINT);
  });

  it('names the state it cannot judge', () => {
    expect(promotionProgress(reading('maintenance', false))).toEqual({
      kind: 'stop',
      reason: 'regami-db-replica is maintenance during the promotion: not a state a promotion passes through (modifying, rebooting, backing-up, then available), so it cannot be judged; decide by hand',
    });
    expect(promotionProgress(reading('storage-full'))).toEqual({ kind: 'stop', reason: 'regami-db-replica went to storage-full during the promotion' });
  });
});
