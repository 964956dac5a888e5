/**
 * What the failover reads about the world, as plain data. Every reading is JSON-safe:
 * it is the checkpointed result of a durable step and appears as evidence in verdicts.
 */

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** Runbook step 1, "Verify Primary Database Status": one check of the primary. */
export interface PrimaryCheck {
  at: number;
  instanceId: string;
  /** DBInstanceStatus; absent when the describe call failed. */
  status?: string;
  /** Error name when DescribeDBInstances failed (endpoint unreachable, DBInstanceNotFound...). */
  describeError?: string;
  /** Latest DatabaseConnections datapoint in the look-back; absent when CloudWatch had none (or failed). */
  connections?: number;
  /** Timestamp (epoch ms) of that datapoint: a stale one says nothing about now. */
  connectionsAt?: number;
  /** Error name when GetMetricData failed. */
  metricsError?: string;
  /**
   * End of the latest minute in the look-back whose DatabaseConnections Maximum was above 0:
   * the primary was serving until at least then. Absent when no such datapoint was read.
   */
  servingUntil?: number;
  /**
   * Start of the earliest DatabaseConnections datapoint read (epoch ms): from then to now the
   * readings show whether the primary served. With no serving minute after it, the primary had
   * no session, hence committed nothing, since then.
   */
  connectionsFrom?: number;
  /** The configured database-down alarms and their current state. */
  alarms: { name: string; state: AlarmStateValue }[];
  /** Error name when DescribeAlarms failed. */
  alarmsError?: string;
  /** Signals that need no API of the primary's region (statically stable failover); absent when not read. */
  dataPlane?: DataPlaneEvidence;
}

/**
 * What can be known about the primary while its region's control plane is down (issue 15):
 * the Route 53 health check of the primary database as the DNS data plane answers it (a
 * failover TXT record governed by the health check), and the replica's replay state read
 * from CloudWatch in the replica's own region (ReplicaLag growing by the time elapsed =
 * nothing more arrives from the primary).
 */
export interface DataPlaneEvidence {
  healthCheck: 'healthy' | 'unhealthy' | 'unknown';
  healthCheckDetail: string;
  replicaReplay: 'stopped' | 'replaying' | 'unknown';
  replicaDetail: string;
  /** Start of the period of the first datapoint of the final growth run (replay stopped then). */
  replayStoppedAt?: number;
}

/** One ReplicaLag datapoint. */
export interface LagDatapoint {
  at: number;
  seconds: number;
}

/** Runbook step 2, "Check Read Replica Health". */
export interface ReplicaReading {
  instanceId: string;
  region: string;
  status?: string;
  describeError?: string;
  /** ReadReplicaSourceDBInstanceIdentifier: an id in-region, an ARN across regions; absent once promoted. */
  sourceIdentifier?: string;
  /** Seconds behind the source; absent when unknown. */
  lagSeconds?: number;
  /** Where the lag came from: CloudWatch ReplicaLag or the instance's own field. */
  lagSource?: 'cloudwatch' | 'instance';
  /**
   * ReplicaLag datapoints (oldest first; `at` is the start of the datapoint's period, the
   * value its Maximum), read back far enough to reach before the primary failed. Absent
   * when the reading was not asked for history.
   */
  lagHistory?: LagDatapoint[];
  /** Period of the lagHistory datapoints, seconds. */
  lagPeriodSeconds?: number;
  endpoint?: { address: string; port: number };
  backupRetentionPeriod?: number;
  /** PendingModifiedValues the describe listed (field names and values, e.g. "DBInstanceClass=db.r6g.large"): what a 'modifying' is about. */
  pendingModifications?: string[];
}

export interface ServiceReading {
  region: string;
  cluster: string;
  service: string;
  /** ACTIVE / DRAINING / INACTIVE; absent when the service was not found. */
  status?: string;
  describeError?: string;
  desiredCount: number;
  runningCount: number;
  taskDefinition?: string;
  /** rolloutState of the PRIMARY deployment (IN_PROGRESS / COMPLETED / FAILED). */
  rolloutState?: string;
  deployments: number;
}

/** Runbook prerequisites for step 6: what the secondary region can start. */
export interface SecondaryReading {
  region: string;
  clusterName: string;
  clusterStatus?: string;
  service?: ServiceReading;
  /** The task definition the failover would copy: the secondary service's, else the family's latest. */
  taskDefinitionArn?: string;
  taskDefinitionFamily?: string;
  /** The container named in config carries DATABASE_URL (it will be rewritten). */
  hasDatabaseUrl?: boolean;
  /** The roles that task definition carries (its copy passes them: iam:PassRole); absent when not read. */
  roles?: { taskRoleArn?: string; executionRoleArn?: string };
  /** DATABASE_URL is a Secrets Manager / SSM reference: its valueFrom (an ARN or name, never the value). */
  databaseUrlFrom?: string;
  /** DATABASE_URL is there but cannot be followed (a reference unreadable in the secondary region...): the failover refuses. */
  databaseUrlProblem?: string;
  errors: string[];
}

export interface TaskDefinitionReading {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  /** DATABASE_URL host it points to; the password is never carried. */
  databaseHost?: string;
  /** DATABASE_URL with the password masked, for the record. */
  databaseUrlRedacted?: string;
  /** DATABASE_URL is a Secrets Manager / SSM reference: its valueFrom (an ARN or name, never the value). */
  databaseUrlFrom?: string;
  /** The reference step 5 wrote for this incident (names only). */
  databaseUrlWritten?: { kind: 'secretsmanager' | 'ssm'; name: string; arn: string; created: boolean };
}

export interface DnsRecordReading {
  name: string;
  type: string;
  setIdentifier: string;
  failover?: string;
  aliasDnsName?: string;
  aliasHostedZoneId?: string;
  evaluateTargetHealth?: boolean;
  /** Kept so an UPSERT never drops the record's health check. */
  healthCheckId?: string;
  /** For a non-alias record. */
  ttl?: number;
  values?: string[];
}

/** The two failover records of the service name (SetIdentifier primary and secondary). */
export interface FailoverRecords {
  primarySet?: DnsRecordReading;
  secondarySet?: DnsRecordReading;
}

export interface DnsChange {
  changeId: string;
  status: string;
}

export interface HealthReading {
  url: string;
  healthy: boolean;
  statusCode?: number;
  detail: string;
}
