/**
 * Runbook 4's signals, as read: one value per "Investigation Steps" check.
 *
 * 1. Check Current Error Rate      -> fiveXx, targetResponseTime, requests
 * 2. Check Application Logs        -> logs (pattern counts, top lines)
 * 3. Check Database Connectivity   -> database (status, DatabaseConnections vs max)
 * 4. Check Resource Utilization    -> cpu, memory, service (running/desired, deployments, OOM-stopped tasks)
 * 5. Check External Dependencies   -> dependencies (S3 buckets, ElastiCache clusters)
 *
 * Everything is plain data (epoch ms, numbers, strings) so a signal set can be recorded as
 * JSON and replayed through the classifier in tests.
 */

export interface Point {
  /** Start of the 60-second period, epoch ms. */
  at: number;
  value: number;
}

/** A per-minute series, oldest first; empty when CloudWatch had no data. */
export type Series = Point[];

export interface DeploymentSignal {
  id: string;
  /** PRIMARY (the one being rolled out / current) or ACTIVE (the one being replaced). */
  status: string;
  rolloutState?: string;
  taskDefinition: string;
  createdAt: number;
  updatedAt?: number;
  desired: number;
  running: number;
  failedTasks?: number;
}

export interface StoppedTaskSignal {
  taskArn: string;
  taskDefinition: string;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  /** Container-level exit: 137 with reason OutOfMemoryError is an OOM kill. */
  containers: { name: string; exitCode?: number; reason?: string }[];
}

export interface LogSignal {
  /** The window searched (bounded in time). */
  from: number;
  to: number;
  /** Events read (bounded by limit and bytes). */
  eventsScanned: number;
  bytesScanned: number;
  /** True when the bounds stopped the read before the end of the window. */
  truncated: boolean;
  /** Count per known pattern (sqlalchemy.exc.TimeoutError, QueuePool limit, OutOfMemory, Traceback...). */
  patternCounts: Record<string, number>;
  /** Lines showing pool exhaustion (sqlalchemy.exc.TimeoutError or QueuePool limit), each line counted once. */
  poolErrorLines: number;
  /** Most frequent error lines, normalised (numbers and ids stripped), with counts. */
  topLines: { line: string; count: number }[];
}

export interface FiveXxSignals {
  /** When the signals were read, epoch ms. */
  at: number;
  alarm: { name: string; stateChangedAt: number; reason?: string };
  /** The metric window read. */
  window: { from: number; to: number };
  /** HTTPCode_Target_5XX_Count, Sum per minute. */
  fiveXx: Series;
  /** TargetResponseTime, Average seconds per minute. */
  targetResponseTime: Series;
  /** RequestCount, Sum per minute. */
  requests: Series;
  /** ECS CPUUtilization, Average percent per minute. */
  cpu: Series;
  /** ECS MemoryUtilization, Average percent per minute. */
  memory: Series;
  /** RDS DatabaseConnections, Maximum per minute. */
  dbConnections: Series;
  service?: {
    desired: number; running: number; pending: number; deployments: DeploymentSignal[];
    /** ECS | CODE_DEPLOY | EXTERNAL: a CODE_DEPLOY service cannot be restarted with UpdateService. */
    deploymentController?: string;
  };
  stoppedTasks: StoppedTaskSignal[];
  database?: { id: string; status: string; maxConnections: number };
  dependencies: {
    s3: { bucket: string; reachable: boolean; detail: string }[];
    cache: { id: string; status: string }[];
  };
  logs?: LogSignal;
  /** Reads that failed (a signal we could not see): named, with the error. */
  unreadable: { signal: string; error: string }[];
  /** AWS calls made to gather all this (bounded). */
  callsMade: number;
}

/** Patterns counted in the log window; the first two are runbook 4's pool-exhaustion symptoms. */
export const LOG_PATTERNS = ['sqlalchemy.exc.TimeoutError', 'QueuePool limit', 'OutOfMemory', 'MemoryError', 'Traceback', 'ERROR'] as const;

export function lastValue(series: Series): number | undefined {
  return series.length > 0 ? series[series.length - 1]?.value : undefined;
}

/** Mean of the points at or after `since` (undefined when none). */
export function meanSince(series: Series, since: number): number | undefined {
  const pts = series.filter((p) => p.at >= since);
  if (pts.length === 0) return undefined;
  return pts.reduce((s, p) => s + p.value, 0) / pts.length;
}

export function maxSince(series: Series, since: number): number | undefined {
  const pts = series.filter((p) => p.at >= since);
  return pts.length === 0 ? undefined : Math.max(...pts.map((p) => p.value));
}

/** A task stopped by the OOM killer: container reason OutOfMemoryError, or exit 137 with "memory" in the reason. */
export function isOomStop(task: StoppedTaskSignal): boolean {
  return (
    task.containers.some((c) => /OutOfMemory/i.test(c.reason ?? '') || (c.exitCode === 137 && /memory/i.test(c.reason ?? ''))) ||
    /OutOfMemory/i.test(task.stoppedReason ?? '')
  );
}
