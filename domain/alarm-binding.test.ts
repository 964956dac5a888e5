import { alarmBindingVerdict, isConfiguredAlarm } from './alarm-binding';
import { defaultConfig } from './config';
import type { AlarmDetail } from '../events/types';

const state = { value: 'ALARM' as const, reason: 'Threshold Crossed', timestamp: 0 };
const metricAlarm = (namespace: string, name: string, dimensions: Record<string, string>): AlarmDetail => ({
  alarmName: 'regami-ecs-cpu-high',
  state,
  alarmType: 'metric',
  metrics: [{ id: 'm1', returnData: true, metricStat: { namespace, name, dimensions, period: 60, stat: 'Average' } }],
});

describe('alarms bound by identity (issue 13 item 3)', () => {
  it('configured alarms are exact names or ARNs, never prefixes', () => {
    expect(isConfiguredAlarm(['regami-ecs-cpu-high'], 'regami-ecs-cpu-high')).toBe(true);
    expect(isConfiguredAlarm(['regami-ecs-cpu-high'], 'regami-ecs-cpu-high-worker')).toBe(false);
    const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:regami-ecs-cpu-high';
    expect(isConfiguredAlarm([arn], 'regami-ecs-cpu-high', [arn])).toBe(true);
    expect(isConfiguredAlarm([arn], 'regami-ecs-cpu-high', ['arn:aws:cloudwatch:us-east-1:999999999999:alarm:regami-ecs-cpu-high'])).toBe(false);
  });

  it('a CPU alarm must measure CPUUtilization of our ClusterName/ServiceName', () => {
    expect(alarmBindingVerdict(metricAlarm('AWS/ECS', 'CPUUtilization', { ClusterName: 'regami-cluster', ServiceName: 'regami-service' }), 'cpu', defaultConfig).pass).toBe(true);
    const other = alarmBindingVerdict(metricAlarm('AWS/ECS', 'CPUUtilization', { ClusterName: 'regami-cluster', ServiceName: 'regami-worker' }), 'cpu', defaultConfig);
    expect(other).toMatchObject({ guardrail: 'AlarmBinding', pass: false });
    expect(other.reason).toMatch(/^AlarmNotBound: .*ServiceName=regami-worker/);
    expect(alarmBindingVerdict(metricAlarm('AWS/ECS', 'MemoryUtilization', { ClusterName: 'regami-cluster', ServiceName: 'regami-service' }), 'cpu', defaultConfig).pass).toBe(false);
  });

  it('metric math over our service and another service is not ours alone', () => {
    const base = metricAlarm('AWS/ECS', 'CPUUtilization', { ClusterName: 'regami-cluster', ServiceName: 'regami-service' });
    if (base.alarmType === 'composite') throw new Error('unreachable');
    const mixed: AlarmDetail = { ...base, alarmType: 'metric-math', metrics: [...base.metrics] };
    mixed.metrics.push({ id: 'm2', returnData: false, metricStat: { namespace: 'AWS/ECS', name: 'CPUUtilization', dimensions: { ClusterName: 'regami-cluster', ServiceName: 'regami-worker' }, period: 60, stat: 'Average' } });
    expect(alarmBindingVerdict(mixed, 'cpu', defaultConfig).pass).toBe(false);
  });

  it('5XX alarms bind by LoadBalancer, database-down alarms by DBInstanceIdentifier', () => {
    expect(alarmBindingVerdict(metricAlarm('AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', { LoadBalancer: defaultConfig.service.loadBalancerDimension }), 'fiveXx', defaultConfig).pass).toBe(true);
    expect(alarmBindingVerdict(metricAlarm('AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', { LoadBalancer: 'app/other-alb/1' }), 'fiveXx', defaultConfig).pass).toBe(false);
    expect(alarmBindingVerdict(metricAlarm('AWS/RDS', 'DatabaseConnections', { DBInstanceIdentifier: 'regami-db-primary' }), 'databaseDown', defaultConfig).pass).toBe(true);
    expect(alarmBindingVerdict(metricAlarm('AWS/RDS', 'DatabaseConnections', { DBInstanceIdentifier: 'regami-db-replica' }), 'databaseDown', defaultConfig).pass).toBe(false);
    expect(alarmBindingVerdict(metricAlarm('Regami/Health', 'DatabaseHealthCheckFailed', {}), 'databaseDown', defaultConfig).pass).toBe(false);
  });

  it("the standby's replay-stopped alarm binds by the replica's ReplicaLag only (issue 15: its trigger in the secondary region)", () => {
    expect(alarmBindingVerdict(metricAlarm('AWS/RDS', 'ReplicaLag', { DBInstanceIdentifier: 'regami-db-replica' }), 'databaseDown', defaultConfig).pass).toBe(true);
    expect(alarmBindingVerdict(metricAlarm('AWS/RDS', 'ReplicaLag', { DBInstanceIdentifier: 'regami-db-other-replica' }), 'databaseDown', defaultConfig).pass).toBe(false);
    expect(alarmBindingVerdict(metricAlarm('Custom/RDS', 'ReplicaLag', { DBInstanceIdentifier: 'regami-db-replica' }), 'databaseDown', defaultConfig).pass).toBe(false);
  });
});
