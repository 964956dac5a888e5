import { baselineWorld, mergeWorld } from './baseline';
import { WorldSpecError } from './api';
import { SimWorld } from './world';
import { validateWorld } from './validate';
import { defaultConfig } from '../../domain/config';

describe('WorldSpec, baseline and overrides', () => {
  test('the baseline is valid, JSON-serialisable and matches defaultConfig names', () => {
    const w = baselineWorld();
    expect(validateWorld(w)).toEqual([]);
    expect(JSON.parse(JSON.stringify(w))).toEqual(w);
    expect(Object.keys(w.regions['us-east-1']?.rds?.instances ?? {})).toEqual([defaultConfig.database.primaryInstanceId]);
    expect(Object.keys(w.regions['us-west-2']?.rds?.instances ?? {})).toEqual([defaultConfig.database.replicaInstanceId]);
    expect(Object.keys(w.route53?.zones ?? {})).toEqual([defaultConfig.dns.hostedZoneId]);
    expect(w.regions['us-west-2']?.ecs?.clusters?.[defaultConfig.secondaryService.clusterName]?.services?.[defaultConfig.secondaryService.serviceName]?.desiredCount).toBe(0);
  });

  test('mergeWorld deep-merges objects, replaces arrays and deletes keys set to null, without touching the base', () => {
    const base = baselineWorld();
    const merged = mergeWorld(base, {
      regions: { 'us-east-1': { rds: { instances: { 'regami-db-primary': { status: 'failed', vpcSecurityGroupIds: ['sg-1'] } } }, elasticache: null } },
    });
    const primary = merged.regions['us-east-1']?.rds?.instances?.['regami-db-primary'];
    expect(primary).toMatchObject({ status: 'failed', vpcSecurityGroupIds: ['sg-1'], instanceClass: 'db.t3.medium' });
    expect(merged.regions['us-east-1']?.elasticache).toBeUndefined();
    expect(base.regions['us-east-1']?.rds?.instances?.['regami-db-primary']?.status).toBe('available');
    expect(base.regions['us-east-1']?.elasticache).toBeDefined();
  });

  test('an invalid world is refused with every problem named by its path', () => {
    const bad = mergeWorld(baselineWorld(), {
      regions: {
        'eu-west-1': {},
        'us-east-1': {
          rds: { instances: { 'regami-db-primary': { stauts: 'failed' } } },
          ecs: { clusters: { 'regami-cluster': { services: { 'regami-service': { taskDefinition: 'regami-api:99' } } } } },
          cloudwatch: { alarms: { 'regami-alb-5xx-high': { comparison: 'Bigger' } } },
        },
      },
      faults: [{ kind: 'throttle', service: 'RDS', probability: 1.5 }],
      schedule: [{ at: 60, change: { kind: 'db-status', region: 'us-east-1', id: 'regami-db-primary' } }],
    });
    let error: unknown;
    try {
      SimWorld.create(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorldSpecError);
    expect((error as WorldSpecError).problems).toEqual([
      expect.stringMatching(/^regions\.us-east-1\.rds\.instances\.regami-db-primary\.stauts: unknown field/),
      "regions.us-east-1.ecs.clusters.regami-cluster.services.regami-service.taskDefinition: 'regami-api:99' is not in regions.us-east-1.ecs.taskDefinitions",
      expect.stringMatching(/^regions\.us-east-1\.cloudwatch\.alarms\.regami-alb-5xx-high\.comparison: expected one of GreaterThanThreshold/),
      'regions.eu-west-1: unknown region (simulated: us-east-1, us-west-2)',
      'faults[0].probability: must be <= 1, got 1.5',
      'schedule[0].change.status: required',
    ]);
  });

  test('the world starts at the spec time on a shared clock, and a clock that is ahead is kept', () => {
    const w = SimWorld.create(baselineWorld());
    expect(new Date(w.now()).toISOString()).toBe('2026-01-15T03:00:00.000Z');
    w.clock.advanceBy(90_000);
    w.clock.advanceTo(w.startMs);
    expect(w.now()).toBe(w.startMs + 90_000);
    expect(() => w.clock.advanceBy(-1)).toThrow(/negative/);
  });
});
