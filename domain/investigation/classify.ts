/**
 * Runbook 4, "Common Causes": classify a 5XX incident from its signals, pure.
 *
 * Every cause is tested independently and keeps the evidence that matched it (signal,
 * value, threshold). When several match, the cause is chosen by this precedence, highest first:
 *
 *   1. dependency-down            RDS / S3 / Redis down is outside the service: nothing the
 *                                 service does (scale, restart, roll back) fixes it, and
 *                                 its errors show up as every other symptom.
 *   2. bad-deployment             errors began within the lookback after a deployment started,
 *                                 and were quiet before it: the change is the likeliest cause
 *                                 of whatever follows (a leak, a pool setting, CPU), and
 *                                 rolling back is the runbook's safest remedy.
 *   3. connection-pool-exhausted  must beat CPU saturation: more tasks open more
 *                                 connections and make exhaustion worse.
 *   4. memory-leak                beats CPU: a leaking task burns CPU in GC; more tasks only
 *                                 postpone the OOM kills.
 *   5. cpu-saturation             the one cause that scaling out fixes.
 *   6. unknown                    nothing matched: a human looks (P2).
 */
import {
  isOomStop,
  lastValue,
  maxSince,
  meanSince,
  type FiveXxSignals,
  type Series,
} from './signals';

export type Cause = 'dependency-down' | 'bad-deployment' | 'connection-pool-exhausted' | 'memory-leak' | 'cpu-saturation' | 'unknown';

export const CAUSE_PRECEDENCE: readonly Cause[] = ['dependency-down', 'bad-deployment', 'connection-pool-exhausted', 'memory-leak', 'cpu-saturation', 'unknown'];

export interface Evidence {
  signal: string;
  value: number | string;
  /** What the value was compared with ('>= 85', 'available', ...). */
  threshold: number | string;
  note: string;
}

export interface Finding {
  cause: Cause;
  evidence: Evidence[];
}

export interface Classification {
  cause: Cause;
  evidence: Evidence[];
  /** Other causes whose checks also matched (lower in the precedence), for the page. */
  alsoMatched: Finding[];
  /** When the errors began (first minute at the onset rate, else the alarm's state change). */
  errorsBeganAt: number;
  /** Signals that could not be read: a cause depending on them may have been missed. */
  unreadable: string[];
}

export interface ClassifierThresholds {
  /** The utilisation checks look at this many recent minutes. */
  recentMinutes: number;
  cpuSaturatedPercent: number;
  memoryHighPercent: number;
  /** Memory rising by this many points across the window reads as a leak. */
  memoryRisePercent: number;
  oomStopsMin: number;
  /** sqlalchemy.exc.TimeoutError + QueuePool limit lines in the log window. */
  poolErrorLinesMin: number;
  /** DatabaseConnections at this share of max_connections is exhaustion on the server side. */
  dbConnectionsShare: number;
  /** A deployment counts when errors began at most this long after it started. */
  deploymentLookbackSeconds: number;
  /** A minute with at least this many target 5XX marks the onset. */
  errorOnsetPerMinute: number;
}

export const DEFAULT_THRESHOLDS: ClassifierThresholds = {
  recentMinutes: 5,
  cpuSaturatedPercent: 85,
  memoryHighPercent: 90,
  memoryRisePercent: 20,
  oomStopsMin: 1,
  poolErrorLinesMin: 5,
  dbConnectionsShare: 0.9,
  deploymentLookbackSeconds: 3600,
  errorOnsetPerMinute: 10,
};

/** RDS statuses in which the application can still use the instance. */
const RDS_USABLE = new Set(['available', 'backing-up', 'modifying', 'maintenance', 'configuring-enhanced-monitoring', 'configuring-log-exports', 'storage-optimization', 'upgrading']);
/** ElastiCache statuses in which the cluster serves. */
const CACHE_USABLE = new Set(['available', 'modifying', 'snapshotting']);

export function errorOnset(s: FiveXxSignals, t: ClassifierThresholds): number {
  const first = s.fiveXx.find((p) => p.value >= t.errorOnsetPerMinute);
  return first ? first.at : s.alarm.stateChangedAt;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function orNoData(n: number | undefined): number | string {
  return n === undefined ? 'no data' : round(n);
}

export function dependencyDown(s: FiveXxSignals): Evidence[] {
  const ev: Evidence[] = [];
  if (s.database && !RDS_USABLE.has(s.database.status)) {
    ev.push({ signal: `RDS ${s.database.id} status`, value: s.database.status, threshold: 'available', note: 'the primary database is not usable' });
  }
  for (const b of s.dependencies.s3) {
    if (!b.reachable) ev.push({ signal: `S3 HeadBucket ${b.bucket}`, value: b.detail, threshold: 'reachable', note: 'bucket not reachable from its control plane' });
  }
  for (const c of s.dependencies.cache) {
    if (!CACHE_USABLE.has(c.status)) ev.push({ signal: `ElastiCache ${c.id} status`, value: c.status, threshold: 'available', note: 'Redis cluster not serving' });
  }
  return ev;
}

export function badDeployment(s: FiveXxSignals, t: ClassifierThresholds, onset: number): Evidence[] {
  const deployments = s.service?.deployments ?? [];
  const suspects = deployments
    .filter((d) => d.status === 'PRIMARY' && d.createdAt <= onset && onset - d.createdAt <= t.deploymentLookbackSeconds * 1000)
    .sort((a, b) => b.createdAt - a.createdAt);
  const d = suspects[0];
  if (!d) return [];
  const before = s.fiveXx.filter((p) => p.at < d.createdAt && p.value >= t.errorOnsetPerMinute);
  if (before.length > 0) return [];
  const minutes = round((onset - d.createdAt) / 60000);
  return [
    {
      signal: `ECS deployment ${d.id}`,
      value: `${d.taskDefinition} started ${new Date(d.createdAt).toISOString()} (${d.rolloutState ?? 'unknown rollout'})`,
      threshold: `errors began within ${t.deploymentLookbackSeconds}s after it`,
      note: `5XX began ${minutes} min after the deployment started`,
    },
    {
      signal: 'HTTPCode_Target_5XX_Count before the deployment',
      value: 0,
      threshold: `no minute >= ${t.errorOnsetPerMinute}`,
      note: 'the error rate was normal before the deployment',
    },
  ];
}

/**
 * The utilisation checks look at the errors' own period: the recent minutes, but not before
 * the errors began (a surge two minutes old must not be averaged with the calm before it).
 */
export function recentSince(s: FiveXxSignals, t: ClassifierThresholds, onset: number): number {
  return Math.max(onset, s.at - t.recentMinutes * 60000);
}

export function poolExhausted(s: FiveXxSignals, t: ClassifierThresholds, onset: number): Evidence[] {
  const ev: Evidence[] = [];
  const poolLines = s.logs?.poolErrorLines ?? 0;
  if (poolLines >= t.poolErrorLinesMin) {
    ev.push({
      signal: 'log lines sqlalchemy.exc.TimeoutError / QueuePool limit',
      value: poolLines,
      threshold: `>= ${t.poolErrorLinesMin}`,
      note: 'the application waits for a pooled connection and times out',
    });
  }
  const maxConn = s.database?.maxConnections;
  const connections = maxSince(s.dbConnections, recentSince(s, t, onset));
  if (maxConn && connections !== undefined && connections >= t.dbConnectionsShare * maxConn) {
    ev.push({
      signal: 'RDS DatabaseConnections (max, recent)',
      value: connections,
      threshold: `>= ${Math.round(t.dbConnectionsShare * 100)}% of max_connections ${maxConn}`,
      note: 'the database is at its connection limit',
    });
  }
  return ev;
}

function rise(series: Series): number | undefined {
  if (series.length < 2) return undefined;
  const first = series[0]?.value ?? 0;
  const last = lastValue(series) ?? first;
  return last - first;
}

export function memoryLeak(s: FiveXxSignals, t: ClassifierThresholds, onset: number): Evidence[] {
  const ev: Evidence[] = [];
  const oom = s.stoppedTasks.filter(isOomStop);
  if (oom.length >= t.oomStopsMin) {
    ev.push({
      signal: 'stopped tasks killed for memory (OutOfMemoryError)',
      value: oom.length,
      threshold: `>= ${t.oomStopsMin}`,
      note: oom.slice(0, 3).map((o) => o.containers.find((c) => c.reason)?.reason ?? o.stoppedReason ?? o.taskArn).join('; '),
    });
  }
  const memNow = meanSince(s.memory, recentSince(s, t, onset));
  const memRise = rise(s.memory);
  if (memNow !== undefined && memRise !== undefined && memNow >= t.memoryHighPercent && memRise >= t.memoryRisePercent) {
    ev.push({
      signal: 'ECS MemoryUtilization (avg, recent)',
      value: round(memNow),
      threshold: `>= ${t.memoryHighPercent}% and rising >= ${t.memoryRisePercent} points`,
      note: `memory rose ${round(memRise)} points across the window`,
    });
  }
  return ev;
}

export function cpuSaturated(s: FiveXxSignals, t: ClassifierThresholds, onset: number): Evidence[] {
  const since = recentSince(s, t, onset);
  const cpu = meanSince(s.cpu, since);
  if (cpu === undefined || cpu < t.cpuSaturatedPercent) return [];
  const minutes = Math.max(1, Math.round((s.at - since) / 60000));
  const ev: Evidence[] = [{ signal: 'ECS CPUUtilization (avg, recent)', value: round(cpu), threshold: `>= ${t.cpuSaturatedPercent}%`, note: `average over the last ${minutes} min, since the errors began` }];
  const latency = meanSince(s.targetResponseTime, since);
  if (latency !== undefined) ev.push({ signal: 'TargetResponseTime (avg, recent)', value: round(latency * 1000) / 1000, threshold: 'context', note: 'seconds' });
  return ev;
}

export function classify(s: FiveXxSignals, t: ClassifierThresholds = DEFAULT_THRESHOLDS): Classification {
  const onset = errorOnset(s, t);
  const findings: Finding[] = [
    { cause: 'dependency-down' as const, evidence: dependencyDown(s) },
    { cause: 'bad-deployment' as const, evidence: badDeployment(s, t, onset) },
    { cause: 'connection-pool-exhausted' as const, evidence: poolExhausted(s, t, onset) },
    { cause: 'memory-leak' as const, evidence: memoryLeak(s, t, onset) },
    { cause: 'cpu-saturation' as const, evidence: cpuSaturated(s, t, onset) },
  ].filter((f) => f.evidence.length > 0);
  findings.sort((a, b) => CAUSE_PRECEDENCE.indexOf(a.cause) - CAUSE_PRECEDENCE.indexOf(b.cause));
  const unreadable = s.unreadable.map((u) => `${u.signal}: ${u.error}`);
  const [top, ...rest] = findings;
  if (!top) {
    return { cause: 'unknown', evidence: unknownEvidence(s, t, onset), alsoMatched: [], errorsBeganAt: onset, unreadable };
  }
  return { cause: top.cause, evidence: top.evidence, alsoMatched: rest, errorsBeganAt: onset, unreadable };
}

/** For 'unknown': what was seen, so the human starts from the checks already made. */
function unknownEvidence(s: FiveXxSignals, t: ClassifierThresholds, onset: number): Evidence[] {
  const since = s.at - t.recentMinutes * 60000;
  const ev: Evidence[] = [
    { signal: 'HTTPCode_Target_5XX_Count (max, recent)', value: orNoData(maxSince(s.fiveXx, since)), threshold: 'context', note: `errors began ${new Date(onset).toISOString()}` },
    { signal: 'ECS CPUUtilization (avg, recent)', value: orNoData(meanSince(s.cpu, since)), threshold: `< ${t.cpuSaturatedPercent}%`, note: 'not saturated' },
    { signal: 'ECS MemoryUtilization (avg, recent)', value: orNoData(meanSince(s.memory, since)), threshold: `< ${t.memoryHighPercent}% or not rising`, note: 'no leak pattern' },
  ];
  const top = s.logs?.topLines[0];
  if (top) ev.push({ signal: 'top error line', value: top.count, threshold: 'context', note: top.line });
  const traces = s.logs?.patternCounts['Traceback'];
  if (traces) ev.push({ signal: 'log lines Traceback', value: traces, threshold: 'context', note: 'unhandled exceptions (runbook 4: check Sentry)' });
  return ev;
}
