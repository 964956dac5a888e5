/**
 * Runbook 4 on AWS: read every signal of "Investigation Steps" within a fixed number of
 * calls, and the one remediation runbook 4 allows itself (force a new deployment).
 *
 * Call budget (each read at most once, in parallel; a failing read becomes an `unreadable`
 * entry, never a crash): GetMetricData (one call for six metrics, <= 2 pages),
 * DescribeServices, ListTasks(STOPPED) + DescribeTasks, DescribeDBInstances, HeadBucket per
 * configured bucket, DescribeCacheClusters per configured cluster, FilterLogEvents
 * (<= MAX_LOG_PAGES pages, <= MAX_LOG_BYTES, last LOG_WINDOW_MINUTES only).
 */
import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeCacheClustersCommand } from '@aws-sdk/client-elasticache';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import './sdk/cloudwatch';
import './sdk/logs';
import './sdk/ecs';
import './sdk/elasticache';
import './sdk/s3';
import type { AutopilotConfig } from '../../domain/config';
import { summariseLogs } from '../../domain/investigation/logs';
import { type DeploymentSignal, type FiveXxSignals, type LogSignal, type Series, type StoppedTaskSignal } from '../../domain/investigation/signals';
import type { AwsRegions } from './clients';
import { readEcsService, type EcsDeploymentReading } from './ecs-service-reader';
import { readRdsInstance } from './rds-instance-reader';

export const METRIC_WINDOW_MINUTES = 60;
export const LOG_WINDOW_MINUTES = 15;
export const MAX_LOG_PAGES = 5;
export const MAX_LOG_BYTES = 1_000_000;
const LOG_PAGE_LIMIT = 1000;
const MAX_METRIC_PAGES = 2;
const MAX_STOPPED_TASKS = 100;
/** FilterLogEvents pattern: any of the error markers runbook 4 greps for. */
export const LOG_FILTER_PATTERN = '?ERROR ?Exception ?Traceback ?TimeoutError ?QueuePool ?OutOfMemory ?MemoryError';

export interface AlarmRef {
  name: string;
  stateChangedAt: number;
  reason?: string;
}

export interface RestartResult {
  deploymentId: string;
  taskDefinition: string;
  /** True when a deployment forced at/after `notBefore` already existed (a retried call). */
  alreadyDone: boolean;
}

export class AwsInvestigationOperations {
  private calls = 0;

  constructor(
    private readonly aws: AwsRegions,
    private readonly config: AutopilotConfig,
  ) {}

  private get c() {
    return this.aws.in(this.config.service.region);
  }

  private count<T>(p: Promise<T>): Promise<T> {
    this.calls += 1;
    return p;
  }

  async gatherSignals(alarm: AlarmRef, now: number): Promise<FiveXxSignals> {
    this.calls = 0;
    const unreadable: FiveXxSignals['unreadable'] = [];
    const attempt = async <T>(signal: string, read: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await read();
      } catch (err) {
        unreadable.push({ signal, error: err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : String(err) });
        return undefined;
      }
    };
    const [metrics, service, stoppedTasks, database, s3, cache, logs] = await Promise.all([
      attempt('CloudWatch metrics (5XX, latency, requests, CPU, memory, connections)', () => this.readMetrics(now)),
      attempt('ECS service', () => this.readService()),
      attempt('ECS stopped tasks', () => this.readStoppedTasks(now)),
      attempt(`RDS ${this.config.database.primaryInstanceId}`, () => this.readDatabase()),
      Promise.all(this.config.dependencies.s3Buckets.map((b) => this.headBucket(b))),
      Promise.all(this.config.dependencies.elastiCacheClusterIds.map((id) => attempt(`ElastiCache ${id}`, () => this.readCache(id)))),
      attempt(`logs ${this.config.service.logGroupName}`, () => this.readLogs(now)),
    ]);
    const empty: Series = [];
    return {
      at: now,
      alarm,
      window: { from: now - METRIC_WINDOW_MINUTES * 60_000, to: now },
      fiveXx: metrics?.fiveXx ?? empty,
      targetResponseTime: metrics?.latency ?? empty,
      requests: metrics?.requests ?? empty,
      cpu: metrics?.cpu ?? empty,
      memory: metrics?.memory ?? empty,
      dbConnections: metrics?.connections ?? empty,
      service,
      stoppedTasks: stoppedTasks ?? [],
      database,
      dependencies: { s3, cache: cache.filter((c): c is { id: string; status: string } => c !== undefined) },
      logs,
      unreadable,
      callsMade: this.calls,
    };
  }

  // 1. Check Current Error Rate + 4. Check Resource Utilization (+ RDS connections): one GetMetricData.
  private async readMetrics(now: number): Promise<Record<'fiveXx' | 'latency' | 'requests' | 'cpu' | 'memory' | 'connections', Series>> {
    const svc = this.config.service;
    const alb = [{ Name: 'LoadBalancer', Value: svc.loadBalancerDimension }];
    const ecs = [
      { Name: 'ClusterName', Value: svc.clusterName },
      { Name: 'ServiceName', Value: svc.serviceName },
    ];
    const q = (Id: string, Namespace: string, MetricName: string, Dimensions: { Name: string; Value: string }[], Stat: string): MetricDataQuery => ({
      Id,
      MetricStat: { Metric: { Namespace, MetricName, Dimensions }, Period: 60, Stat },
      ReturnData: true,
    });
    const queries = [
      q('fiveXx', 'AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', alb, 'Sum'),
      q('latency', 'AWS/ApplicationELB', 'TargetResponseTime', alb, 'Average'),
      q('requests', 'AWS/ApplicationELB', 'RequestCount', alb, 'Sum'),
      q('cpu', 'AWS/ECS', 'CPUUtilization', ecs, 'Average'),
      q('memory', 'AWS/ECS', 'MemoryUtilization', ecs, 'Average'),
      q('connections', 'AWS/RDS', 'DatabaseConnections', [{ Name: 'DBInstanceIdentifier', Value: this.config.database.primaryInstanceId }], 'Maximum'),
    ];
    const out: Record<string, Series> = { fiveXx: [], latency: [], requests: [], cpu: [], memory: [], connections: [] };
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_METRIC_PAGES; page++) {
      const res = await this.count(
        this.c.cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(now - METRIC_WINDOW_MINUTES * 60_000),
            EndTime: new Date(now),
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
        ),
      );
      for (const r of res.MetricDataResults ?? []) {
        const series = out[r.Id ?? ''];
        if (!series) continue;
        (r.Timestamps ?? []).forEach((t, i) => series.push({ at: t.getTime(), value: r.Values?.[i] ?? 0 }));
      }
      nextToken = res.NextToken;
      if (!nextToken) break;
    }
    for (const s of Object.values(out)) s.sort((a, b) => a.at - b.at);
    return out as Record<'fiveXx' | 'latency' | 'requests' | 'cpu' | 'memory' | 'connections', Series>;
  }

  // 4. running vs desired, recent deployments.
  private async readService(): Promise<FiveXxSignals['service']> {
    const svc = this.config.service;
    const { service: s, failure } = await this.count(readEcsService(this.c.ecs, svc.clusterName, svc.serviceName));
    if (!s) throw new Error(`service ${svc.clusterName}/${svc.serviceName}: ${failure ?? 'not found'}`);
    return { desired: s.desired, running: s.running, pending: s.pending, deployments: s.deployments.map(deploymentSignal), deploymentController: s.deploymentController };
  }

  // 4. stopped tasks (OOM kills), bounded to one ListTasks page and one DescribeTasks.
  private async readStoppedTasks(now: number): Promise<StoppedTaskSignal[]> {
    const svc = this.config.service;
    const list = await this.count(
      this.c.ecs.send(new ListTasksCommand({ cluster: svc.clusterName, serviceName: svc.serviceName, desiredStatus: 'STOPPED', maxResults: MAX_STOPPED_TASKS })),
    );
    const arns = list.taskArns ?? [];
    if (arns.length === 0) return [];
    const res = await this.count(this.c.ecs.send(new DescribeTasksCommand({ cluster: svc.clusterName, tasks: arns.slice(0, MAX_STOPPED_TASKS) })));
    const since = now - METRIC_WINDOW_MINUTES * 60_000;
    return (res.tasks ?? [])
      .filter((t) => (t.stoppedAt?.getTime() ?? now) >= since)
      .map((t) => ({
        taskArn: t.taskArn ?? '?',
        taskDefinition: shortTaskDefinition(t.taskDefinitionArn),
        stoppedAt: t.stoppedAt?.getTime(),
        stopCode: t.stopCode,
        stoppedReason: t.stoppedReason,
        containers: (t.containers ?? []).map((c) => ({ name: c.name ?? '?', exitCode: c.exitCode, reason: c.reason })),
      }));
  }

  // 3. Check Database Connectivity (control plane).
  private async readDatabase(): Promise<FiveXxSignals['database']> {
    const id = this.config.database.primaryInstanceId;
    try {
      const instance = await this.count(readRdsInstance(this.c.rds, id));
      return { id, status: instance?.status ?? 'unknown', maxConnections: this.config.database.maxConnections };
    } catch (err) {
      if (err instanceof Error && err.name === 'DBInstanceNotFoundFault') return { id, status: 'missing', maxConnections: this.config.database.maxConnections };
      throw err;
    }
  }

  // 5. Check External Dependencies: S3 (HeadBucket).
  private async headBucket(bucket: string): Promise<{ bucket: string; reachable: boolean; detail: string }> {
    try {
      await this.count(this.c.s3.send(new HeadBucketCommand({ Bucket: bucket })));
      return { bucket, reachable: true, detail: 'HeadBucket 200' };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const name = err instanceof Error ? err.name : 'Error';
      // 403: the bucket exists and answers; our role just may not read it. Not an outage.
      if (status === 403) return { bucket, reachable: true, detail: 'HeadBucket 403 (exists)' };
      return { bucket, reachable: false, detail: `${name}${status ? ` (${status})` : ''}` };
    }
  }

  // 5. Check External Dependencies: Redis (ElastiCache control plane).
  private async readCache(id: string): Promise<{ id: string; status: string }> {
    try {
      const res = await this.count(this.c.elasticache.send(new DescribeCacheClustersCommand({ CacheClusterId: id })));
      return { id, status: res.CacheClusters?.[0]?.CacheClusterStatus ?? 'unknown' };
    } catch (err) {
      if (err instanceof Error && err.name === 'CacheClusterNotFoundFault') return { id, status: 'missing' };
      throw err;
    }
  }

  // 2. Check Application Logs: bounded in time (window), count (pages x limit) and bytes.
  private async readLogs(now: number): Promise<LogSignal> {
    const from = now - LOG_WINDOW_MINUTES * 60_000;
    const messages: string[] = [];
    let bytes = 0;
    let truncated = false;
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_LOG_PAGES; page++) {
      const res = await this.count(
        this.c.logs.send(
          new FilterLogEventsCommand({
            logGroupName: this.config.service.logGroupName,
            startTime: from,
            endTime: now,
            filterPattern: LOG_FILTER_PATTERN,
            limit: LOG_PAGE_LIMIT,
            nextToken,
          }),
        ),
      );
      for (const e of res.events ?? []) {
        const m = e.message ?? '';
        bytes += Buffer.byteLength(m, 'utf8');
        if (bytes > MAX_LOG_BYTES) {
          truncated = true;
          break;
        }
        messages.push(m);
      }
      nextToken = res.nextToken;
      if (truncated || !nextToken) break;
      if (page === MAX_LOG_PAGES - 1) truncated = true;
    }
    return summariseLogs(messages, { from, to: now, bytes, truncated });
  }

  /**
   * Memory leak remedy (runbook 4): UpdateService --force-new-deployment. Re-reads first:
   * a PRIMARY deployment created at or after `notBefore` means it was already forced.
   */
  async forceNewDeployment(notBefore: number): Promise<RestartResult> {
    const svc = this.config.service;
    const before = await this.readService();
    const existing = before?.deployments.find((d) => d.status === 'PRIMARY' && d.createdAt >= notBefore);
    if (existing) return { deploymentId: existing.id, taskDefinition: existing.taskDefinition, alreadyDone: true };
    const res = await this.c.ecs.send(new UpdateServiceCommand({ cluster: svc.clusterName, service: svc.serviceName, forceNewDeployment: true }));
    const primary = res.service?.deployments?.find((d) => d.status === 'PRIMARY');
    const after = await this.readService();
    const verified = after?.deployments.find((d) => d.id === primary?.id && d.status === 'PRIMARY');
    if (!primary?.id || !verified) throw new Error(`force-new-deployment on ${svc.clusterName}/${svc.serviceName}: no new PRIMARY deployment after the call`);
    return { deploymentId: primary.id, taskDefinition: verified.taskDefinition, alreadyDone: false };
  }
}

function shortTaskDefinition(arn: string | undefined): string {
  return arn ? (arn.split('/').pop() ?? arn) : '?';
}

function deploymentSignal(d: EcsDeploymentReading): DeploymentSignal {
  return {
    id: d.id ?? '?',
    status: d.status ?? '?',
    rolloutState: d.rolloutState,
    taskDefinition: shortTaskDefinition(d.taskDefinition),
    createdAt: d.createdAt ?? 0,
    updatedAt: d.updatedAt,
    desired: d.desired,
    running: d.running,
    failedTasks: d.failedTasks,
  };
}
