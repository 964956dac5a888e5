/**
 * DatabaseFailoverOperations on the AWS SDK (production, and the simulated region in
 * drills and tests: same clients, transport swapped).
 *
 * Reads report trouble instead of throwing (an unreachable primary is a finding, not an
 * error). Mutations re-read live state first and return it unchanged when the change is
 * already there, then verify by reading back. DATABASE_URL passwords never leave this
 * file unredacted: results carry the host and the redacted URL only, or for a Secrets
 * Manager / SSM reference its ARN (adapters/aws/database-url.ts reads and writes those).
 */
import { PromoteReadReplicaCommand } from '@aws-sdk/client-rds';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeClustersCommand, DescribeTaskDefinitionCommand, UpdateServiceCommand, type Tag, type TaskDefinition } from '@aws-sdk/client-ecs';
import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { AutopilotConfig, EcsServiceConfig } from '../../domain/config';
import type { Clock } from '../../domain/ports';
import type { DatabaseFailoverOperations } from '../../domain/failover/operations';
import { replicaReplayState } from '../../domain/failover/replay';
import type {
  AlarmStateValue,
  DataPlaneEvidence,
  DnsChange,
  DnsRecordReading,
  FailoverRecords,
  HealthReading,
  PrimaryCheck,
  ReplicaReading,
  SecondaryReading,
  ServiceReading,
  TaskDefinitionReading,
} from '../../domain/failover/signals';
import type { AwsRegions } from './clients';
import { alarmPages, type AlarmSelector } from './alarm-reader';
import { readEcsService } from './ecs-service-reader';
import { readRdsInstance, type RdsInstanceReading } from './rds-instance-reader';
import { databaseUrlEndpoint, registerWithDatabaseEndpoint, type DatabaseUrlEndpoint } from './database-url';
import './sdk/rds';
import './sdk/ecs';
import './sdk/cloudwatch';
import './sdk/route53';

export interface FailoverOperationsOptions {
  /**
   * 'http' (production): GET the health URL with a timeout.
   * 'simulated' (drills, tests): the simulated region has no HTTP, so health is derived from
   * the world through the same APIs: the stack DNS sends traffic to has RUNNING tasks on a
   * revision whose DATABASE_URL points at an available, writable instance.
   */
  health?: 'http' | 'simulated';
  healthTimeoutMs?: number;
  /** Look-back for CloudWatch readings (DatabaseConnections, ReplicaLag). */
  metricLookbackSeconds?: number;
}

const DEFAULT_HEALTH_TIMEOUT_MS = 5000;
const DEFAULT_LOOKBACK_SECONDS = 300;
/** Period of the RDS metric queries (RDS publishes every minute). */
const METRIC_PERIOD_SECONDS = 60;
/** The lag history reaches this far before the failure time it was asked for. */
const LAG_HISTORY_MARGIN_SECONDS = 300;
/** ReplicaLag history read to judge the replica's replay state. */
const REPLAY_LOOKBACK_SECONDS = 600;

function errName(err: unknown): string {
  return err instanceof Error ? err.name : 'Error';
}

function normDns(name: string | undefined): string | undefined {
  return name?.toLowerCase().replace(/\.$/, '');
}

export function awsFailoverOperations(aws: AwsRegions, config: AutopilotConfig, clock: Clock, opts: FailoverOperationsOptions = {}): DatabaseFailoverOperations {
  const db = config.database;
  const primarySvc = config.service;
  const secondarySvc = config.secondaryService;
  const lookback = opts.metricLookbackSeconds ?? DEFAULT_LOOKBACK_SECONDS;
  const rdsReplica = () => aws.in(db.replicaRegion).rds;

  async function describeInstance(region: string, id: string): Promise<{ instance?: RdsInstanceReading; error?: string }> {
    try {
      const instance = await readRdsInstance(aws.in(region).rds, id);
      return instance ? { instance } : { error: 'DBInstanceNotFound' };
    } catch (err) {
      return { error: errName(err) };
    }
  }

  /**
   * Datapoints (oldest first) of an AWS/RDS metric for one instance, from `since` (default:
   * the look-back window) to now. Paginated: a long history may not fit one answer.
   */
  async function rdsMetricSeries(region: string, metricName: string, instanceId: string, stat: string, since?: number): Promise<{ points: { t: number; v: number }[]; error?: string }> {
    const end = clock.now();
    const start = Math.min(since ?? end - lookback * 1000, end - lookback * 1000);
    const points: { t: number; v: number }[] = [];
    try {
      let token: string | undefined;
      do {
        const out = await aws.in(region).cloudwatch.send(
          new GetMetricDataCommand({
            StartTime: new Date(start),
            EndTime: new Date(end),
            ScanBy: 'TimestampAscending',
            NextToken: token,
            MetricDataQueries: [
              { Id: 'm', MetricStat: { Metric: { Namespace: 'AWS/RDS', MetricName: metricName, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: instanceId }] }, Period: METRIC_PERIOD_SECONDS, Stat: stat }, ReturnData: true },
            ],
          }),
        );
        const result = out.MetricDataResults?.find((r) => r.Id === 'm');
        (result?.Timestamps ?? []).forEach((t, i) => {
          const v = result?.Values?.[i];
          if (typeof v === 'number') points.push({ t: t.getTime(), v });
        });
        token = out.NextToken;
      } while (token);
    } catch (err) {
      return { points: points.sort((a, b) => a.t - b.t), error: errName(err) };
    }
    return { points: points.sort((a, b) => a.t - b.t) };
  }

  /**
   * Evidence that needs no API of the primary's region: the primary database's Route 53
   * health check through the DNS data plane, and the replica's replay state from CloudWatch
   * in the replica's region.
   */
  async function dataPlaneEvidence(): Promise<DataPlaneEvidence> {
    const probe = config.dns.primaryHealthProbe;
    let healthCheck: DataPlaneEvidence['healthCheck'] = 'unknown';
    let healthCheckDetail = 'no health probe record configured';
    if (probe.recordName) {
      try {
        const answers = await aws.dns.txt(probe.recordName);
        healthCheck = answers.length === 0 ? 'unknown' : answers.includes(probe.healthyValue) ? 'healthy' : 'unhealthy';
        healthCheckDetail = `${probe.recordName} TXT answers ${answers.length ? answers.map((a) => JSON.stringify(a)).join(', ') : 'nothing'}`;
      } catch (err) {
        healthCheckDetail = `${probe.recordName} could not be resolved (${errName(err)})`;
      }
    }
    const lag = await rdsMetricSeries(db.replicaRegion, 'ReplicaLag', db.replicaInstanceId, 'Maximum', clock.now() - REPLAY_LOOKBACK_SECONDS * 1000);
    const replay = lag.error ? { state: 'unknown' as const, detail: `ReplicaLag unreadable (${lag.error})` } : replicaReplayState(lag.points.map((p) => ({ at: p.t, seconds: p.v })), METRIC_PERIOD_SECONDS);
    return {
      healthCheck,
      healthCheckDetail,
      replicaReplay: replay.state,
      replicaDetail: replay.detail,
      ...(replay.stoppedBy !== undefined ? { replayStoppedAt: replay.stoppedBy } : {}),
    };
  }

  async function databaseDownAlarms(): Promise<{ alarms: { name: string; state: AlarmStateValue }[]; error?: string }> {
    const found = new Map<string, AlarmStateValue>();
    const exact = config.alarms.databaseDown.filter((p) => !p.endsWith('*'));
    const prefixes = config.alarms.databaseDown.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
    // The exact names in one call (never more than a page), then each prefix to its last page.
    const reads: { selector: AlarmSelector; maxPages?: number }[] = prefixes.map((prefix) => ({ selector: { prefix } }));
    if (exact.length > 0) reads.unshift({ selector: { names: exact }, maxPages: 1 });
    try {
      const cw = aws.in(config.primaryRegion).cloudwatch;
      for (const { selector, maxPages } of reads) {
        for await (const page of alarmPages(cw, selector, maxPages)) for (const a of page) found.set(a.name, a.state as AlarmStateValue);
      }
    } catch (err) {
      return { alarms: [...found].map(([name, state]) => ({ name, state })), error: errName(err) };
    }
    return { alarms: [...found].sort(([a], [b]) => a.localeCompare(b)).map(([name, state]) => ({ name, state })) };
  }

  async function readService(region: string, cluster: string, service: string): Promise<ServiceReading> {
    const base = { region, cluster, service, desiredCount: 0, runningCount: 0, deployments: 0 };
    try {
      const { service: s, failure } = await readEcsService(aws.in(region).ecs, cluster, service);
      if (!s) return { ...base, describeError: failure ?? 'MISSING' };
      return {
        ...base,
        status: s.status,
        desiredCount: s.desired,
        runningCount: s.running,
        taskDefinition: s.taskDefinition,
        rolloutState: s.deployments.find((d) => d.status === 'PRIMARY')?.rolloutState,
        deployments: s.deployments.length,
      };
    } catch (err) {
      return { ...base, describeError: errName(err) };
    }
  }

  async function describeTaskDefinition(region: string, ref: string): Promise<{ taskDefinition?: TaskDefinition; tags?: Tag[] }> {
    try {
      const out = await aws.in(region).ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }));
      return { taskDefinition: out.taskDefinition, tags: out.tags };
    } catch {
      return {};
    }
  }

  /**
   * Where a task definition's DATABASE_URL points, read in the Region of `stack` (a reference
   * is read there, from its replica for a secret of another Region: never from the primary
   * Region a failover is leaving).
   */
  function databaseUrlAt(td: TaskDefinition | undefined, stack: EcsServiceConfig = secondarySvc): Promise<DatabaseUrlEndpoint> {
    return databaseUrlEndpoint(aws, stack.region, td, stack.containerName, db.urlReferences);
  }

  async function taskDefinitionReading(td: TaskDefinition): Promise<TaskDefinitionReading> {
    const at = await databaseUrlAt(td);
    return {
      taskDefinitionArn: td.taskDefinitionArn ?? '',
      family: td.family ?? '',
      revision: td.revision ?? 0,
      ...(at.host && !at.problem ? { databaseHost: at.host } : {}),
      ...(at.redacted ? { databaseUrlRedacted: at.redacted } : {}),
      ...(at.from ? { databaseUrlFrom: at.from } : {}),
    };
  }

  /**
   * The task definition the failover copies: the secondary service's current one when it is
   * of the family, else the family's latest revision in the secondary region, else the
   * primary service's (its image must then be pullable from the secondary region).
   */
  async function baseTaskDefinition(): Promise<{ region: string; taskDefinition?: TaskDefinition; tags?: Tag[] }> {
    const svc = await readService(secondarySvc.region, secondarySvc.clusterName, secondarySvc.serviceName);
    if (svc.taskDefinition) {
      const current = await describeTaskDefinition(secondarySvc.region, svc.taskDefinition);
      if (current.taskDefinition?.family === secondarySvc.taskFamily) return { region: secondarySvc.region, ...current };
    }
    const latest = await describeTaskDefinition(secondarySvc.region, secondarySvc.taskFamily);
    if (latest.taskDefinition) return { region: secondarySvc.region, ...latest };
    const primary = await readService(primarySvc.region, primarySvc.clusterName, primarySvc.serviceName);
    if (primary.taskDefinition) return { region: primarySvc.region, ...(await describeTaskDefinition(primarySvc.region, primary.taskDefinition)) };
    return { region: secondarySvc.region };
  }

  async function findFailoverTaskDefinition(endpoint: { address: string; port: number }): Promise<TaskDefinitionReading | undefined> {
    const svc = await readService(secondarySvc.region, secondarySvc.clusterName, secondarySvc.serviceName);
    const candidates = [svc.taskDefinition, secondarySvc.taskFamily].filter((r): r is string => !!r);
    for (const ref of candidates) {
      const { taskDefinition } = await describeTaskDefinition(secondarySvc.region, ref);
      if (!taskDefinition || taskDefinition.family !== secondarySvc.taskFamily) continue;
      const at = await databaseUrlAt(taskDefinition);
      if (!at.problem && at.host && normDns(at.host) === normDns(endpoint.address)) return taskDefinitionReading(taskDefinition);
    }
    return undefined;
  }

  function readingOf(rr: ResourceRecordSet): DnsRecordReading {
    return {
      name: rr.Name ?? config.dns.recordName,
      type: rr.Type ?? 'A',
      setIdentifier: rr.SetIdentifier ?? '',
      ...(rr.Failover ? { failover: rr.Failover } : {}),
      ...(rr.AliasTarget ? { aliasDnsName: rr.AliasTarget.DNSName, aliasHostedZoneId: rr.AliasTarget.HostedZoneId, evaluateTargetHealth: rr.AliasTarget.EvaluateTargetHealth } : {}),
      ...(rr.HealthCheckId ? { healthCheckId: rr.HealthCheckId } : {}),
      ...(rr.TTL !== undefined ? { ttl: rr.TTL } : {}),
      ...(rr.ResourceRecords ? { values: rr.ResourceRecords.map((r) => r.Value ?? '') } : {}),
    };
  }

  /** A record set from a reading, with the given failover role (alias or plain values as it was). */
  function recordSetOf(r: DnsRecordReading, failover: 'PRIMARY' | 'SECONDARY'): ResourceRecordSet {
    return {
      Name: r.name,
      Type: r.type as ResourceRecordSet['Type'],
      SetIdentifier: r.setIdentifier,
      Failover: failover,
      ...(r.healthCheckId ? { HealthCheckId: r.healthCheckId } : {}),
      ...(r.aliasDnsName && r.aliasHostedZoneId
        ? { AliasTarget: { DNSName: r.aliasDnsName, HostedZoneId: r.aliasHostedZoneId, EvaluateTargetHealth: r.evaluateTargetHealth ?? true } }
        : { TTL: r.ttl ?? 60, ResourceRecords: (r.values ?? []).map((Value) => ({ Value })) }),
    };
  }

  async function readFailoverRecords(): Promise<FailoverRecords> {
    const found: ResourceRecordSet[] = [];
    let start: { name?: string; type?: string; id?: string } = { name: config.dns.recordName, type: 'A' };
    // Records of one name sort together; two pages at most for a failover pair.
    for (let page = 0; page < 5 && start.name; page++) {
      const out = await aws.in(config.primaryRegion).route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: config.dns.hostedZoneId,
          StartRecordName: start.name,
          StartRecordType: start.type as ResourceRecordSet['Type'],
          ...(start.id ? { StartRecordIdentifier: start.id } : {}),
          MaxItems: 20,
        }),
      );
      const sets = out.ResourceRecordSets ?? [];
      found.push(...sets.filter((r) => normDns(r.Name) === normDns(config.dns.recordName) && r.Type === 'A'));
      const past = sets.some((r) => normDns(r.Name) !== normDns(config.dns.recordName) || r.Type !== 'A');
      start = out.IsTruncated && !past ? { name: out.NextRecordName, type: out.NextRecordType, id: out.NextRecordIdentifier } : {};
    }
    const bySet = (id: string) => found.find((r) => r.SetIdentifier === id);
    const primarySet = bySet(config.dns.primarySetIdentifier);
    const secondarySet = bySet(config.dns.secondarySetIdentifier);
    return { ...(primarySet ? { primarySet: readingOf(primarySet) } : {}), ...(secondarySet ? { secondarySet: readingOf(secondarySet) } : {}) };
  }

  async function changeRecords(sets: ResourceRecordSet[], comment: string): Promise<DnsChange> {
    const out = await aws.in(config.primaryRegion).route53.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: config.dns.hostedZoneId, ChangeBatch: { Comment: comment, Changes: sets.map((ResourceRecordSet) => ({ Action: 'UPSERT', ResourceRecordSet })) } }),
    );
    return { changeId: out.ChangeInfo?.Id ?? '', status: out.ChangeInfo?.Status ?? 'PENDING' };
  }

  /** Runbook step 7's record: SetIdentifier secondary, Failover PRIMARY, alias to the secondary ALB. */
  const secondaryAsPrimary: ResourceRecordSet = {
    Name: config.dns.recordName,
    Type: 'A',
    SetIdentifier: config.dns.secondarySetIdentifier,
    Failover: 'PRIMARY',
    AliasTarget: { HostedZoneId: secondarySvc.albHostedZoneId, DNSName: secondarySvc.albDnsName, EvaluateTargetHealth: true },
  };
  const canonicalPrimary: DnsRecordReading = {
    name: config.dns.recordName,
    type: 'A',
    setIdentifier: config.dns.primarySetIdentifier,
    aliasDnsName: config.primaryAlb.dnsName,
    aliasHostedZoneId: config.primaryAlb.hostedZoneId,
    evaluateTargetHealth: true,
  };
  const canonicalSecondary: DnsRecordReading = {
    name: config.dns.recordName,
    type: 'A',
    setIdentifier: config.dns.secondarySetIdentifier,
    aliasDnsName: secondarySvc.albDnsName,
    aliasHostedZoneId: secondarySvc.albHostedZoneId,
    evaluateTargetHealth: true,
  };

  function switchedToSecondary(records: FailoverRecords): boolean {
    return records.secondarySet?.failover === 'PRIMARY' && normDns(records.secondarySet.aliasDnsName) === normDns(secondarySvc.albDnsName);
  }

  const ops: DatabaseFailoverOperations = {
    async checkPrimary(at: number): Promise<PrimaryCheck> {
      const [described, connections, alarms, dataPlane] = await Promise.all([
        describeInstance(config.primaryRegion, db.primaryInstanceId),
        rdsMetricSeries(config.primaryRegion, 'DatabaseConnections', db.primaryInstanceId, 'Maximum'),
        databaseDownAlarms(),
        dataPlaneEvidence(),
      ]);
      // The lag gate dates the failure by the later of replay stopping and the primary's last
      // serving minute (domain/failover/steps/checks.ts lagJudgedBefore). When replay stopped before
      // the look-back began (a late trigger, an episode reopened minutes after a refusal), the
      // look-back cannot say whether the primary still served then: read the primary's
      // connections back to that moment too (bounded by the replay look-back).
      const replayStoppedAt = dataPlane.replayStoppedAt;
      const windowStart = clock.now() - lookback * 1000;
      if (replayStoppedAt !== undefined && !connections.error && replayStoppedAt - METRIC_PERIOD_SECONDS * 1000 < windowStart) {
        const earlier = await rdsMetricSeries(config.primaryRegion, 'DatabaseConnections', db.primaryInstanceId, 'Maximum', replayStoppedAt - METRIC_PERIOD_SECONDS * 1000);
        if (!earlier.error) connections.points = earlier.points;
      }
      const latestConnections = connections.points[connections.points.length - 1];
      const lastServing = [...connections.points].reverse().find((p) => p.v > 0);
      return {
        at,
        instanceId: db.primaryInstanceId,
        ...(described.instance?.status ? { status: described.instance.status } : {}),
        ...(described.error ? { describeError: described.error } : {}),
        ...(latestConnections ? { connections: latestConnections.v, connectionsAt: latestConnections.t } : {}),
        ...(connections.error ? { metricsError: connections.error } : {}),
        ...(lastServing ? { servingUntil: lastServing.t + METRIC_PERIOD_SECONDS * 1000 } : {}),
        ...(connections.points[0] ? { connectionsFrom: connections.points[0].t } : {}),
        alarms: alarms.alarms,
        ...(alarms.error ? { alarmsError: alarms.error } : {}),
        dataPlane,
      };
    },

    async readReplica(lagHistorySince?: number): Promise<ReplicaReading> {
      const described = await describeInstance(db.replicaRegion, db.replicaInstanceId);
      const reading: ReplicaReading = { instanceId: db.replicaInstanceId, region: db.replicaRegion };
      if (described.error) return { ...reading, describeError: described.error };
      const i = described.instance as RdsInstanceReading;
      if (i.status) reading.status = i.status;
      if (i.replicaSourceId) reading.sourceIdentifier = i.replicaSourceId;
      if (i.endpoint) reading.endpoint = { address: i.endpoint.address, port: i.endpoint.port ?? db.port };
      if (i.backupRetentionDays !== undefined) reading.backupRetentionPeriod = i.backupRetentionDays;
      if (i.pendingModifications.length > 0) reading.pendingModifications = i.pendingModifications;
      // DescribeDBInstances has no lag field in the SDK model: CloudWatch ReplicaLag is the source.
      if (reading.sourceIdentifier) {
        const since = lagHistorySince !== undefined ? lagHistorySince - LAG_HISTORY_MARGIN_SECONDS * 1000 : undefined;
        const lag = await rdsMetricSeries(db.replicaRegion, 'ReplicaLag', db.replicaInstanceId, 'Maximum', since);
        const latest = lag.points[lag.points.length - 1];
        if (latest) {
          reading.lagSeconds = latest.v;
          reading.lagSource = 'cloudwatch';
        }
        if (since !== undefined && !lag.error) {
          reading.lagHistory = lag.points.map((p) => ({ at: p.t, seconds: p.v }));
          reading.lagPeriodSeconds = METRIC_PERIOD_SECONDS;
        }
      }
      return reading;
    },

    async readSecondary(): Promise<SecondaryReading> {
      const errors: string[] = [];
      let clusterStatus: string | undefined;
      try {
        const out = await aws.in(secondarySvc.region).ecs.send(new DescribeClustersCommand({ clusters: [secondarySvc.clusterName] }));
        clusterStatus = out.clusters?.find((c) => c.clusterName === secondarySvc.clusterName)?.status;
      } catch (err) {
        errors.push(`DescribeClusters failed: ${errName(err)}`);
      }
      const service = await readService(secondarySvc.region, secondarySvc.clusterName, secondarySvc.serviceName);
      if (service.describeError) errors.push(`DescribeServices: ${service.describeError}`);
      const base = await baseTaskDefinition();
      // The DATABASE_URL step 5 will rewrite: a reference must be readable now, before anything changes.
      const at = base.taskDefinition ? await databaseUrlAt(base.taskDefinition) : undefined;
      return {
        region: secondarySvc.region,
        clusterName: secondarySvc.clusterName,
        ...(clusterStatus ? { clusterStatus } : {}),
        ...(service.describeError ? {} : { service }),
        ...(base.taskDefinition?.taskDefinitionArn
          ? {
              taskDefinitionArn: base.taskDefinition.taskDefinitionArn,
              taskDefinitionFamily: base.taskDefinition.family,
              hasDatabaseUrl: !!at?.present,
              ...(at?.from ? { databaseUrlFrom: at.from } : {}),
              ...(at?.problem ? { databaseUrlProblem: at.problem } : {}),
              roles: {
                ...(base.taskDefinition.taskRoleArn ? { taskRoleArn: base.taskDefinition.taskRoleArn } : {}),
                ...(base.taskDefinition.executionRoleArn ? { executionRoleArn: base.taskDefinition.executionRoleArn } : {}),
              },
            }
          : {}),
        errors,
      };
    },

    readPrimaryService: () => readService(primarySvc.region, primarySvc.clusterName, primarySvc.serviceName),

    async scalePrimaryService(desiredCount: number): Promise<ServiceReading> {
      const live = await readService(primarySvc.region, primarySvc.clusterName, primarySvc.serviceName);
      if (live.describeError === undefined && live.desiredCount === desiredCount) return live;
      await aws.in(primarySvc.region).ecs.send(new UpdateServiceCommand({ cluster: primarySvc.clusterName, service: primarySvc.serviceName, desiredCount }));
      const after = await readService(primarySvc.region, primarySvc.clusterName, primarySvc.serviceName);
      if (after.desiredCount !== desiredCount) throw new Error(`UpdateService did not take: ${primarySvc.serviceName} desired ${after.desiredCount}, expected ${desiredCount}`);
      return after;
    },

    async promoteReplica(backupRetentionDays: number): Promise<ReplicaReading> {
      const live = await ops.readReplica();
      // An unreadable replica: the step retries. No longer a replica: promoted already (a no-op).
      if (live.describeError !== undefined) throw new Error(`cannot read ${db.replicaInstanceId} before promoting it: ${live.describeError}`);
      if (!live.sourceIdentifier) return live;
      // Anything but 'available' is a state PromoteReadReplica refuses ('modifying' for a change of
      // its own, 'backing-up'...): a decision for the workflow (domain/failover/replica-states.ts), not a retry.
      if (live.status !== 'available') {
        throw Object.assign(new Error(`cannot promote ${db.replicaInstanceId}: it is ${live.status ?? 'unknown'} and still a replica`), { name: 'ReplicaNotPromotable' });
      }
      await rdsReplica().send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: db.replicaInstanceId, BackupRetentionPeriod: backupRetentionDays }));
      return ops.readReplica();
    },

    findFailoverTaskDefinition,

    async registerFailoverTaskDefinition(endpoint, incidentKey): Promise<TaskDefinitionReading> {
      const existing = await findFailoverTaskDefinition(endpoint);
      if (existing) return existing;
      const base = await baseTaskDefinition();
      const td = base.taskDefinition;
      if (!td?.containerDefinitions) throw new Error(`no task definition of family ${secondarySvc.taskFamily} to copy`);
      // The one path that copies a task definition with a new DATABASE_URL (the restore switch takes it too).
      const { taskDefinition, reference } = await registerWithDatabaseEndpoint(aws, {
        region: secondarySvc.region,
        source: { ...td, family: secondarySvc.taskFamily },
        containerName: secondarySvc.containerName,
        endpoint,
        incidentKey,
        tags: [...(base.tags ?? []).filter((t) => t.key !== 'autopilot'), { key: 'autopilot', value: 'database-failover' }],
        prefixes: db.urlReferences,
      });
      const reading = await taskDefinitionReading(taskDefinition);
      if (normDns(reading.databaseHost) !== normDns(endpoint.address)) throw new Error(`registered ${reading.taskDefinitionArn} does not point at ${endpoint.address}`);
      return { ...reading, ...(reference ? { databaseUrlWritten: { kind: reference.kind, name: reference.name, arn: reference.arn, created: reference.created } } : {}) };
    },

    readSecondaryService: () => readService(secondarySvc.region, secondarySvc.clusterName, secondarySvc.serviceName),

    async updateSecondaryService(taskDefinitionArn: string | undefined, desiredCount: number): Promise<ServiceReading> {
      const live = await readService(secondarySvc.region, secondarySvc.clusterName, secondarySvc.serviceName);
      if (live.describeError === undefined && live.desiredCount === desiredCount && (!taskDefinitionArn || live.taskDefinition === taskDefinitionArn)) return live;
      await aws.in(secondarySvc.region).ecs.send(
        new UpdateServiceCommand({ cluster: secondarySvc.clusterName, service: secondarySvc.serviceName, desiredCount, ...(taskDefinitionArn ? { taskDefinition: taskDefinitionArn } : {}) }),
      );
      const after = await readService(secondarySvc.region, secondarySvc.clusterName, secondarySvc.serviceName);
      if (after.desiredCount !== desiredCount || (taskDefinitionArn && after.taskDefinition !== taskDefinitionArn)) {
        throw new Error(`UpdateService did not take: ${secondarySvc.serviceName} desired ${after.desiredCount} on ${after.taskDefinition}`);
      }
      return after;
    },

    readFailoverRecords,

    async upsertFailoverRecord(): Promise<DnsChange> {
      // Re-read: the caller's reading may be from before a crash.
      const live = await readFailoverRecords();
      if (switchedToSecondary(live)) return { changeId: '', status: 'INSYNC' };
      const sets: ResourceRecordSet[] = [secondaryAsPrimary];
      if (live.primarySet?.failover === 'PRIMARY') sets.push(recordSetOf(live.primarySet, 'SECONDARY'));
      return changeRecords(sets, `runbook-autopilot database-failover: ${config.dns.recordName} to ${secondarySvc.region}`);
    },

    async restoreFailoverRecords(previous: FailoverRecords): Promise<DnsChange> {
      // Failback: the primary set PRIMARY, the secondary set SECONDARY, each with its own alias
      // and health check as read before step 7 (the configured ALBs when that reading is unusable).
      const primary = previous.primarySet ?? canonicalPrimary;
      const secondary = previous.secondarySet ?? canonicalSecondary;
      return changeRecords([recordSetOf(primary, 'PRIMARY'), recordSetOf(secondary, 'SECONDARY')], 'runbook-autopilot database-failover rollback');
    },

    async dnsChangeStatus(changeId: string): Promise<string> {
      const out = await aws.in(config.primaryRegion).route53.send(new GetChangeCommand({ Id: changeId }));
      return out.ChangeInfo?.Status ?? 'PENDING';
    },

    checkHealth: (url) => (opts.health === 'simulated' ? simulatedHealth(url) : httpHealth(url, opts.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS)),

    async serviceNameAnswersSecondary(): Promise<boolean | undefined> {
      return aws.dns.answersAs(config.dns.recordName, secondarySvc.albDnsName).catch(() => undefined);
    },

    async checkSecondaryHealth(): Promise<HealthReading> {
      const url = secondaryHealthUrl(config);
      return opts.health === 'simulated' ? stackHealth(url, secondarySvc) : httpHealth(url, opts.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS);
    },
  };

  /**
   * Health without HTTP: follow DNS to the stack that would answer (the secondary when its
   * record is the failover PRIMARY, else the primary), and call it healthy when that
   * service has RUNNING tasks on a revision whose DATABASE_URL points at an available
   * instance that is not a read replica.
   */
  async function simulatedHealth(url: string): Promise<HealthReading> {
    const records = await readFailoverRecords().catch((): FailoverRecords | undefined => undefined);
    // Route 53's control plane unreadable: follow what DNS answers (its data plane) instead.
    const onSecondary = records ? switchedToSecondary(records) : (await aws.dns.answersAs(config.dns.recordName, secondarySvc.albDnsName).catch(() => undefined)) === true;
    return stackHealth(url, onSecondary ? secondarySvc : primarySvc);
  }

  /** One stack's health without HTTP (see simulatedHealth). */
  async function stackHealth(url: string, stack: EcsServiceConfig): Promise<HealthReading> {
    const svc = await readService(stack.region, stack.clusterName, stack.serviceName);
    if (svc.runningCount < 1 || !svc.taskDefinition) return { url, healthy: false, statusCode: 503, detail: `${stack.serviceName} (${stack.region}) has no running tasks` };
    const { taskDefinition } = await describeTaskDefinition(stack.region, svc.taskDefinition);
    const at = await databaseUrlAt(taskDefinition, stack);
    const host = at.problem ? undefined : at.host;
    if (!host) return { url, healthy: false, statusCode: 500, detail: `${svc.taskDefinition} has no readable DATABASE_URL${at.problem ? ` (${at.problem})` : ''}` };
    for (const [region, id] of [[config.primaryRegion, db.primaryInstanceId], [db.replicaRegion, db.replicaInstanceId]] as const) {
      const { instance } = await describeInstance(region, id);
      if (normDns(instance?.endpoint?.address) !== normDns(host)) continue;
      const writable = instance?.status === 'available' && !instance.replicaSourceId;
      return writable
        ? { url, healthy: true, statusCode: 200, detail: `${stack.serviceName} (${stack.region}) ${svc.runningCount} running, database ${id} available` }
        : { url, healthy: false, statusCode: 503, detail: `database ${id} is ${instance?.status ?? 'unknown'}${instance?.replicaSourceId ? ' (read replica)' : ''}` };
    }
    return { url, healthy: false, statusCode: 503, detail: `DATABASE_URL host ${host} is no known instance` };
  }

  return ops;
}

/** The secondary stack's health URL: configured, else the service's health path on the secondary ALB. */
export function secondaryHealthUrl(config: AutopilotConfig): string {
  if (config.secondaryService.healthCheckUrl) return config.secondaryService.healthCheckUrl;
  let path = '/health?check=db';
  try {
    const u = new URL(config.service.healthCheckUrl);
    path = `${u.pathname}${u.search}`;
  } catch {
    // keep the default path
  }
  return `http://${config.secondaryService.albDnsName}${path}`;
}

/** GET the health endpoint; 200 is healthy. Bounded by a timeout: a hung endpoint is unhealthy. */
export async function httpHealth(url: string, timeoutMs: number): Promise<HealthReading> {
  try {
    const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'runbook-autopilot/database-failover' } });
    return { url, healthy: res.status === 200, statusCode: res.status, detail: `HTTP ${res.status}` };
  } catch (err) {
    return { url, healthy: false, detail: `request failed: ${errName(err)}` };
  }
}
