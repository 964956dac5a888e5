/**
 * The shared readers on the simulated region: one call per reading, and a missing resource
 * reported (or thrown) as the runbook adapters expect to tell it apart themselves.
 */
import { defaultConfig } from '../../domain/config';
import { simHarness } from '../../test/simulated-region/test-support';
import { alarmPages, readAlarms } from './alarm-reader';
import { readEcsService } from './ecs-service-reader';
import { readRdsInstance } from './rds-instance-reader';

const { service, database } = defaultConfig;
const operations = (h: ReturnType<typeof simHarness>) => h.observed.map((c) => c.operation);

describe('readEcsService', () => {
  it('reads the service in one DescribeServices call', async () => {
    const h = simHarness();
    const { service: s, failure } = await readEcsService(h.aws.in(service.region).ecs, service.clusterName, service.serviceName);
    expect(failure).toBeUndefined();
    expect(s).toMatchObject({ name: service.serviceName, status: 'ACTIVE', deploymentController: 'ECS' });
    expect(s?.deployments.find((d) => d.status === 'PRIMARY')?.taskDefinition).toBe(s?.taskDefinition);
    expect(operations(h)).toEqual(['DescribeServices']);
  });

  it('a missing service is no reading with the API failure reason, not an error (each runbook decides what it means)', async () => {
    const h = simHarness();
    expect(await readEcsService(h.aws.in(service.region).ecs, service.clusterName, 'no-such-service')).toEqual({ failure: 'MISSING' });
  });
});

describe('alarmPages / readAlarms', () => {
  // The simulated region answers DescribeAlarms three alarms a page; the baseline has four 'regami-' alarms.
  it('follows NextToken, at most maxPages pages', async () => {
    const h = simHarness();
    const cw = h.aws.in(defaultConfig.primaryRegion).cloudwatch;
    expect(await readAlarms(cw, { prefix: 'regami-' }, 1)).toHaveLength(3);
    expect(operations(h)).toEqual(['DescribeAlarms']);
    expect(await readAlarms(cw, { prefix: 'regami-' })).toHaveLength(4);
    expect(operations(h)).toHaveLength(3);
  });

  it('yields each page before asking for the next: what a caller took survives a later page failing', async () => {
    const h = simHarness();
    const taken: string[] = [];
    const read = (async () => {
      for await (const page of alarmPages(h.aws.in(defaultConfig.primaryRegion).cloudwatch, { prefix: 'regami-' })) {
        taken.push(...page.map((a) => a.name));
        h.world.addFault({ kind: 'throttle', service: 'CloudWatch', operation: 'DescribeAlarms' });
      }
    })();
    await expect(read).rejects.toMatchObject({ name: 'Throttling' });
    expect(taken).toHaveLength(3);
  });
});

describe('readRdsInstance', () => {
  it('reads the replica with its source and endpoint in one DescribeDBInstances call', async () => {
    const h = simHarness();
    const replica = await readRdsInstance(h.aws.in(database.replicaRegion).rds, database.replicaInstanceId);
    expect(replica).toMatchObject({ id: database.replicaInstanceId, status: 'available', replicaSourceId: expect.stringContaining(database.primaryInstanceId), endpoint: { address: expect.any(String) } });
    expect(operations(h)).toEqual(['DescribeDBInstances']);
  });

  it('throws DBInstanceNotFoundFault for a missing instance: the callers classify it their own way', async () => {
    const h = simHarness();
    await expect(readRdsInstance(h.aws.in(database.replicaRegion).rds, 'no-such-db')).rejects.toMatchObject({ name: 'DBInstanceNotFoundFault' });
  });
});
