/**
 * WorldSpec: the initial state of the simulated AWS account, as plain JSON.
 *
 * Everything is keyed by id or name (objects, not arrays) so a scenario overrides one
 * resource by deep-merging a small patch onto baselineWorld() (arrays replace as a whole).
 *
 * Times are seconds relative to `start` (negative: before the drill began), or ISO strings.
 */

/** Seconds relative to WorldSpec.start (negative = before), or an ISO timestamp. */
export type SimTime = number | string;

/** A numeric signal over time. A number is constant. Points are { t: seconds from start, v }. */
export type SeriesSpec =
  | number
  | {
      points: { t: number; v: number }[];
      /** 'step' (default): each point holds until the next. 'linear': interpolate between points. */
      interpolate?: 'step' | 'linear';
    };

/** A predicate on the live world, so signals can react to what the autopilot does. */
export type WorldCondition =
  /** A RUNNING task of the service uses this task definition ('family:revision' or ARN). */
  | { serving: { region: string; cluster: string; service: string; taskDefinition: string } }
  /** The service has fewer than `count` RUNNING tasks. */
  | { runningBelow: { region: string; cluster: string; service: string; count: number } }
  /** The DB instance's status is one of these ('missing' when it does not exist). */
  | { dbStatus: { region: string; id: string; status: string | string[] } }
  /** The record (name, type, set identifier) currently points at this value / alias DNS name (substring match). */
  | { dnsPointsTo: { zoneId: string; name: string; setIdentifier?: string; contains: string } }
  | { after: number }
  | { before: number }
  | { not: WorldCondition }
  | { all: WorldCondition[] }
  | { any: WorldCondition[] };

// ---------------------------------------------------------------- RDS

export interface DbInstanceSpec {
  /** Default 'available'. Any RDS status: 'available', 'stopped', 'failed', 'storage-full', 'incompatible-network'... */
  status?: string;
  instanceClass?: string;
  engine?: string;
  engineVersion?: string;
  /** Default `<id>.c9akciq32.rxxx.<region>.rds.amazonaws.com`. */
  endpointAddress?: string;
  port?: number;
  dbName?: string;
  masterUsername?: string;
  /** Source instance id (same account) or ARN (cross-region). Present = read replica. */
  replicaOf?: string;
  /** ReplicaLag (AWS/RDS) for a replica; also served as the CloudWatch metric unless one is given. */
  replicaLagSeconds?: SeriesSpec;
  backupRetentionPeriod?: number;
  multiAZ?: boolean;
  createdAt?: SimTime;
  /** Default: start - backupRetentionPeriod days (only when backups are on). */
  earliestRestorableTime?: SimTime;
  /** Default: 5 minutes behind the simulated now (RDS ships transaction logs every 5 min). */
  latestRestorableTime?: SimTime;
  subnetGroupName?: string;
  vpcSecurityGroupIds?: string[];
  deletionProtection?: boolean;
  availabilityZone?: string;
  tags?: Record<string, string>;
  /** Production settings a restore must carry over (DescribeDBInstances answers them). */
  parameterGroupName?: string;
  optionGroupName?: string;
  storageType?: string;
  kmsKeyId?: string;
  monitoringInterval?: number;
  monitoringRoleArn?: string;
  /**
   * A ModifyDBInstance (applied immediately) under way at the start: the instance (status
   * 'modifying', set with it) lists these changes in PendingModifiedValues until `completesAt`,
   * then is 'available' with them.
   */
  modification?: { instanceClass?: string; backupRetentionPeriod?: number; multiAZ?: boolean; completesAt: SimTime };
}

export interface DbSnapshotSpec {
  instanceId: string;
  /** 'automated' | 'manual' (default 'automated'). */
  type?: 'automated' | 'manual';
  status?: string;
  createdAt: SimTime;
  engine?: string;
  allocatedStorage?: number;
}

export interface RdsSpec {
  instances?: Record<string, DbInstanceSpec>;
  /** Keyed by snapshot identifier (automated ones look like 'rds:<instance>-2026-01-14-03-05'). */
  snapshots?: Record<string, DbSnapshotSpec>;
  /** Simulated durations, seconds. */
  timings?: Partial<RdsTimings>;
}

export interface RdsTimings {
  /** PromoteReadReplica: 'modifying' for this long, then 'rebooting'. Default 60. */
  promoteModifyingSeconds: number;
  /** PromoteReadReplica: 'available' this long after the call. Default 420 (runbook: 5-10 min). */
  promoteTotalSeconds: number;
  /**
   * PromoteReadReplica that turns automated backups on (the replica had retention 0): the last this
   * many seconds of promoteTotalSeconds are 'backing-up', after the reboot. Default 120.
   */
  promoteBackupSeconds: number;
  /** ModifyDBInstance with ApplyImmediately: 'modifying' for this long. Default 90. */
  modifySeconds: number;
  /** CreateDBSnapshot: 'creating' for this long. Default 300. */
  snapshotSeconds: number;
  /** Restore*: 'creating' -> 'backing-up' -> 'available'. Default 900. */
  restoreSeconds: number;
}

// ---------------------------------------------------------------- ECS

export interface ContainerSpec {
  image: string;
  environment?: Record<string, string>;
  /** Container `secrets`: name -> valueFrom (a Secrets Manager secret or SSM parameter ARN). */
  secrets?: Record<string, string>;
  cpu?: number;
  memory?: number;
  essential?: boolean;
  portMappings?: { containerPort: number; protocol?: 'tcp' | 'udp' }[];
}

export interface TaskDefinitionSpec {
  family: string;
  revision: number;
  /** Default 'ACTIVE'. */
  status?: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  /** Keyed by container name (defaultConfig.service.containerName = 'app'). */
  containers: Record<string, ContainerSpec>;
  cpu?: string;
  memory?: string;
  registeredAt?: SimTime;
  tags?: Record<string, string>;
  /** Roles the revision carries (registering a copy passes them: iam:PassRole). */
  taskRoleArn?: string;
  executionRoleArn?: string;
  /** Tasks of this revision stop shortly after starting with this stoppedReason (a bad release). */
  failsWith?: string;
  /** Exit code of the essential container when it fails (default 1). */
  failExitCode?: number;
}

export interface EcsDeploymentSpec {
  /** 'family:revision' */
  taskDefinition: string;
  status: 'PRIMARY' | 'ACTIVE';
  rolloutState?: 'COMPLETED' | 'IN_PROGRESS' | 'FAILED';
  createdAt?: SimTime;
  runningCount?: number;
}

export interface EcsServiceSpec {
  /** 'family:revision' of the PRIMARY deployment. */
  taskDefinition: string;
  desiredCount: number;
  /** Default: desiredCount (a stable service). */
  runningCount?: number;
  /** Default: one PRIMARY COMPLETED deployment of `taskDefinition`, created at `deployedAt`. */
  deployments?: Record<string, EcsDeploymentSpec>;
  /** When the current PRIMARY deployment was created (default -3 days). */
  deployedAt?: SimTime;
  launchType?: 'FARGATE' | 'EC2';
  loadBalancers?: { targetGroupArn: string; containerName: string; containerPort: number }[];
  /** deploymentCircuitBreaker: when rollback is on, a FAILED rollout returns to the last COMPLETED revision. */
  circuitBreaker?: { enable: boolean; rollback: boolean };
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  /** Extra service events (newest first in DescribeServices). */
  events?: { at: SimTime; message: string }[];
  /** Deployment controller (default ECS). CODE_DEPLOY: task definition changes go through CodeDeploy only. */
  deploymentController?: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';
}

export interface EcsClusterSpec {
  services?: Record<string, EcsServiceSpec>;
}

export interface EcsSpec {
  clusters?: Record<string, EcsClusterSpec>;
  /** Keyed by 'family:revision'. */
  taskDefinitions?: Record<string, TaskDefinitionSpec>;
  timings?: Partial<EcsTimings>;
}

export interface EcsTimings {
  /** A new task goes PROVISIONING -> RUNNING in this long. Default 45. */
  taskStartSeconds: number;
  /** A task told to stop is STOPPED this long later (connection draining). Default 30. */
  taskStopSeconds: number;
  /** A task of a failing revision stops this long after it was started. Default 40. */
  taskFailSeconds: number;
  /** Failed task launches before the deployment circuit breaker marks the rollout FAILED. Default 3. */
  failureThreshold: number;
  /** The scheduler relaunches a failed task after this long. Default 20. */
  relaunchSeconds: number;
}

// ---------------------------------------------------------------- Route53 (global)

export interface ResourceRecordSpec {
  name: string;
  type: string;
  setIdentifier?: string;
  failover?: 'PRIMARY' | 'SECONDARY';
  weight?: number;
  ttl?: number;
  values?: string[];
  alias?: { hostedZoneId: string; dnsName: string; evaluateTargetHealth?: boolean };
  healthCheckId?: string;
}

export interface HostedZoneSpec {
  /** 'regami.com.' */
  name: string;
  privateZone?: boolean;
  /** Keyed by a free label. */
  records?: Record<string, ResourceRecordSpec>;
}

export interface Route53Spec {
  zones?: Record<string, HostedZoneSpec>;
  /**
   * Route 53 health checks by id, as Route 53's health checkers (outside the account, probing
   * from several regions) see their endpoint: 'healthy' (default) or 'unhealthy'; changed by a
   * `health-check` change. Records name them in healthCheckId; the DNS data plane
   * (simDnsResolver) answers a failover pair's PRIMARY only while its health check is healthy.
   */
  healthChecks?: Record<string, { status?: 'healthy' | 'unhealthy' }>;
  /** A change is PENDING this long, then INSYNC. Default 40. */
  propagationSeconds?: number;
}

// ---------------------------------------------------------------- CloudWatch

export interface MetricSpec {
  namespace: string;
  metricName: string;
  dimensions?: Record<string, string>;
  unit?: string;
  /** The value per 60-second period: a Sum per minute for counts, the Average for gauges. */
  series: SeriesSpec;
  /** The first condition that holds replaces the series (reacting to the autopilot's actions). */
  overrides?: { when: WorldCondition; series: SeriesSpec }[];
  /** Minutes with no data (t ranges in seconds from start, end exclusive). */
  gaps?: { from: number; to: number }[];
  /**
   * Load shared by a service's tasks (CPU, memory): the series is the value at `baselineTasks`
   * RUNNING tasks and scales with baselineTasks / running (capped at `max`, default 100), so
   * scaling out brings it down. No running task: no datapoint.
   */
  perTask?: { region: string; cluster: string; service: string; baselineTasks: number; max?: number };
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmSpec {
  namespace?: string;
  metricName?: string;
  dimensions?: Record<string, string>;
  statistic?: 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount';
  period?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  threshold?: number;
  comparison?: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
  treatMissingData?: 'missing' | 'breaching' | 'notBreaching' | 'ignore';
  /**
   * How the state is decided:
   * - 'metric' (default when metricName and threshold are given): evaluated from the metric every period.
   * - 'fixed': `state`, changed only by the timeline, scheduled changes or SetAlarmState.
   */
  mode?: 'metric' | 'fixed';
  /** Initial state (default OK). */
  state?: AlarmStateValue;
  stateReason?: string;
  /** Scheduled states (fixed mode). */
  timeline?: { t: number; state: AlarmStateValue; reason?: string }[];
  actionsEnabled?: boolean;
  alarmActions?: string[];
  okActions?: string[];
  description?: string;
}

export interface CloudWatchSpec {
  /** Keyed by a free label. */
  metrics?: Record<string, MetricSpec>;
  /** Keyed by alarm name. */
  alarms?: Record<string, AlarmSpec>;
}

// ---------------------------------------------------------------- Logs

export interface LogLineSpec {
  t: number;
  message: string;
  stream?: string;
}

export interface LogGroupSpec {
  lines?: LogLineSpec[];
  /** Generated lines: `message` every `everySeconds` within [from, to) (seconds from start). */
  generators?: { from: number; to: number; everySeconds: number; message: string; stream?: string; when?: WorldCondition }[];
}

export interface LogsSpec {
  /** Keyed by log group name. */
  groups?: Record<string, LogGroupSpec>;
}

// ---------------------------------------------------------------- CodeDeploy

export interface CodeDeployDeploymentSpec {
  status: 'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Succeeded' | 'Failed' | 'Stopped' | 'Ready';
  createdAt: SimTime;
  completedAt?: SimTime;
  /** For ECS blue/green: the task definition being deployed ('family:revision'). */
  taskDefinition?: string;
  creator?: 'user' | 'autoscaling' | 'codeDeployRollback' | 'CodeDeploy' | 'CodeDeployAutoUpdate' | 'CloudFormation' | 'CloudFormationRollback' | 'autoscalingTermination';
  description?: string;
}

export interface CodeDeployGroupSpec {
  /** Keyed by deployment id 'd-XXXXXXXXX'. */
  deployments?: Record<string, CodeDeployDeploymentSpec>;
  /** Rollback deployments created by StopDeployment(autoRollbackEnabled) end in this status. Default 'Succeeded'. */
  rollbackOutcome?: 'Succeeded' | 'Failed';
  /** ...this long after the stop. Default 120. */
  rollbackSeconds?: number;
}

export interface CodeDeployApplicationSpec {
  computePlatform?: 'ECS' | 'Server' | 'Lambda';
  groups?: Record<string, CodeDeployGroupSpec>;
}

export interface CodeDeploySpec {
  applications?: Record<string, CodeDeployApplicationSpec>;
}

// ---------------------------------------------------------------- ELBv2

export interface TargetGroupSpec {
  name: string;
  port?: number;
  protocol?: string;
  healthCheckPath?: string;
  loadBalancerArns?: string[];
  /**
   * Targets; default: one per RUNNING task of the ECS services whose loadBalancers use this group
   * (healthy, or unhealthy with 'Target.FailedHealthChecks' when its revision fails).
   */
  targets?: { id: string; port: number; state: 'healthy' | 'unhealthy' | 'initial' | 'draining' | 'unused'; reason?: string }[];
}

export interface ListenerSpec {
  loadBalancerArn: string;
  port: number;
  protocol: string;
  /** Forward action: target groups with weights. */
  forward: { targetGroupArn: string; weight?: number }[];
}

export interface Elbv2Spec {
  /** Keyed by target group ARN. */
  targetGroups?: Record<string, TargetGroupSpec>;
  /** Keyed by listener ARN. */
  listeners?: Record<string, ListenerSpec>;
}

// ---------------------------------------------------------------- S3

export interface ObjectVersionSpec {
  versionId: string;
  lastModified: SimTime;
  size?: number;
  etag?: string;
  /** A delete marker instead of a version. */
  deleteMarker?: boolean;
  /** Object tags of this version (CopyObject copies them: the caller needs the tagging permissions). */
  tags?: Record<string, string>;
}

export interface BucketSpec {
  versioning?: 'Enabled' | 'Suspended';
  /** Default encryption SSE-KMS with this key (id or ARN): reads need kms:Decrypt, writes kms:GenerateDataKey. */
  kmsKeyId?: string;
  /** Keyed by object key; versions oldest first (the last one is the latest). */
  objects?: Record<string, ObjectVersionSpec[]>;
}

export interface S3Spec {
  buckets?: Record<string, BucketSpec>;
}

// ---------------------------------------------------------------- Application Auto Scaling, ElastiCache, SNS, Lambda

export interface ScalableTargetSpec {
  /** 'ecs' */
  namespace?: string;
  /** 'service/regami-cluster/regami-service' */
  resourceId: string;
  dimension?: string;
  minCapacity: number;
  maxCapacity: number;
  policies?: Record<string, { type: 'TargetTrackingScaling' | 'StepScaling'; targetValue?: number; metric?: string }>;
}

export interface AutoScalingSpec {
  /** Keyed by resource id. */
  targets?: Record<string, ScalableTargetSpec>;
}

export interface CacheClusterSpec {
  status?: string;
  engine?: 'redis' | 'valkey' | 'memcached';
  nodeType?: string;
  numNodes?: number;
}

export interface ElastiCacheSpec {
  clusters?: Record<string, CacheClusterSpec>;
}

export interface SnsSpec {
  /** Topic ARNs that exist. Empty or absent: any topic ARN of this region and account is accepted. */
  topics?: string[];
  /** Subscriptions (ListSubscriptionsByTopic). `pending`: not confirmed yet (email, HTTPS): SNS lists them as PendingConfirmation. */
  subscriptions?: { topicArn: string; protocol: string; endpoint: string; pending?: boolean }[];
}

/** A Secrets Manager secret, keyed by name (`regions.<r>.secretsmanager.secrets.<name>`). */
export interface SecretSpec {
  /** SecretString (a DATABASE_URL, or JSON holding one). */
  value: string;
  /** Customer managed key (ARN) it is encrypted with; absent: the AWS managed key aws/secretsmanager. */
  kmsKeyId?: string;
  /** The six characters after the name in its ARN (default: derived from the name). */
  arnSuffix?: string;
  /** Regions it is replicated to: each gets a replica (same name, ARN suffix and value) encrypted with its own key. */
  replicas?: Record<string, { kmsKeyId?: string }>;
  tags?: Record<string, string>;
}

export interface SecretsManagerSpec {
  secrets?: Record<string, SecretSpec>;
}

/** An SSM Parameter Store parameter, keyed by name (`regions.<r>.ssm.parameters.<name>`). */
export interface ParameterSpec {
  value: string;
  /** Default 'SecureString'. */
  type?: 'String' | 'StringList' | 'SecureString';
  /** A SecureString's customer managed key (ARN); absent: the AWS managed key alias/aws/ssm. */
  keyId?: string;
  tier?: 'Standard' | 'Advanced';
  tags?: Record<string, string>;
}

export interface SsmSpec {
  parameters?: Record<string, ParameterSpec>;
}

export interface RegionSpec {
  rds?: RdsSpec;
  ecs?: EcsSpec;
  cloudwatch?: CloudWatchSpec;
  logs?: LogsSpec;
  codedeploy?: CodeDeploySpec;
  elbv2?: Elbv2Spec;
  s3?: S3Spec;
  autoscaling?: AutoScalingSpec;
  elasticache?: ElastiCacheSpec;
  sns?: SnsSpec;
  secretsmanager?: SecretsManagerSpec;
  ssm?: SsmSpec;
}

// ---------------------------------------------------------------- faults and scheduled changes

/** Which calls a fault applies to. '*' or absent = any. */
export interface CallSelector {
  /** Client name without "Client": 'RDS', 'ECS', 'Route53', 'CloudWatch', 'CloudWatchLogs', 'S3'... */
  service?: string;
  /** Command name without "Command": 'DescribeDBInstances'. */
  operation?: string;
  region?: string;
}

export type FaultSpec =
  | (CallSelector & {
      id?: string;
      kind: 'throttle' | 'server-error' | 'timeout';
      /** Fail the first N matching attempts (counted from when the fault is installed). */
      first?: number;
      /** Fail this share of matching attempts (seeded PRNG: deterministic per world seed). */
      probability?: number;
      /** Active window, seconds from start. */
      from?: number;
      until?: number;
      /** server-error: 500 InternalFailure (default) or 503 ServiceUnavailable. */
      status?: 500 | 503;
    })
  | {
      id?: string;
      kind: 'hang';
      /** The state transition that never completes. */
      what: HangTarget;
      region?: string;
      /** Resource id (DB instance id, 'cluster/service', change id...); absent = every such transition. */
      resource?: string;
    };

export type HangTarget =
  /** PromoteReadReplica stays 'modifying'. */
  | 'rds-promotion'
  /** ModifyDBInstance stays 'modifying'. */
  | 'rds-modify'
  /** A restored instance stays 'creating'. */
  | 'rds-restore'
  /** CreateDBSnapshot stays 'creating'. */
  | 'rds-snapshot'
  /** New ECS tasks stay PENDING: the rollout stays IN_PROGRESS. */
  | 'ecs-deployment'
  /** Route53 changes stay PENDING. */
  | 'route53-change'
  /** CodeDeploy rollback deployments stay InProgress. */
  | 'codedeploy-rollback';

/** A change to the world, applied at a scheduled time or at once (SimWorld.apply). */
export type WorldChange =
  | { kind: 'db-status'; region: string; id: string; status: string }
  | { kind: 'replica-lag'; region: string; id: string; seconds: number }
  | { kind: 'health-check'; id: string; status: 'healthy' | 'unhealthy' }
  | { kind: 'alarm-state'; region: string; name: string; state: AlarmStateValue; reason?: string }
  /** From now on the metric's series is this constant (or these points, t relative to start). */
  | { kind: 'metric'; region: string; metric: string; series: SeriesSpec }
  | { kind: 'log'; region: string; group: string; message: string; stream?: string }
  | { kind: 'task-definition-fails'; region: string; taskDefinition: string; reason: string | null }
  /** Someone else (CI, a human) updates the service: a new deployment of `taskDefinition` and/or a new desired count. */
  | { kind: 'ecs-deploy'; region: string; cluster: string; service: string; taskDefinition?: string; desiredCount?: number; forceNewDeployment?: boolean }
  /** Stop running tasks of a service (a crash; the scheduler replaces them). */
  | { kind: 'ecs-tasks-stop'; region: string; cluster: string; service: string; count?: number; reason?: string }
  | { kind: 'cache-status'; region: string; id: string; status: string }
  | { kind: 'fault'; fault: FaultSpec }
  /** Remove faults by id (absent: every fault). */
  | { kind: 'clear-faults'; ids?: string[] };

export interface ScheduledChange {
  /** Seconds from start. */
  at: number;
  change: WorldChange;
  note?: string;
}

export interface WorldSpec {
  /** Default '123456789012'. */
  account?: string;
  /** ISO time of T+0. */
  start: string;
  /** Seed of the PRNG behind probabilistic faults. Default 1. */
  seed?: number;
  /** 'us-east-1' and/or 'us-west-2'. */
  regions: Record<string, RegionSpec>;
  /** Route53 is global. */
  route53?: Route53Spec;
  faults?: FaultSpec[];
  schedule?: ScheduledChange[];
}

export const SIM_REGIONS = ['us-east-1', 'us-west-2'] as const;
