/**
 * Every event the autopilot accepts, as typed values. The shapes follow AWS's published
 * examples (links next to each type); events/samples/ holds one payload per kind.
 *
 * All times are epoch milliseconds. Only the fields a runbook reads are kept; the raw
 * payload is not carried along, so nothing downstream can act on an unvalidated field.
 */

/** detail-type strings of the AWS events we accept, keyed by source. */
export const AWS_EVENT_TYPES = {
  alarm: { source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change' },
  rdsInstance: { source: 'aws.rds', detailType: 'RDS DB Instance Event' },
  rdsSnapshot: { source: 'aws.rds', detailType: 'RDS DB Snapshot Event' },
  ecsDeployment: { source: 'aws.ecs', detailType: 'ECS Deployment State Change' },
  ecsTask: { source: 'aws.ecs', detailType: 'ECS Task State Change' },
  codeDeploy: { source: 'aws.codedeploy', detailType: 'CodeDeploy Deployment State-change Notification' },
  /** A schedule rule firing (the preflight function's daily run): no runbook rule matches it. */
  scheduled: { source: 'aws.events', detailType: 'Scheduled Event' },
} as const;

/** detail-types of our own events (source AUTOPILOT_EVENT_SOURCE): operator requests and runbook hand-offs. */
export const AUTOPILOT_DETAIL_TYPES = {
  restoreRequested: 'Restore Requested',
  s3RestoreRequested: 'S3 Restore Requested',
  rollbackRequested: 'Rollback Requested',
  scaleRequested: 'Scale Requested',
} as const;

/** The EventBridge envelope, common to every event. */
export interface EventEnvelope {
  id: string;
  account: string;
  region: string;
  /** envelope `time`, epoch ms */
  time: number;
  source: string;
  detailType: string;
  resources: string[];
}

// ---- CloudWatch alarms ------------------------------------------------------------
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html

export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;
export type AlarmStateValue = (typeof ALARM_STATES)[number];

export interface AlarmState {
  value: AlarmStateValue;
  reason: string;
  /** JSON text CloudWatch attaches (datapoints, threshold; for composites the triggering alarms). */
  reasonData?: string;
  timestamp: number;
}

export interface MetricStat {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  period: number;
  stat: string;
}

/** One entry of configuration.metrics: either a metric or a math expression over them. */
export type AlarmMetric =
  | { id: string; returnData: boolean; label?: string; metricStat: MetricStat }
  | { id: string; returnData: boolean; label?: string; expression: string };

export interface TriggeringAlarm {
  arn: string;
  /** the alarm name (the ARN after `:alarm:`) */
  name: string;
  state: AlarmStateValue;
  timestamp: number;
}

interface AlarmDetailBase {
  alarmName: string;
  state: AlarmState;
  previousState?: AlarmState;
  description?: string;
}

export type AlarmDetail =
  | (AlarmDetailBase & { alarmType: 'metric'; metrics: AlarmMetric[] })
  | (AlarmDetailBase & { alarmType: 'metric-math'; metrics: AlarmMetric[] })
  | (AlarmDetailBase & {
      alarmType: 'composite';
      alarmRule: string;
      /** from state.reasonData: the children whose change moved the composite */
      triggeringAlarms: TriggeringAlarm[];
      actionsSuppressor?: string;
    });

// ---- RDS -------------------------------------------------------------------------
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.overview.html#events-examples
// Match on eventId (RDS-EVENT-nnnn), never on message: the text changes between versions.

export interface RdsEventDetail {
  eventId: string;
  categories: string[];
  sourceArn: string;
  /** as sent; AWS's own example prefixes it with `rds:` */
  sourceIdentifier: string;
  date: number;
  message: string;
}

export interface RdsInstanceDetail extends RdsEventDetail {
  sourceType: 'DB_INSTANCE';
  /** DB instance identifier, from the source ARN (arn:aws:rds:region:account:db:<id>) */
  dbInstanceId: string;
}

export interface RdsSnapshotDetail extends RdsEventDetail {
  sourceType: 'SNAPSHOT';
  /** snapshot identifier, from the source ARN (arn:aws:rds:region:account:snapshot:<id>), e.g. rds:regami-db-primary-2024-01-15-03-00 */
  snapshotId: string;
}

// ---- ECS -------------------------------------------------------------------------
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_deployment_events.html
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html

export const ECS_DEPLOYMENT_EVENT_NAMES = [
  'SERVICE_DEPLOYMENT_IN_PROGRESS',
  'SERVICE_DEPLOYMENT_COMPLETED',
  'SERVICE_DEPLOYMENT_FAILED',
] as const;
export type EcsDeploymentEventName = (typeof ECS_DEPLOYMENT_EVENT_NAMES)[number];

export interface EcsDeploymentDetail {
  eventType: 'INFO' | 'WARN' | 'ERROR';
  eventName: EcsDeploymentEventName;
  deploymentId: string;
  updatedAt: number;
  reason: string;
  /** The event names the service only in `resources`: arn:aws:ecs:region:account:service/<cluster>/<service> */
  serviceArn: string;
  clusterName: string;
  serviceName: string;
}

export interface EcsContainerState {
  name: string;
  lastStatus?: string;
  exitCode?: number;
  /** e.g. "OutOfMemoryError: Container killed due to memory usage" */
  reason?: string;
}

export interface EcsTaskDetail {
  clusterArn: string;
  taskArn: string;
  taskDefinitionArn: string;
  /** `service:<name>` for service tasks, `family:<name>` for standalone ones */
  group?: string;
  /** the service, when group is `service:<name>` */
  serviceName?: string;
  lastStatus: string;
  desiredStatus: string;
  stopCode?: string;
  stoppedReason?: string;
  stoppedAt?: number;
  startedBy?: string;
  containers: EcsContainerState[];
}

// ---- CodeDeploy ------------------------------------------------------------------
// https://docs.aws.amazon.com/codedeploy/latest/userguide/monitoring-cloudwatch-events.html

export const CODEDEPLOY_STATES = ['START', 'SUCCESS', 'FAILURE', 'STOP', 'READY'] as const;
export type CodeDeployState = (typeof CODEDEPLOY_STATES)[number];

export interface CodeDeployDetail {
  deploymentId: string;
  application: string;
  deploymentGroup: string;
  state: CodeDeployState;
  region: string;
  instanceGroupId?: string;
}

// ---- Our own events (source runbook-autopilot) ---------------------------------------

export type RestorePoint = { kind: 'snapshot'; snapshotId: string } | { kind: 'point-in-time'; restoreTime: number };

export interface RestoreRequestDetail {
  dbInstanceId: string;
  /** exactly one of snapshotId | restoreTime in the payload */
  restorePoint: RestorePoint;
  reason: string;
  requestedBy: string;
}

export interface S3RestoreRequestDetail {
  bucket: string;
  prefix: string;
  restoreTime: number;
  /** defaults to true: an S3 restore only lists what it would restore unless asked otherwise */
  dryRun: boolean;
  /** An empty prefix means the whole bucket: refused unless this says so (default false). */
  confirmWholeBucket: boolean;
  requestedBy: string;
}

/** Sent by an operator, or by investigate-5xx handing a bad deployment over. */
export interface RollbackRequestDetail {
  cluster: string;
  service: string;
  reason: string;
  requestedBy: string;
  incidentKey?: string;
  evidence?: string[];
}

/** Hand-off to scale-ecs (e.g. from investigate-5xx on saturation). */
export interface ScaleRequestDetail {
  cluster: string;
  service: string;
  reason: string;
  incidentKey: string;
  evidence: string[];
}

// ---- Schedule rules ----------------------------------------------------------------
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html

/** A Scheduled Event's detail is `{}`; the rule that fired is the envelope's `resources`. */
export type ScheduledDetail = Record<string, never>;

// ---- The union -------------------------------------------------------------------

export type AutopilotEvent =
  | (EventEnvelope & { kind: 'alarm'; detail: AlarmDetail })
  | (EventEnvelope & { kind: 'rds-instance'; detail: RdsInstanceDetail })
  | (EventEnvelope & { kind: 'rds-snapshot'; detail: RdsSnapshotDetail })
  | (EventEnvelope & { kind: 'ecs-deployment'; detail: EcsDeploymentDetail })
  | (EventEnvelope & { kind: 'ecs-task'; detail: EcsTaskDetail })
  | (EventEnvelope & { kind: 'codedeploy'; detail: CodeDeployDetail })
  | (EventEnvelope & { kind: 'restore-request'; detail: RestoreRequestDetail })
  | (EventEnvelope & { kind: 's3-restore-request'; detail: S3RestoreRequestDetail })
  | (EventEnvelope & { kind: 'rollback-request'; detail: RollbackRequestDetail })
  | (EventEnvelope & { kind: 'scale-request'; detail: ScaleRequestDetail })
  | (EventEnvelope & { kind: 'scheduled'; detail: ScheduledDetail });

export type EventKind = AutopilotEvent['kind'];

/** The event of one kind, e.g. EventOf<'alarm'>. */
export type EventOf<K extends EventKind> = Extract<AutopilotEvent, { kind: K }>;
