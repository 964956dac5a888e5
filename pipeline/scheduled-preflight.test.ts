/**
 * The scheduled readiness check (issue 16 item 3) on the simulated region: the replica was
 * deleted yesterday, no incident has happened yet; the daily check pages P3 NOT READY for the
 * failover runbook with the reason, publishes RunbookReady 0 for it and 1 for the others,
 * and changes nothing in the estate. When the replica is back, the page resolves.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { defaultConfig } from '../domain/config';
import { isMutatingCall } from '../adapters/aws/clients';
import { SimClock, SimWorld, baselineWorld, simClientSetup } from '../test/simulated-region';
import { freshStateTable } from '../test/support/state-table';
import { createRuntime } from '../adapters/runtime/create-runtime';
import { runScheduledPreflight } from './scheduled-preflight';

async function setup() {
  const spec = baselineWorld();
  const clock = new SimClock(Date.parse(spec.start));
  const world = SimWorld.create(spec, clock);
  const { endpoint, tableName } = await freshStateTable('preflight');
  const rt = createRuntime({ config: defaultConfig, clock, tableName, dynamoEndpoint: endpoint, clientSetup: simClientSetup(world), logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }) });
  return { rt, world };
}

describe('scheduled preflight', () => {
  it('replica deleted yesterday: pages P3 NOT READY before any incident, RunbookReady 0 for failover only, no mutation of the estate', async () => {
    const { rt, world } = await setup();
    const replica = world.regions.get('us-west-2')!.rds.instances.get('regami-db-replica')!;
    world.regions.get('us-west-2')!.rds.instances.delete('regami-db-replica');
    const results = await runScheduledPreflight(rt);

    expect(results.filter((r) => !r.ready).map((r) => r.runbook)).toEqual(['database-failover']);
    const pages = world.snsOutbox;
    expect(pages).toHaveLength(1);
    expect(pages[0]!.topicArn).toBe(defaultConfig.paging.topics.P3);
    expect(pages[0]!.subject).toMatch(/^ALARM: \[P3\] database-failover NOT READY: replica/);
    expect(pages[0]!.message).toContain('regami-db-replica not found in us-west-2: there is nothing to promote');
    expect(pages[0]!.message).not.toMatch(/would/);

    const published = world.regions.get('us-east-1')!.cloudwatch.published;
    expect(published.map((p) => [p.dimensions.Runbook, p.value])).toEqual([
      ['database-failover', 0],
      ['rollback-deployment', 1],
      ['scale-ecs', 1],
      ['investigate-5xx', 1],
      ['restore-from-backup', 1],
    ]);
    expect(published.every((p) => p.namespace === 'RunbookAutopilot' && p.metricName === 'RunbookReady')).toBe(true);
    const writes = world.calls.filter((c) => c.outcome === 'ok' && isMutatingCall(c.service, c.operation)).map((c) => `${c.service}.${c.operation}`);
    // Paging (SNS) is not a remediation call; the one write besides it is the metric.
    expect([...new Set(writes)]).toEqual(['CloudWatch.PutMetricData']);

    // The replica is recreated: the next run resolves the page on the same topic.
    world.regions.get('us-west-2')!.rds.instances.set('regami-db-replica', replica);
    const again = await runScheduledPreflight(rt);
    expect(again.every((r) => r.ready)).toBe(true);
    expect(world.snsOutbox).toHaveLength(2);
    expect(world.snsOutbox[1]!.subject).toMatch(/^OK: \[P3\] database-failover READY again/);
  });

  it('the simulator refuses a metric namespace AWS reserves (AWS/...)', async () => {
    const { rt } = await setup();
    const { PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    await expect(rt.aws.in('us-east-1').cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: [{ MetricName: 'x', Value: 1 }] }))).rejects.toThrow(/Namespace is invalid/);
  });
});
