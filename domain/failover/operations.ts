/**
 * What the failover workflow needs from the world, one method per runbook read or
 * mutation. adapters/aws/failover.ts implements it with the SDK (the same code runs on
 * the simulated region in drills and tests).
 *
 * Reads never throw for an unhealthy resource: they report it (status, error name) so a
 * gate can judge it. Mutations are only ever called through the workflow's `act` (the
 * Actuator: guardrails, lock, record) and each re-reads live state first and returns the
 * current state when the change is already there, so a retried step never repeats it.
 */
import type { DnsChange, FailoverRecords, HealthReading, PrimaryCheck, ReplicaReading, SecondaryReading, ServiceReading, TaskDefinitionReading } from './signals';

export interface DatabaseFailoverOperations {
  /** 1. Verify primary status: DescribeDBInstances + DatabaseConnections + the database-down alarms. */
  checkPrimary(at: number): Promise<PrimaryCheck>;
  /**
   * 2. Check read replica health: status, source, lag (CloudWatch ReplicaLag, else the instance field).
   * With `lagHistorySince` (epoch ms) the reading carries the ReplicaLag datapoints from a period
   * before then up to now (lagHistory), so the gate can judge the lag from before the failure.
   */
  readReplica(lagHistorySince?: number): Promise<ReplicaReading>;
  /** Prerequisite of 6: cluster, service and a task definition in the secondary region. */
  readSecondary(): Promise<SecondaryReading>;

  /** 3. Pause application: the primary-region service. */
  readPrimaryService(): Promise<ServiceReading>;
  scalePrimaryService(desiredCount: number): Promise<ServiceReading>;

  /**
   * 4. Promote read replica (no-op when it is no longer a replica). Throws an error named
   * ReplicaNotPromotable (or RDS's InvalidDBInstanceStateFault) when the replica is in a state
   * PromoteReadReplica does not accept: the workflow stops on it instead of retrying.
   */
  promoteReplica(backupRetentionDays: number): Promise<ReplicaReading>;

  /** 5. Update application configuration: the revision whose DATABASE_URL points at `endpoint`, if one exists. */
  findFailoverTaskDefinition(endpoint: { address: string; port: number }): Promise<TaskDefinitionReading | undefined>;
  /**
   * A copy of the secondary's task definition pointing at `endpoint`. A DATABASE_URL that is a
   * Secrets Manager / SSM reference gets a new reference named after `incidentKey` (the one the
   * running services read is never changed).
   */
  registerFailoverTaskDefinition(endpoint: { address: string; port: number }, incidentKey: string): Promise<TaskDefinitionReading>;

  /** 6. Start application in the secondary region. */
  readSecondaryService(): Promise<ServiceReading>;
  updateSecondaryService(taskDefinitionArn: string | undefined, desiredCount: number): Promise<ServiceReading>;

  /** 7. Update DNS: the failover records of config.dns.recordName, by set identifier. */
  readFailoverRecords(): Promise<FailoverRecords>;
  /**
   * UPSERT the secondary set as Failover PRIMARY to the secondary ALB (runbook step 7). Route53
   * allows one PRIMARY per name, so the same batch turns the primary set into SECONDARY (its
   * alias and health check kept): the roles swap atomically.
   */
  upsertFailoverRecord(current: FailoverRecords): Promise<DnsChange>;
  /** Rollback: both records back as they were before step 7. */
  restoreFailoverRecords(previous: FailoverRecords): Promise<DnsChange>;
  dnsChangeStatus(changeId: string): Promise<string>;
  /**
   * Route 53's data plane: whether the service name answers with the secondary ALB now
   * (failover records whose health checks moved it), undefined when it cannot be resolved.
   * The fallback when the Route 53 control plane (the UPSERT) is down.
   */
  serviceNameAnswersSecondary(): Promise<boolean | undefined>;

  /** 8. Verify application: the health endpoint (/health?check=db). */
  checkHealth(url: string): Promise<HealthReading>;
  /** Before step 7: the secondary stack's own health (its ALB, not the service name DNS answers for). */
  checkSecondaryHealth(): Promise<HealthReading>;
}
