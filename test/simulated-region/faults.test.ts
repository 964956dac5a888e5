import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { simHarness } from './test-support';

const describePrimary = new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'regami-db-primary' });

describe('fault injection', () => {
  test('throttling of the first N calls is retried by the SDK and the call succeeds; every attempt is recorded and observed', async () => {
    const h = simHarness({ faults: [{ kind: 'throttle', service: 'RDS', operation: 'DescribeDBInstances', first: 2 }] });
    const out = await h.aws.in('us-east-1').rds.send(describePrimary);
    expect(out.$metadata.attempts).toBe(3);
    expect(out.DBInstances?.[0]?.DBInstanceStatus).toBe('available');
    expect(h.world.calls.map((c) => [c.attempt, c.outcome, c.error, c.injected])).toEqual([
      [1, 'error', 'Throttling', 'throttle'],
      [2, 'error', 'Throttling', 'throttle'],
      [3, 'ok', undefined, undefined],
    ]);
    expect(h.observed.map((c) => [c.operation, c.attempt, c.error])).toEqual([
      ['DescribeDBInstances', 1, 'Throttling'],
      ['DescribeDBInstances', 2, 'Throttling'],
      ['DescribeDBInstances', 3, undefined],
    ]);
  });

  test('JSON-protocol services throttle with ThrottlingException, also retried', async () => {
    const h = simHarness({ faults: [{ kind: 'throttle', service: 'ECS', first: 1 }] });
    const out = await h.aws.in('us-east-1').ecs.send(new DescribeServicesCommand({ cluster: 'regami-cluster', services: ['regami-service'] }));
    expect(out.$metadata.attempts).toBe(2);
    expect(h.world.calls[0]).toMatchObject({ error: 'ThrottlingException', injected: 'throttle' });
  });

  test('a persistent 5xx exhausts the retries and surfaces as a server fault', async () => {
    const h = simHarness({ faults: [{ kind: 'server-error', service: 'RDS', operation: 'DescribeDBInstances', status: 503 }] });
    const err = await h.aws.in('us-east-1').rds.send(describePrimary).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503, attempts: 5 } });
    expect(h.world.calls).toHaveLength(5);
  });

  test('a 500 on the first attempt only is absorbed by a retry', async () => {
    const h = simHarness({ faults: [{ kind: 'server-error', service: 'RDS', first: 1 }] });
    const out = await h.aws.in('us-east-1').rds.send(describePrimary);
    expect(out.$metadata.attempts).toBe(2);
    expect(h.world.calls[0]).toMatchObject({ error: 'InternalFailure', injected: 'server-error' });
  });

  test('timeouts are transient errors the SDK retries', async () => {
    const h = simHarness({ faults: [{ kind: 'timeout', service: 'CloudWatch', operation: 'DescribeAlarms', first: 1 }] });
    const before = h.world.now();
    const out = await h.aws.in('us-east-1').cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['regami-alb-5xx-high'] }));
    expect(out.$metadata.attempts).toBe(2);
    expect(h.world.calls[0]).toMatchObject({ error: 'TimeoutError', injected: 'timeout' });
    expect(h.world.now()).toBe(before);
  });

  test('probabilistic throttling is deterministic for a seed', async () => {
    const run = async () => {
      const h = simHarness({ seed: 42, faults: [{ kind: 'throttle', service: 'RDS', probability: 0.5 }] });
      for (let i = 0; i < 10; i++) await h.aws.in('us-east-1').rds.send(describePrimary);
      return h.world.calls.map((c) => c.outcome);
    };
    const first = await run();
    expect(first).toContain('error');
    expect(first).toContain('ok');
    expect(await run()).toEqual(first);
  });

  test('faults can be windowed in simulated time, installed by a schedule and cleared at runtime', async () => {
    const h = simHarness({
      faults: [{ id: 'early', kind: 'server-error', service: 'RDS', until: 60 }],
      schedule: [{ at: 120, change: { kind: 'fault', fault: { id: 'late', kind: 'throttle', service: 'RDS' } } }],
    });
    const rds = h.aws.in('us-east-1').rds;
    await expect(rds.send(describePrimary)).rejects.toMatchObject({ name: 'InternalFailure' });
    h.advance(60);
    await expect(rds.send(describePrimary)).resolves.toMatchObject({ $metadata: { attempts: 1 } });
    h.advance(60);
    await expect(rds.send(describePrimary)).rejects.toMatchObject({ name: 'Throttling' });
    h.world.clearFaults(['late']);
    await expect(rds.send(describePrimary)).resolves.toMatchObject({ $metadata: { attempts: 1 } });
  });

  test('an invalid fault or change is rejected with the path of the problem', () => {
    const h = simHarness();
    expect(() => h.world.addFault({ kind: 'throttle', service: 'RDS', probability: 2 })).toThrow(/fault\.probability: must be <= 1/);
    expect(() => h.world.addFault({ kind: 'hang', what: 'rds-explode' } as never)).toThrow(/fault\.what: expected one of rds-promotion/);
    expect(() => h.world.apply({ kind: 'db-status', region: 'eu-west-1', id: 'x', status: 'failed' })).toThrow(/change\.region: expected one of us-east-1, us-west-2/);
  });
});
