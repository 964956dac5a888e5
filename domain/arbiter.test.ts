import { arbitrate, preemptedVerdict, releaseClaims, FREEZE_SECONDS, type ResourceClaim, type ArbiterRequest } from './arbiter';
import { holdLiftsAt, lockVerdict } from './guardrails';

const T0 = Date.UTC(2026, 0, 15, 3, 0, 0);
const SVC = 'service:regami-cluster/regami-service';
const req = (over: Partial<ArbiterRequest>): ArbiterRequest => ({ resource: SVC, activity: 'scaling', runbook: 'scale-ecs', incidentKey: 'scale-ecs-a', action: 'scale-out', now: T0, claimSeconds: 1800, ...over });
const claim = (over: Partial<ResourceClaim>): ResourceClaim => ({ resource: SVC, activity: 'scaling', runbook: 'scale-ecs', incidentKey: 'scale-ecs-a', action: 'scale-out', since: T0, until: T0 + 1800_000, ...over });

describe('arbitrate: failover > restore > rollback > scaling on one resource', () => {
  it('refuses a lower activity while a higher one is in progress, naming the holder', () => {
    const d = arbitrate([claim({ activity: 'rollback', runbook: 'rollback-deployment', incidentKey: 'rollback-deployment-d1', action: 'rollback' })], req({}));
    expect(d.verdict).toMatchObject({ guardrail: 'Arbiter', pass: false });
    expect(d.verdict.reason).toMatch(/^ResourceBusy: .*rollback-deployment-d1/);
  });

  it('a refusal carries its code: ResourceBusy under a rollback (wait), ResourceFrozen under a failover or a restore switch, Preempted for a preempted incident', () => {
    expect(arbitrate([claim({ activity: 'rollback', runbook: 'rollback-deployment', incidentKey: 'rollback-deployment-d1', action: 'rollback' })], req({})).verdict.code).toBe('ResourceBusy');
    expect(arbitrate([claim({ activity: 'failover', runbook: 'database-failover', incidentKey: 'database-failover-db', action: 'pause-primary-service' })], req({})).verdict.code).toBe('ResourceFrozen');
    expect(arbitrate([claim({ activity: 'restore', runbook: 'restore-from-backup', incidentKey: 'restore-from-backup-db', action: 'switch-application-database' })], req({})).verdict.code).toBe('ResourceFrozen');
    expect(preemptedVerdict('scale-ecs-a', 'database-failover-db')).toMatchObject({ guardrail: 'Arbiter', pass: false, code: 'Preempted' });
    expect(arbitrate([], req({})).verdict.code).toBeUndefined();
  });

  it('a higher activity preempts lower claims and takes the record', () => {
    const d = arbitrate([claim({})], req({ activity: 'failover', runbook: 'database-failover', incidentKey: 'database-failover-db', action: 'pause-primary-service' }));
    expect(d.verdict.pass).toBe(true);
    expect(d.preempted.map((c) => c.incidentKey)).toEqual(['scale-ecs-a']);
    expect(d.next).toEqual([expect.objectContaining({ incidentKey: 'database-failover-db', freeze: true, until: T0 + FREEZE_SECONDS * 1000 })]);
  });

  it('equal precedence for another incident waits; the same incident re-enters', () => {
    const held = [claim({ activity: 'rollback', runbook: 'rollback-deployment', incidentKey: 'rollback-deployment-d1', action: 'rollback' })];
    expect(arbitrate(held, req({ activity: 'rollback', runbook: 'rollback-deployment', incidentKey: 'rollback-deployment-d2', action: 'rollback' })).verdict.pass).toBe(false);
    expect(arbitrate(held, req({ activity: 'rollback', runbook: 'rollback-deployment', incidentKey: 'rollback-deployment-d1', action: 'rollback' })).verdict.pass).toBe(true);
  });

  it('expired claims are history', () => {
    const d = arbitrate([claim({ activity: 'failover', runbook: 'database-failover', incidentKey: 'database-failover-db', until: T0 - 1 })], req({}));
    expect(d.verdict.pass).toBe(true);
  });

  it('a freeze keeps its end when its own incident acts again on the resource, and survives the release', () => {
    const frozen = arbitrate([], req({ activity: 'failover', runbook: 'database-failover', incidentKey: 'database-failover-db', action: 'pause-primary-service' })).next;
    const again = arbitrate(frozen, req({ activity: 'failover', runbook: 'database-failover', incidentKey: 'database-failover-db', action: 'rollback-restart-primary', now: T0 + 60_000 }));
    expect(again.next[0]).toMatchObject({ freeze: true, until: T0 + FREEZE_SECONDS * 1000 });
    expect(releaseClaims(again.next, 'database-failover-db', T0 + 120_000)).toHaveLength(1);
    expect(releaseClaims([claim({})], 'scale-ecs-a', T0)).toHaveLength(0);
  });
});

describe('holdLiftsAt: which refusals a runbook may wait for', () => {
  it('a lock lifts at its expiry and a rollback rolling the resource at its claim end; a freeze and every other refusal are not waited for', () => {
    const until = T0 + 20 * 60_000;
    expect(holdLiftsAt(lockVerdict('service:c/s', { resource: 'service:c/s', owner: 'rollback-deployment-x', expiresAt: until }, 'scale-ecs-x', T0))).toBe(until);
    const busy = arbitrate([claim({ activity: 'rollback', runbook: 'rollback-deployment', incidentKey: 'rollback-deployment-d1', action: 'rollback', until })], req({})).verdict;
    expect(holdLiftsAt(busy)).toBe(until);
    const frozen = arbitrate([claim({ activity: 'failover', runbook: 'database-failover', incidentKey: 'database-failover-db', action: 'pause-primary-service', until })], req({})).verdict;
    expect(holdLiftsAt(frozen)).toBeUndefined();
    expect(holdLiftsAt({ guardrail: 'ActionBudget', pass: false, reason: 'spent', evidence: { expiresAt: new Date(until).toISOString() } })).toBeUndefined();
    expect(holdLiftsAt(lockVerdict('service:c/s', undefined, 'scale-ecs-x', T0))).toBeUndefined();
  });
});
