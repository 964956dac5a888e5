/**
 * Reads the facts domain/preflight.ts judges: read-only calls only (Describe*, List*, Get*;
 * GetSecretValue / GetParameter for a DATABASE_URL reference, whose value is never kept),
 * so `autopilot preflight` runs with an operator's read-only credentials and the scheduled
 * function with a read-only role. Every read is caught on its own: a fact that cannot be read
 * becomes { ok: false, error } and fails its check by name, the others still run.
 *
 * Not read here: the IAM policy simulation (facts.iamDenied), adapters/aws/iam-simulation.ts,
 * which needs the stack's identity (table, paging key): the scheduled function and the CLI add it.
 */
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { GetDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import type { AutopilotConfig, EcsServiceConfig, Severity } from '../../domain/config';
import { codeDeployConfigured } from '../../domain/features';
import type { AlarmFact, DatabaseUrlFact, DbInstanceFact, Fact, PreflightFacts, RecordFact, ServiceFact, TaskRolesFact } from '../../domain/preflight';
import { databaseUrlEndpoint } from './database-url-read';
import type { AwsRegions } from './clients';
import { alarmSelector, readAlarms } from './alarm-reader';
import { readEcsService } from './ecs-service-reader';
import { readRdsInstance, type RdsInstanceReading } from './rds-instance-reader';
import './sdk/rds';
import './sdk/ecs';
import './sdk/cloudwatch';
import './sdk/route53';
import './sdk/appAutoScaling';
import './sdk/codedeploy';
import './sdk/sns';

async function fact<T>(read: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

const NOT_FOUND = new Set(['DBInstanceNotFoundFault', 'DBInstanceNotFound']);

export async function readPreflightFacts(aws: AwsRegions, config: AutopilotConfig, now: number): Promise<PreflightFacts> {
  const db = config.database;
  const primaryRds = aws.in(config.service.region).rds;

  const instance = async (region: string, id: string): Promise<DbInstanceFact | undefined> => {
    let found: RdsInstanceReading | undefined;
    try {
      found = await readRdsInstance(aws.in(region).rds, id);
    } catch (err) {
      if (err instanceof Error && NOT_FOUND.has(err.name)) return undefined;
      throw err;
    }
    if (!found) return undefined;
    return {
      id,
      status: found.status ?? 'unknown',
      ...(found.replicaSourceId ? { replicaSourceId: found.replicaSourceId } : {}),
      backupRetentionDays: found.backupRetentionDays ?? 0,
      ...(found.latestRestorableTime !== undefined ? { latestRestorableTime: found.latestRestorableTime } : {}),
    };
  };

  const service = async (svc: EcsServiceConfig): Promise<ServiceFact | undefined> => {
    const { service: s } = await readEcsService(aws.in(svc.region).ecs, svc.clusterName, svc.serviceName);
    if (!s) return undefined;
    return { status: s.status ?? 'unknown', desired: s.desired, taskDefinition: s.taskDefinition ?? '' };
  };

  /** The service's current task definition, read once for DATABASE_URL and for its roles. */
  const currentTaskDefinition = async (svc: EcsServiceConfig): Promise<{ arn: string; td: TaskDefinition | undefined } | undefined> => {
    const current = await service(svc);
    if (!current?.taskDefinition) return undefined;
    return { arn: current.taskDefinition, td: (await aws.in(svc.region).ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: current.taskDefinition }))).taskDefinition };
  };
  const primaryTd = currentTaskDefinition(config.service);
  const secondaryTd = currentTaskDefinition(config.secondaryService);
  // Both facts await the same read; neither leaves a rejection unobserved.
  primaryTd.catch(() => undefined);
  secondaryTd.catch(() => undefined);

  const databaseUrl = async (svc: EcsServiceConfig, read: typeof primaryTd): Promise<DatabaseUrlFact> => {
    const td = (await read)?.td;
    if (!td) return { present: false };
    // Read as the runbooks read it (a reference in the service's Region, within the configured
    // prefixes); only whether it is there and usable is kept: its value (a password) never is.
    const at = await databaseUrlEndpoint(aws, svc.region, td, svc.containerName, config.database.urlReferences);
    return { present: at.present, ...(at.from ? { from: at.from } : {}), ...(at.problem ? { problem: at.problem } : {}) };
  };

  const taskRoles = async (read: typeof primaryTd): Promise<TaskRolesFact | undefined> => {
    const current = await read;
    if (!current?.td) return undefined;
    return {
      taskDefinition: current.td.taskDefinitionArn?.split('/').pop() ?? current.arn,
      ...(current.td.taskRoleArn ? { taskRoleArn: current.td.taskRoleArn } : {}),
      ...(current.td.executionRoleArn ? { executionRoleArn: current.td.executionRoleArn } : {}),
    };
  };

  const [primaryDb, replicaDb, replicaLagSeconds, latestSnapshotAt, primaryService, secondaryService, primaryRevisions, primaryDatabaseUrl, secondaryDatabaseUrl, primaryTaskRoles, secondaryTaskRoles, alarms, records, scalableTarget, subscriptions] =
    await Promise.all([
      fact(() => instance(config.service.region, db.primaryInstanceId)),
      fact(() => instance(db.replicaRegion, db.replicaInstanceId)),
      fact(async () => {
        const out = await aws.in(db.replicaRegion).cloudwatch.send(
          new GetMetricDataCommand({
            StartTime: new Date(now - 600_000),
            EndTime: new Date(now),
            ScanBy: 'TimestampDescending',
            MetricDataQueries: [{ Id: 'lag', MetricStat: { Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: db.replicaInstanceId }] }, Period: 60, Stat: 'Maximum' }, ReturnData: true }],
          }),
        );
        const r = out.MetricDataResults?.find((m) => m.Id === 'lag');
        const pairs = (r?.Timestamps ?? []).map((t, i) => ({ t: t.getTime(), v: r?.Values?.[i] })).filter((p): p is { t: number; v: number } => typeof p.v === 'number');
        return pairs.sort((a, b) => b.t - a.t)[0]?.v;
      }),
      fact(async () => {
        const times: number[] = [];
        let marker: string | undefined;
        do {
          const out = await primaryRds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: db.primaryInstanceId, ...(marker ? { Marker: marker } : {}) }));
          for (const s of out.DBSnapshots ?? []) if (s.Status === 'available' && s.SnapshotCreateTime) times.push(s.SnapshotCreateTime.getTime());
          marker = out.Marker;
        } while (marker);
        return times.length > 0 ? Math.max(...times) : undefined;
      }),
      fact(() => service(config.service)),
      fact(() => service(config.secondaryService)),
      fact(async () => {
        const out = await aws.in(config.service.region).ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: config.service.taskFamily, status: 'ACTIVE', sort: 'DESC' }));
        return (out.taskDefinitionArns ?? []).map((arn) => arn.split('/').pop() ?? arn);
      }),
      fact(() => databaseUrl(config.service, primaryTd)),
      fact(() => databaseUrl(config.secondaryService, secondaryTd)),
      fact(() => taskRoles(primaryTd)),
      fact(() => taskRoles(secondaryTd)),
      fact(async () => {
        const cw = aws.in(config.primaryRegion).cloudwatch;
        const patterns = [...config.alarms.fiveXx, ...config.alarms.cpu, ...config.alarms.databaseDown];
        const found = new Map<string, AlarmFact>();
        for (const p of patterns) {
          for (const a of await readAlarms(cw, alarmSelector(p), 1)) {
            found.set(a.name, { name: a.name, ...(a.kind === 'composite' || a.metricMath ? { composite: true } : { namespace: a.namespace, metricName: a.metricName }) });
          }
        }
        return [...found.values()];
      }),
      fact(async () => {
        const out = await aws.in(config.primaryRegion).route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: config.dns.hostedZoneId, StartRecordName: config.dns.recordName }));
        return (out.ResourceRecordSets ?? []).map((r): RecordFact => ({ name: r.Name ?? '', type: r.Type ?? '', ...(r.SetIdentifier ? { setIdentifier: r.SetIdentifier } : {}), ...(r.Failover ? { failover: r.Failover } : {}) }));
      }),
      fact(async () => {
        const out = await aws.in(config.service.region).appAutoScaling.send(
          new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [`service/${config.service.clusterName}/${config.service.serviceName}`], ScalableDimension: 'ecs:service:DesiredCount' }),
        );
        const t = out.ScalableTargets?.[0];
        return t ? { min: t.MinCapacity ?? 0, max: t.MaxCapacity ?? 0 } : undefined;
      }),
      fact(async () => {
        const out = {} as Record<Severity, { confirmed: number; pending: number }>;
        for (const severity of ['P1', 'P2', 'P3', 'P4'] as const) {
          const arn = config.paging.topics[severity];
          const region = arn.split(':')[3] ?? config.primaryRegion;
          const subs = (await aws.in(region).sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions ?? [];
          const pending = subs.filter((s) => s.SubscriptionArn === 'PendingConfirmation').length;
          out[severity] = { confirmed: subs.length - pending, pending };
        }
        return out;
      }),
    ]);

  const facts: PreflightFacts = {
    primaryDb,
    replicaDb,
    replicaLagSeconds,
    latestSnapshotAt,
    primaryService,
    secondaryService,
    primaryRevisions,
    primaryDatabaseUrl,
    secondaryDatabaseUrl,
    primaryTaskRoles,
    secondaryTaskRoles,
    alarms,
    records,
    scalableTarget,
    subscriptions,
  };
  if (codeDeployConfigured(config)) {
    facts.codeDeployGroup = await fact(async () => {
      try {
        await aws.in(config.service.region).codedeploy.send(new GetDeploymentGroupCommand({ applicationName: config.codeDeploy.applicationName, deploymentGroupName: config.codeDeploy.deploymentGroupName }));
        return true;
      } catch (err) {
        if (err instanceof Error && (err.name === 'DeploymentGroupDoesNotExistException' || err.name === 'ApplicationDoesNotExistException')) return false;
        throw err;
      }
    });
  }
  return facts;
}
