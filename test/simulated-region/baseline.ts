/**
 * baselineWorld(): a healthy production matching defaultConfig, so a scenario only
 * describes what differs (deep-merged with mergeWorld; arrays replace).
 *
 * Primary DB available in us-east-1, cross-region replica in us-west-2 lagging ~2 s,
 * regami-service running 2 tasks of regami-api:41 for three days, the secondary service
 * at 0, Route53 failover records, alarms OK, 5XX ~0, CPU ~35 %.
 */
import { defaultConfig, type EcsServiceConfig } from '../../domain/config';
import type { AlarmSpec, MetricSpec, TaskDefinitionSpec, WorldSpec } from './spec';

/** The drill's default T+0. */
export const BASELINE_START = '2026-01-15T03:00:00.000Z';

const DAY = 86400;
const cfg = defaultConfig;
const ACCOUNT = cfg.accountIds[0] ?? '123456789012';
const PRIMARY = cfg.database.primaryInstanceId;
const REPLICA = cfg.database.replicaInstanceId;
const primaryRegion = cfg.primaryRegion;
const secondaryRegion = cfg.secondaryRegion;

export function dbEndpoint(id: string, region: string): string {
  return `${id}.c9akciq32.${region}.rds.amazonaws.com`;
}

function databaseUrl(host: string): string {
  return `postgresql://regami_app@${host}:${cfg.database.port}/${cfg.database.databaseName}`;
}

function apiRevision(revision: number, registeredAt: number, region: string, dbHost: string, svc: EcsServiceConfig = cfg.service): TaskDefinitionSpec {
  return {
    family: svc.taskFamily,
    revision,
    registeredAt,
    cpu: '512',
    memory: '1024',
    // The roles the configured service's revisions carry (a clone passes them: iam:PassRole).
    ...(svc.taskRoleArn !== '' ? { taskRoleArn: svc.taskRoleArn } : {}),
    ...(svc.executionRoleArn !== '' ? { executionRoleArn: svc.executionRoleArn } : {}),
    containers: {
      [svc.containerName]: {
        image: `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/regami-api:v1.${revision - 30}.0`,
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        environment: {
          DATABASE_URL: databaseUrl(dbHost),
          DATABASE_CREDENTIALS_SECRET: cfg.database.credentialsSecretName,
          REDIS_HOST: `${cfg.dependencies.elastiCacheClusterIds[0] ?? 'regami-redis'}.abc123.0001.use1.cache.amazonaws.com`,
          S3_BUCKET: cfg.dependencies.s3Buckets[0] ?? 'regami-uploads',
        },
      },
    },
    tags: { application: 'regami', 'git-sha': `a1b2c3${revision}`, 'deployed-by': 'github-actions' },
  };
}

function albMetric(metricName: string, series: MetricSpec['series'], unit: string): MetricSpec {
  return { namespace: 'AWS/ApplicationELB', metricName, dimensions: { LoadBalancer: cfg.service.loadBalancerDimension }, unit, series };
}

/** The primary DB is unusable (the app cannot reach it): the statuses in which connections drop. */
const PRIMARY_DB_UP = ['available', 'modifying', 'backing-up', 'maintenance', 'configuring-enhanced-monitoring', 'upgrading'];

function metricAlarm(a: AlarmSpec): AlarmSpec {
  return { mode: 'metric', state: 'OK', period: 60, actionsEnabled: true, treatMissingData: 'missing', ...a };
}

export function baselineWorld(): WorldSpec {
  const primaryHost = dbEndpoint(PRIMARY, primaryRegion);
  const replicaHost = dbEndpoint(REPLICA, secondaryRegion);
  const primaryDbDown = { not: { dbStatus: { region: primaryRegion, id: PRIMARY, status: PRIMARY_DB_UP } } };
  const snapshots: NonNullable<NonNullable<WorldSpec['regions'][string]['rds']>['snapshots']> = {};
  for (let d = 1; d <= cfg.database.backupRetentionDays; d++) {
    const day = new Date(Date.parse(BASELINE_START) - d * DAY * 1000).toISOString().slice(0, 10);
    snapshots[`rds:${PRIMARY}-${day}-03-05`] = { instanceId: PRIMARY, type: 'automated', status: 'available', createdAt: -d * DAY + 300, engine: 'postgres', allocatedStorage: 100 };
  }
  return {
    account: ACCOUNT,
    start: BASELINE_START,
    seed: 1,
    regions: {
      [primaryRegion]: {
        rds: {
          instances: {
            [PRIMARY]: {
              status: 'available',
              instanceClass: cfg.database.instanceClass,
              engine: 'postgres',
              engineVersion: '15.7',
              endpointAddress: primaryHost,
              port: cfg.database.port,
              dbName: cfg.database.databaseName,
              masterUsername: 'regami_admin',
              backupRetentionPeriod: cfg.database.backupRetentionDays,
              multiAZ: true,
              createdAt: -400 * DAY,
              subnetGroupName: cfg.database.subnetGroupName,
              vpcSecurityGroupIds: cfg.database.securityGroupIds,
              availabilityZone: `${primaryRegion}a`,
              deletionProtection: true,
              parameterGroupName: 'regami-postgres15',
              optionGroupName: 'regami-postgres15-options',
              storageType: 'gp3',
              kmsKeyId: `arn:aws:kms:${primaryRegion}:${ACCOUNT}:key/5e7d3f0a-1b2c-4d5e-8f90-a1b2c3d4e5f6`,
              tags: { application: 'regami', 'cost-center': 'platform' },
            },
          },
          snapshots,
        },
        ecs: {
          clusters: {
            [cfg.service.clusterName]: {
              services: {
                [cfg.service.serviceName]: {
                  taskDefinition: `${cfg.service.taskFamily}:41`,
                  desiredCount: 2,
                  deployedAt: -3 * DAY,
                  launchType: 'FARGATE',
                  loadBalancers: [{ targetGroupArn: cfg.service.targetGroupArn, containerName: cfg.service.containerName, containerPort: 8080 }],
                  circuitBreaker: { enable: true, rollback: false },
                },
              },
            },
          },
          taskDefinitions: {
            [`${cfg.service.taskFamily}:39`]: apiRevision(39, -24 * DAY, primaryRegion, primaryHost),
            [`${cfg.service.taskFamily}:40`]: apiRevision(40, -10 * DAY, primaryRegion, primaryHost),
            [`${cfg.service.taskFamily}:41`]: apiRevision(41, -3 * DAY - 600, primaryRegion, primaryHost),
          },
        },
        cloudwatch: {
          metrics: {
            'alb-target-5xx': { ...albMetric('HTTPCode_Target_5XX_Count', 0, 'Count'), overrides: [{ when: primaryDbDown, series: 180 }] },
            'alb-elb-5xx': albMetric('HTTPCode_ELB_5XX_Count', 0, 'Count'),
            'alb-requests': albMetric('RequestCount', 1200, 'Count'),
            'alb-latency': albMetric('TargetResponseTime', 0.12, 'Seconds'),
            'ecs-cpu': {
              namespace: 'AWS/ECS',
              metricName: 'CPUUtilization',
              dimensions: { ClusterName: cfg.service.clusterName, ServiceName: cfg.service.serviceName },
              unit: 'Percent',
              series: 35,
            },
            'ecs-memory': {
              namespace: 'AWS/ECS',
              metricName: 'MemoryUtilization',
              dimensions: { ClusterName: cfg.service.clusterName, ServiceName: cfg.service.serviceName },
              unit: 'Percent',
              series: 55,
            },
            'rds-cpu': { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: { DBInstanceIdentifier: PRIMARY }, unit: 'Percent', series: 20, overrides: [{ when: primaryDbDown, series: 0 }] },
            'rds-connections': {
              namespace: 'AWS/RDS',
              metricName: 'DatabaseConnections',
              dimensions: { DBInstanceIdentifier: PRIMARY },
              unit: 'Count',
              series: 42,
              overrides: [{ when: primaryDbDown, series: 0 }],
            },
            'rds-free-storage': { namespace: 'AWS/RDS', metricName: 'FreeStorageSpace', dimensions: { DBInstanceIdentifier: PRIMARY }, unit: 'Bytes', series: 54e9 },
          },
          alarms: {
            'regami-alb-5xx-high': metricAlarm({
              namespace: 'AWS/ApplicationELB',
              metricName: 'HTTPCode_Target_5XX_Count',
              dimensions: { LoadBalancer: cfg.service.loadBalancerDimension },
              statistic: 'Sum',
              evaluationPeriods: 2,
              threshold: 50,
              comparison: 'GreaterThanThreshold',
              treatMissingData: 'notBreaching',
              description: 'ALB target 5XX responses above 50 per minute for 2 minutes',
            }),
            'regami-ecs-cpu-high': metricAlarm({
              namespace: 'AWS/ECS',
              metricName: 'CPUUtilization',
              dimensions: { ClusterName: cfg.service.clusterName, ServiceName: cfg.service.serviceName },
              statistic: 'Average',
              evaluationPeriods: 3,
              threshold: 80,
              comparison: 'GreaterThanThreshold',
              description: 'regami-service average CPU above 80% for 3 minutes',
            }),
            'regami-db-connections-zero': metricAlarm({
              namespace: 'AWS/RDS',
              metricName: 'DatabaseConnections',
              dimensions: { DBInstanceIdentifier: PRIMARY },
              statistic: 'Maximum',
              evaluationPeriods: 3,
              threshold: 0,
              comparison: 'LessThanOrEqualToThreshold',
              treatMissingData: 'breaching',
              description: 'No connections to the primary database for 3 minutes',
            }),
            'regami-db-down': { mode: 'fixed', state: 'OK', description: 'Primary database health check failing', namespace: 'Regami/Health', metricName: 'DatabaseHealthCheckFailed', dimensions: { DBInstanceIdentifier: PRIMARY }, statistic: 'Maximum', period: 60, evaluationPeriods: 3, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold' },
          },
        },
        logs: {
          groups: {
            [cfg.service.logGroupName]: {
              generators: [
                { from: -2 * 3600, to: 24 * 3600, everySeconds: 30, message: 'INFO GET /health?check=db 200 4ms', stream: 'ecs/app/baseline' },
                { from: -2 * 3600, to: 24 * 3600, everySeconds: 90, message: 'INFO POST /api/v1/uploads 201 87ms', stream: 'ecs/app/baseline' },
              ],
            },
          },
        },
        codedeploy: {
          applications: {
            [cfg.codeDeploy.applicationName]: {
              computePlatform: 'ECS',
              groups: {
                [cfg.codeDeploy.deploymentGroupName]: {
                  deployments: {
                    'd-BASE00040': { status: 'Succeeded', createdAt: -10 * DAY, completedAt: -10 * DAY + 600, taskDefinition: `${cfg.service.taskFamily}:40`, creator: 'user' },
                    'd-BASE00041': { status: 'Succeeded', createdAt: -3 * DAY, completedAt: -3 * DAY + 600, taskDefinition: `${cfg.service.taskFamily}:41`, creator: 'user' },
                  },
                  rollbackOutcome: 'Succeeded',
                  rollbackSeconds: 120,
                },
              },
            },
          },
        },
        elbv2: {
          targetGroups: {
            [cfg.service.targetGroupArn]: { name: 'regami-tg', port: 8080, protocol: 'HTTP', healthCheckPath: '/health' },
            [cfg.service.blueTargetGroupArn]: {
              name: 'regami-blue-tg',
              port: 8080,
              protocol: 'HTTP',
              healthCheckPath: '/health',
              targets: [
                { id: '10.0.1.21', port: 8080, state: 'healthy' },
                { id: '10.0.2.22', port: 8080, state: 'healthy' },
              ],
            },
            [cfg.service.greenTargetGroupArn]: { name: 'regami-green-tg', port: 8080, protocol: 'HTTP', healthCheckPath: '/health', targets: [] },
          },
          listeners: {
            [cfg.service.listenerArn]: {
              loadBalancerArn: `arn:aws:elasticloadbalancing:${primaryRegion}:${ACCOUNT}:loadbalancer/${cfg.service.loadBalancerDimension}`,
              port: 443,
              protocol: 'HTTPS',
              forward: [{ targetGroupArn: cfg.service.targetGroupArn, weight: 100 }],
            },
          },
        },
        s3: {
          buckets: Object.fromEntries(
            cfg.dependencies.s3Buckets.map((bucket) => [
              bucket,
              {
                versioning: 'Enabled' as const,
                objects: {
                  'uploads/2026/01/avatar-1.png': [
                    { versionId: 'v1a.avatar1', lastModified: -5 * DAY, size: 20480 },
                    { versionId: 'v1b.avatar1', lastModified: -1 * DAY, size: 21004 },
                  ],
                  'uploads/2026/01/report-7.pdf': [{ versionId: 'v7a.report7', lastModified: -2 * DAY, size: 340112 }],
                  'uploads/2026/01/contract-3.pdf': [{ versionId: 'v3a.contract3', lastModified: -4 * DAY, size: 120330 }],
                },
              },
            ]),
          ),
        },
        autoscaling: {
          targets: {
            [`service/${cfg.service.clusterName}/${cfg.service.serviceName}`]: {
              namespace: 'ecs',
              resourceId: `service/${cfg.service.clusterName}/${cfg.service.serviceName}`,
              dimension: 'ecs:service:DesiredCount',
              minCapacity: cfg.guardrails.scaling.minTasks,
              maxCapacity: cfg.guardrails.scaling.maxTasks,
              policies: { 'ecs-scale-up': { type: 'TargetTrackingScaling', targetValue: 70, metric: 'ECSServiceAverageCPUUtilization' } },
            },
          },
        },
        elasticache: {
          clusters: Object.fromEntries(cfg.dependencies.elastiCacheClusterIds.map((id) => [id, { status: 'available', engine: 'redis' as const, nodeType: 'cache.t3.micro', numNodes: 1 }])),
        },
        // The stack's paging topics, each with a confirmed subscription (the preflight reads them).
        sns: {
          subscriptions: (['P1', 'P2', 'P3', 'P4'] as const).map((severity) => ({
            topicArn: cfg.paging.topics[severity],
            protocol: severity === 'P3' ? 'email' : 'https',
            endpoint: severity === 'P3' ? 'ops@example.com' : severity === 'P4' ? 'https://chat.example.com/hook' : 'https://events.pagerduty.com/integration/KEY/enqueue',
          })),
        },
      },
      [secondaryRegion]: {
        rds: {
          instances: {
            [REPLICA]: {
              status: 'available',
              instanceClass: cfg.database.instanceClass,
              engine: 'postgres',
              engineVersion: '15.7',
              endpointAddress: replicaHost,
              port: cfg.database.port,
              dbName: cfg.database.databaseName,
              masterUsername: 'regami_admin',
              replicaOf: `arn:aws:rds:${primaryRegion}:${ACCOUNT}:db:${PRIMARY}`,
              replicaLagSeconds: 2,
              backupRetentionPeriod: 0,
              multiAZ: false,
              createdAt: -300 * DAY,
              subnetGroupName: cfg.database.subnetGroupName,
              vpcSecurityGroupIds: cfg.database.securityGroupIds,
              availabilityZone: `${secondaryRegion}a`,
            },
          },
        },
        ecs: {
          clusters: {
            [cfg.secondaryService.clusterName]: {
              services: {
                [cfg.secondaryService.serviceName]: {
                  taskDefinition: `${cfg.secondaryService.taskFamily}:12`,
                  desiredCount: 0,
                  deployedAt: -3 * DAY,
                  launchType: 'FARGATE',
                  circuitBreaker: { enable: true, rollback: false },
                },
              },
            },
          },
          taskDefinitions: {
            [`${cfg.secondaryService.taskFamily}:11`]: apiRevision(11, -10 * DAY, secondaryRegion, primaryHost, cfg.secondaryService),
            [`${cfg.secondaryService.taskFamily}:12`]: apiRevision(12, -3 * DAY - 300, secondaryRegion, primaryHost, cfg.secondaryService),
          },
        },
        cloudwatch: {
          metrics: {
            'ecs-cpu-secondary': {
              namespace: 'AWS/ECS',
              metricName: 'CPUUtilization',
              dimensions: { ClusterName: cfg.secondaryService.clusterName, ServiceName: cfg.secondaryService.serviceName },
              unit: 'Percent',
              series: 0,
            },
            'rds-replica-cpu': { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: { DBInstanceIdentifier: REPLICA }, unit: 'Percent', series: 12 },
          },
          alarms: {},
        },
        logs: { groups: { [cfg.service.logGroupName]: {} } },
      },
    },
    route53: {
      propagationSeconds: 40,
      zones: {
        [cfg.dns.hostedZoneId]: {
          name: `${cfg.dns.recordName.split('.').slice(1).join('.')}.`,
          records: {
            'api-primary': {
              name: `${cfg.dns.recordName}.`,
              type: 'A',
              setIdentifier: cfg.dns.primarySetIdentifier,
              failover: 'PRIMARY',
              alias: { hostedZoneId: cfg.primaryAlb.hostedZoneId, dnsName: `${cfg.primaryAlb.dnsName}.`, evaluateTargetHealth: true },
              healthCheckId: 'hc-regami-primary-0001',
            },
            'api-secondary': {
              name: `${cfg.dns.recordName}.`,
              type: 'A',
              setIdentifier: cfg.dns.secondarySetIdentifier,
              failover: 'SECONDARY',
              alias: { hostedZoneId: cfg.secondaryService.albHostedZoneId, dnsName: `${cfg.secondaryService.albDnsName}.`, evaluateTargetHealth: true },
            },
          },
        },
      },
    },
    faults: [],
    schedule: [],
  };
}

type Json = unknown;

/** Deep merge for overrides: objects merge key by key, arrays and scalars replace, `null` deletes a key. */
export function mergeWorld<T>(base: T, ...overrides: (Json | undefined)[]): T {
  let out: Json = base;
  for (const o of overrides) if (o !== undefined) out = mergeValue(out, o);
  return out as T;
}

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeValue(base: Json, patch: Json): Json {
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? mergeValue(out[k], v) : structuredClone(v);
  }
  return out;
}
