import { DescribeAlarmsCommand, GetMetricDataCommand, GetMetricStatisticsCommand, paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import { FilterLogEventsCommand, GetQueryResultsCommand, StartQueryCommand, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { defaultConfig } from '../../domain/config';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { simHarness, type SimHarness } from './test-support';

const LB = { Name: 'LoadBalancer', Value: defaultConfig.service.loadBalancerDimension };

async function alarm(h: SimHarness, name: string) {
  const out = await h.aws.in('us-east-1').cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return out.MetricAlarms?.[0];
}

describe('simulated CloudWatch and Logs', () => {
  test('a quiet hour of the baseline keeps every alarm OK', async () => {
    const h = simHarness();
    h.advance(3600);
    const names: string[] = [];
    for await (const page of paginateDescribeAlarms({ client: h.aws.in('us-east-1').cloudwatch }, {})) {
      for (const a of page.MetricAlarms ?? []) {
        names.push(a.AlarmName ?? '');
        expect([a.AlarmName, a.StateValue]).toEqual([a.AlarmName, 'OK']);
      }
    }
    expect(names).toHaveLength(4);
    expect(h.world.awsEvents).toEqual([]);
  });

  test('metrics follow the scenario series; GetMetricStatistics honours period and statistic; the last complete minute is the newest datapoint', async () => {
    const h = simHarness({
      regions: { 'us-east-1': { cloudwatch: { metrics: { 'alb-target-5xx': { series: { points: [{ t: -3600, v: 0 }, { t: 120, v: 120 }] } } } } } },
    });
    h.advance(10 * 60);
    const out = await h.aws.in('us-east-1').cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Dimensions: [LB],
        StartTime: new Date(h.world.now() - 15 * 60_000),
        EndTime: new Date(h.world.now()),
        Period: 300,
        Statistics: ['Sum', 'Maximum'],
      }),
    );
    const points = (out.Datapoints ?? []).map((d) => [d.Timestamp?.toISOString(), d.Sum, d.Maximum]).sort();
    expect(points).toEqual([
      ['2026-01-15T02:55:00.000Z', 0, 0],
      ['2026-01-15T03:00:00.000Z', 360, 120],
      ['2026-01-15T03:05:00.000Z', 600, 120],
    ]);
    const data = await h.aws.in('us-east-1').cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(h.world.now() - 5 * 60_000),
        EndTime: new Date(h.world.now()),
        MetricDataQueries: [{ Id: 'e', MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: [LB] }, Period: 60, Stat: 'Sum' } }],
      }),
    );
    expect(data.MetricDataResults?.[0]?.Values).toEqual([120, 120, 120, 120, 120]);
    expect(data.MetricDataResults?.[0]?.Timestamps?.[0]?.toISOString()).toBe('2026-01-15T03:09:00.000Z');
  });

  test('an alarm computed from its metric goes to ALARM once enough periods breach, and emits the EventBridge state change', async () => {
    const h = simHarness({ regions: { 'us-east-1': { cloudwatch: { metrics: { 'alb-target-5xx': { series: { points: [{ t: -3600, v: 0 }, { t: 60, v: 200 }, { t: 600, v: 0 }] } } } } } } });
    h.advance(2 * 60);
    expect((await alarm(h, 'regami-alb-5xx-high'))?.StateValue).toBe('OK');
    h.advance(60);
    const a = await alarm(h, 'regami-alb-5xx-high');
    expect(a?.StateValue).toBe('ALARM');
    expect(a?.StateReason).toContain('Threshold Crossed: 2 out of the last 2 datapoints');
    expect(a?.StateUpdatedTimestamp?.toISOString()).toBe('2026-01-15T03:03:00.000Z');
    h.advance(10 * 60);
    expect((await alarm(h, 'regami-alb-5xx-high'))?.StateValue).toBe('OK');
    const changes = h.world.awsEvents.filter((e) => e['detail-type'] === 'CloudWatch Alarm State Change');
    expect(changes.map((e) => [(e.detail.state as { value: string }).value, (e.detail.previousState as { value: string }).value, e.time])).toEqual([
      ['ALARM', 'OK', '2026-01-15T03:03:00Z'],
      // The first quiet minute (03:10) leaves 1 of 2 datapoints breaching: below datapointsToAlarm, so OK at 03:11.
      ['OK', 'ALARM', '2026-01-15T03:11:00Z'],
    ]);
    expect(changes[0]).toMatchObject({ source: 'aws.cloudwatch', resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:regami-alb-5xx-high'], detail: { alarmName: 'regami-alb-5xx-high' } });
  });

  test('metrics react to the world: a failed primary drops DatabaseConnections to 0 and the connections alarm fires', async () => {
    const h = simHarness({ schedule: [{ at: 30, change: { kind: 'db-status', region: 'us-east-1', id: 'regami-db-primary', status: 'failed' } }] });
    h.advance(4 * 60);
    expect((await alarm(h, 'regami-db-connections-zero'))?.StateValue).toBe('ALARM');
    expect((await alarm(h, 'regami-alb-5xx-high'))?.StateValue).toBe('ALARM');
  });

  test('fixed alarms follow their timeline and scheduled changes', async () => {
    const h = simHarness({
      regions: { 'us-east-1': { cloudwatch: { alarms: { 'regami-db-down': { timeline: [{ t: 60, state: 'ALARM', reason: 'health check failing' }] } } } } },
      schedule: [{ at: 300, change: { kind: 'alarm-state', region: 'us-east-1', name: 'regami-db-down', state: 'OK' } }],
    });
    h.advance(61);
    expect(await alarm(h, 'regami-db-down')).toMatchObject({ StateValue: 'ALARM', StateReason: 'health check failing' });
    h.advance(300);
    expect((await alarm(h, 'regami-db-down'))?.StateValue).toBe('OK');
  });

  test('the replica lag of an RDS replica is served as the AWS/RDS ReplicaLag metric in its region', async () => {
    const h = simHarness({ schedule: [{ at: 120, change: { kind: 'replica-lag', region: 'us-west-2', id: 'regami-db-replica', seconds: 95 } }] });
    h.advance(5 * 60);
    const out = await h.aws.in('us-west-2').cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/RDS',
        MetricName: 'ReplicaLag',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'regami-db-replica' }],
        StartTime: new Date(h.world.now() - 5 * 60_000),
        EndTime: new Date(h.world.now()),
        Period: 60,
        Statistics: ['Maximum'],
      }),
    );
    expect((out.Datapoints ?? []).sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0)).map((d) => d.Maximum)).toEqual([2, 2, 95, 95, 95]);
  });

  // AWS: "Monitoring and tuning the replication process" (Amazon RDS User Guide,
  // USER_PostgreSQL.Replication.ReadReplicas.Monitor): on RDS for PostgreSQL ReplicaLag is
  // `extract(epoch from now() - pg_last_xact_replay_timestamp())`, the time since the last
  // replayed commit. A source that stops committing makes it grow by one second per second.
  test('ReplicaLag of a PostgreSQL replica grows with the time since the last replayed commit once its source stops, and follows its series again when the source serves', async () => {
    const h = simHarness({
      schedule: [
        { at: 120, change: { kind: 'db-status', region: 'us-east-1', id: 'regami-db-primary', status: 'failed' } },
        { at: 360, change: { kind: 'db-status', region: 'us-east-1', id: 'regami-db-primary', status: 'available' } },
      ],
    });
    h.advance(8 * 60);
    const out = await h.aws.in('us-west-2').cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/RDS',
        MetricName: 'ReplicaLag',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'regami-db-replica' }],
        StartTime: new Date(h.world.now() - 8 * 60_000),
        EndTime: new Date(h.world.now()),
        Period: 60,
        Statistics: ['Maximum'],
      }),
    );
    const values = (out.Datapoints ?? []).sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0)).map((d) => d.Maximum);
    // minutes starting 0..420 s: up (2 s), the failure at 120 s, growth 60 s per minute, recovery at 360 s.
    expect(values).toEqual([2, 2, 2, 62, 122, 182, 2, 2]);
  });

  test('FilterLogEvents matches filter patterns over scenario and generated lines, across pages', async () => {
    const h = simHarness({
      regions: {
        'us-east-1': {
          logs: {
            groups: {
              '/ecs/regami-api': {
                lines: [
                  { t: -120, message: 'ERROR POST /api/v1/dogs 500 sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 20 reached' },
                  { t: -60, message: 'ERROR GET /api/v1/users 500 Exception: boom' },
                ],
              },
            },
          },
        },
      },
    });
    const logs = h.aws.in('us-east-1').logs;
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: '/ecs/regami-api', startTime: h.world.now() - 3600_000, filterPattern: '"500" "POST"' }));
    expect(out.events?.map((e) => e.message)).toEqual(['ERROR POST /api/v1/dogs 500 sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 20 reached']);
    const either = await logs.send(new FilterLogEventsCommand({ logGroupName: '/ecs/regami-api', startTime: h.world.now() - 3600_000, filterPattern: '?TimeoutError ?Exception' }));
    expect(either.events).toHaveLength(2);
    let total = 0;
    let pages = 0;
    for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: '/ecs/regami-api', startTime: h.world.now() - 3600_000 })) {
      pages++;
      total += page.events?.length ?? 0;
    }
    expect(pages).toBeGreaterThan(1);
    // Every 30 s and every 90 s from T-1h to T inclusive, plus the two error lines.
    expect(total).toBe(121 + 41 + 2);
    const q = await logs.send(new StartQueryCommand({ logGroupName: '/ecs/regami-api', startTime: Math.floor(h.world.now() / 1000) - 3600, endTime: Math.floor(h.world.now() / 1000), queryString: 'fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 20' }));
    const results = await logs.send(new GetQueryResultsCommand({ queryId: q.queryId }));
    expect(results.status).toBe('Complete');
    expect(results.results?.map((r) => r.find((f) => f.field === '@message')?.value)).toEqual(['ERROR GET /api/v1/users 500 Exception: boom', expect.stringContaining('TimeoutError')]);
  });
});

describe('load shared by tasks', () => {
  test('a perTask metric scales with the running task count: a CPU spike at 2 tasks eases once scaled out to 4', async () => {
    const h = simHarness({
      regions: {
        'us-east-1': {
          cloudwatch: {
            metrics: {
              'ecs-cpu': {
                series: { points: [{ t: -3600, v: 35 }, { t: 0, v: 92 }] },
                perTask: { region: 'us-east-1', cluster: 'regami-cluster', service: 'regami-service', baselineTasks: 2 },
              },
            },
          },
        },
      },
    });
    h.advance(4 * 60);
    expect((await alarm(h, 'regami-ecs-cpu-high'))?.StateValue).toBe('ALARM');
    await h.aws.in('us-east-1').ecs.send(new UpdateServiceCommand({ cluster: 'regami-cluster', service: 'regami-service', desiredCount: 4 }));
    h.advance(5 * 60);
    expect((await alarm(h, 'regami-ecs-cpu-high'))?.StateValue).toBe('OK');
    const out = await h.aws.in('us-east-1').cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'ClusterName', Value: 'regami-cluster' }, { Name: 'ServiceName', Value: 'regami-service' }],
        StartTime: new Date(h.world.now() - 60_000),
        EndTime: new Date(h.world.now()),
        Period: 60,
        Statistics: ['Average'],
      }),
    );
    expect(out.Datapoints?.[0]?.Average).toBe(46);
  });
});
