/**
 * What the standby stage (config deployment.region = the secondary region, issue 15: a
 * statically stable failover) adds next to its functions, state table and topics: the
 * signals it judges "primary down" by without any API of the primary region.
 *
 * - A Route 53 health check of the primary stack's database path (HTTPS GET of the primary
 *   ALB's /health?check=db), run by Route 53's health checkers from several regions.
 * - The probe record pair config.dns.primaryHealthProbe: TXT failover records whose PRIMARY
 *   (answering healthyValue) carries that health check. Resolving it is Route 53's DNS data
 *   plane: it answers while Route 53's control plane and the primary region's APIs are down.
 * - An alarm in the secondary region on the replica's ReplicaLag (Maximum >= 120 s for 2
 *   minutes: replay stopped), one of config.alarms.databaseDown: the standby's trigger, routed
 *   by the secondary region's EventBridge.
 * A primary-region stage adds nothing here.
 */
import type { AutopilotConfig } from '../domain/config';
import type { CfnResource } from './cfn';

export const STANDBY_HEALTH_CHECK_ID = 'PrimaryDatabasePathHealthCheck';
export const STANDBY_PROBE_PRIMARY_ID = 'PrimaryHealthProbePrimaryRecord';
export const STANDBY_PROBE_SECONDARY_ID = 'PrimaryHealthProbeSecondaryRecord';
export const STANDBY_REPLAY_ALARM_ID = 'ReplicaReplayStoppedAlarm';
/** The replay-stopped alarm's name: the standby stage lists it in alarms.databaseDown. */
export const REPLAY_STOPPED_ALARM = 'regami-db-replica-replay-stopped';

export function isStandby(config: AutopilotConfig): boolean {
  return config.deployment.region !== config.primaryRegion;
}

export function standbyResources(config: AutopilotConfig): Record<string, CfnResource> {
  if (!isStandby(config)) return {};
  const probe = config.dns.primaryHealthProbe;
  if (!probe.recordName) throw new Error('a standby stage needs dns.primaryHealthProbe.recordName (its data-plane evidence)');
  const health = new URL(config.service.healthCheckUrl);
  const zoneName = `${config.dns.recordName.split('.').slice(1).join('.')}.`;
  if (!`${probe.recordName}.`.endsWith(zoneName)) throw new Error(`dns.primaryHealthProbe.recordName ${probe.recordName} is not in the zone ${zoneName}`);
  const txt = (value: string): string => `"${value}"`;
  return {
    [STANDBY_HEALTH_CHECK_ID]: {
      Type: 'AWS::Route53::HealthCheck',
      Properties: {
        HealthCheckConfig: {
          Type: 'HTTPS',
          FullyQualifiedDomainName: config.primaryAlb.dnsName,
          Port: 443,
          ResourcePath: `${health.pathname}${health.search}`,
          RequestInterval: 10,
          FailureThreshold: 3,
        },
        HealthCheckTags: [{ Key: 'Name', Value: `${config.stage}-primary-database-path` }],
      },
    },
    [STANDBY_PROBE_PRIMARY_ID]: {
      Type: 'AWS::Route53::RecordSet',
      Properties: {
        HostedZoneId: config.dns.hostedZoneId,
        Name: probe.recordName,
        Type: 'TXT',
        TTL: '10',
        SetIdentifier: 'primary',
        Failover: 'PRIMARY',
        HealthCheckId: { Ref: STANDBY_HEALTH_CHECK_ID },
        ResourceRecords: [txt(probe.healthyValue)],
      },
    },
    [STANDBY_PROBE_SECONDARY_ID]: {
      Type: 'AWS::Route53::RecordSet',
      Properties: {
        HostedZoneId: config.dns.hostedZoneId,
        Name: probe.recordName,
        Type: 'TXT',
        TTL: '10',
        SetIdentifier: 'secondary',
        Failover: 'SECONDARY',
        ResourceRecords: [txt('primary-unhealthy')],
      },
    },
    [STANDBY_REPLAY_ALARM_ID]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: REPLAY_STOPPED_ALARM,
        AlarmDescription: 'The cross-region replica replays nothing any more (ReplicaLag grows by the time elapsed): the standby failover starts its confirmation checks',
        Namespace: 'AWS/RDS',
        MetricName: 'ReplicaLag',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: config.database.replicaInstanceId }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        Threshold: 120,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      },
    },
  };
}
