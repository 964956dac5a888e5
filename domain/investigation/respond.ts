/**
 * Runbook 4, "Common Causes and Solutions": what to do about a classified 5XX incident, pure.
 *
 *   cpu-saturation            -> hand off 'Scale Requested' to scale-ecs (it owns the scaling guardrails)
 *   memory-leak               -> force a new deployment (bounded by restartCooldownSeconds) + page P3:
 *                                the lasting fix, more task memory, is a human's change
 *   bad-deployment            -> hand off 'Rollback Requested' (an event, never a direct call)
 *   connection-pool-exhausted -> do NOT scale (more tasks, more connections) + page P2
 *   dependency-down           -> do NOT scale, page P2: the fix is in the dependency
 *   unknown                   -> page P2
 */
import type { AutopilotConfig } from '../config';
import type { ActionRecord, GuardrailName } from '../guardrails';
import type { Page, RefusedAction } from '../paging';
import type { Classification, Evidence } from './classify';
import { lastValue, type FiveXxSignals } from './signals';
import { quoteUntrusted } from '../untrusted-text';

export interface ScaleHandOff {
  cluster: string;
  service: string;
  reason: string;
  incidentKey: string;
  evidence: string[];
}

export interface RollbackHandOff extends ScaleHandOff {
  requestedBy: string;
}

export type InvestigationResponse =
  | { kind: 'hand-off-scale'; detailType: 'Scale Requested'; detail: ScaleHandOff; page: Page }
  | { kind: 'hand-off-rollback'; detailType: 'Rollback Requested'; detail: RollbackHandOff; page: Page }
  /** The page is sent after the restart, with what happened (done or refused) filled in. */
  | { kind: 'restart'; summary: string; page: Page }
  | { kind: 'page'; page: Page };

/** Named verdict for the refusal to scale on pool exhaustion / a dependency outage. */
export const NO_SCALE_GUARDRAIL = 'ScalingWouldNotHelp' satisfies GuardrailName;

export function formatEvidence(e: Evidence): string {
  return `${e.signal} = ${e.value} (threshold ${e.threshold}): ${e.note}`;
}

/** The signals a human reads first, whatever the cause. */
export function signalSummary(s: FiveXxSignals): string[] {
  const fmt = (v: number | undefined, unit = '') => (v === undefined ? 'no data' : `${Math.round(v * 100) / 100}${unit}`);
  const lines = [
    `alarm ${s.alarm.name} ALARM since ${new Date(s.alarm.stateChangedAt).toISOString()}`,
    `HTTPCode_Target_5XX_Count last minute: ${fmt(lastValue(s.fiveXx))}; TargetResponseTime: ${fmt(lastValue(s.targetResponseTime), ' s')}`,
    `ECS CPU ${fmt(lastValue(s.cpu), '%')}, memory ${fmt(lastValue(s.memory), '%')}`,
  ];
  if (s.service) lines.push(`tasks running ${s.service.running}/${s.service.desired} (pending ${s.service.pending}); deployments: ${s.service.deployments.map((d) => `${d.id} ${d.status} ${d.taskDefinition} ${d.rolloutState ?? ''}`.trim()).join(', ') || 'none'}`);
  if (s.database) lines.push(`RDS ${s.database.id} ${s.database.status}; DatabaseConnections ${fmt(lastValue(s.dbConnections))} of max ${s.database.maxConnections}`);
  for (const b of s.dependencies.s3) lines.push(`S3 ${b.bucket}: ${b.reachable ? 'reachable' : `NOT reachable (${b.detail})`}`);
  for (const c of s.dependencies.cache) lines.push(`ElastiCache ${c.id}: ${c.status}`);
  if (s.logs) {
    const counted = Object.entries(s.logs.patternCounts).filter(([, n]) => n > 0).map(([p, n]) => `${p} x${n}`).join(', ');
    lines.push(`logs ${new Date(s.logs.from).toISOString()}..${new Date(s.logs.to).toISOString()}: ${s.logs.eventsScanned} lines${s.logs.truncated ? ' (bounded, truncated)' : ''}; ${counted || 'no known error pattern'}`);
    for (const t of s.logs.topLines.slice(0, 3)) lines.push(`  x${t.count} ${t.line}`);
  }
  for (const u of s.unreadable) lines.push(`could not read ${u.signal}: ${u.error}`);
  return lines;
}

/** What every response builds on: the classification, the config, and the page's shared fields. */
interface ResponseContext {
  c: Classification;
  signals: FiveXxSignals;
  config: AutopilotConfig;
  svc: AutopilotConfig['service'];
  incidentKey: string;
  /** The classification's evidence, one line each (the hand-offs carry it). */
  evidence: string[];
  /** The page fields every cause shares: incident, runbook, resource, time, diagnosis. */
  base: Pick<Page, 'incidentKey' | 'action' | 'runbook' | 'resource' | 'at' | 'diagnosis'>;
}

export function respond(args: { classification: Classification; signals: FiveXxSignals; config: AutopilotConfig; incidentKey: string; now: number }): InvestigationResponse {
  const ctx = responseContext(args);
  switch (args.classification.cause) {
    case 'cpu-saturation':
      return requestScaleOut(ctx);
    case 'bad-deployment':
      return requestRollback(ctx);
    case 'memory-leak':
      return restartForMemoryLeak(ctx);
    case 'connection-pool-exhausted':
      return pageConnectionPoolExhausted(ctx);
    case 'dependency-down':
      return pageDependencyDown(ctx);
    case 'unknown':
      return pageUnhandledExceptions(ctx);
  }
}

function responseContext(args: { classification: Classification; signals: FiveXxSignals; config: AutopilotConfig; incidentKey: string; now: number }): ResponseContext {
  const { classification: c, signals, config, incidentKey, now } = args;
  const svc = config.service;
  const evidence = c.evidence.map(formatEvidence);
  const diagnosis = [
    `cause: ${c.cause} (precedence dependency-down > bad-deployment > connection-pool-exhausted > memory-leak > cpu-saturation)`,
    ...evidence.map((e) => `evidence: ${e}`),
    ...c.alsoMatched.map((f) => `also matched: ${f.cause} (${f.evidence.map((e) => e.signal).join(', ')})`),
    ...signalSummary(signals),
  ];
  const base = {
    incidentKey,
    action: 'trigger' as const,
    runbook: 'investigate-5xx' as const,
    resource: `${svc.loadBalancerDimension} -> service/${svc.clusterName}/${svc.serviceName}`,
    at: now,
    diagnosis,
  };
  return { c, signals, config, svc, incidentKey, evidence, base };
}

/** CPU saturated: hand off 'Scale Requested' to scale-ecs, which owns the scaling guardrails. */
function requestScaleOut({ c, svc, incidentKey, evidence, base }: ResponseContext): InvestigationResponse {
  return {
    kind: 'hand-off-scale',
    detailType: 'Scale Requested',
    detail: { cluster: svc.clusterName, service: svc.serviceName, reason: `5XX with CPU saturated (${c.evidence[0]?.value}%)`, incidentKey, evidence },
    page: {
      ...base,
      severity: 'P3',
      title: `5XX on ${svc.serviceName}: CPU saturated, scale-out requested`,
      done: ['sent Scale Requested to scale-ecs (it applies bounds, step, cooldown and budget)'],
      refused: [],
      nextStep: `Follow the scale-ecs incident; if it is refused, runbook 3: aws ecs describe-services --cluster ${svc.clusterName} --services ${svc.serviceName} --region ${svc.region} --query 'services[0].[desiredCount,runningCount,pendingCount]'`,
    },
  };
}

/** The errors began after a deployment: hand off 'Rollback Requested' (an event, never a direct call). */
function requestRollback({ c, signals, svc, incidentKey, evidence, base }: ResponseContext): InvestigationResponse {
  const previous = signals.service?.deployments.find((d) => d.status === 'ACTIVE');
  return {
    kind: 'hand-off-rollback',
    detailType: 'Rollback Requested',
    detail: { cluster: svc.clusterName, service: svc.serviceName, reason: `5XX began after deployment: ${c.evidence[0]?.note ?? ''}`.trim(), requestedBy: 'investigate-5xx', incidentKey, evidence },
    page: {
      ...base,
      severity: 'P3',
      title: `5XX on ${svc.serviceName} began after a deployment: rollback requested`,
      done: ['sent Rollback Requested to rollback-deployment (it checks the revision is rollback-safe)'],
      refused: [],
      nextStep: previous
        ? `If the rollback does not start, runbook 2: aws ecs update-service --cluster ${svc.clusterName} --service ${svc.serviceName} --task-definition ${previous.taskDefinition} --region ${svc.region}`
        : `If the rollback does not start, runbook 2 step 1: aws ecs list-task-definitions --family-prefix ${svc.taskFamily} --sort DESC --max-items 3 --region ${svc.region}`,
    },
  };
}

/** "Memory Leak": fresh tasks now (bounded by restartCooldownSeconds); the lasting fix, more task memory, is a human's change. */
function restartForMemoryLeak({ svc, base }: ResponseContext): InvestigationResponse {
  return {
    kind: 'restart',
    summary: `force a new deployment of ${svc.clusterName}/${svc.serviceName} (memory leak: fresh tasks)`,
    page: {
      ...base,
      severity: 'P3',
      title: `5XX on ${svc.serviceName}: memory leak, tasks restarted`,
      done: [],
      refused: [],
      nextStep:
        `Increase task memory (runbook 4): update the ${svc.taskFamily} task definition memory from 512 to 1024 MB, ` +
        `aws ecs register-task-definition --cli-input-json file://task-def-updated.json, then ` +
        `aws ecs update-service --cluster ${svc.clusterName} --service ${svc.serviceName} --force-new-deployment --region ${svc.region}`,
    },
  };
}

/** "Database Connection Pool Exhausted": do NOT scale (more tasks, more connections); page P2. */
function pageConnectionPoolExhausted({ svc, base }: ResponseContext): InvestigationResponse {
  return {
    kind: 'page',
    page: {
      ...base,
      severity: 'P2',
      title: `5XX on ${svc.serviceName}: database connection pool exhausted (not scaling)`,
      done: [],
      refused: [noScale('more tasks open more connections and make pool exhaustion worse')],
      nextStep:
        `Runbook 4 "Database Connection Pool Exhausted": raise pool_size (10 -> 20) and max_overflow (20 -> 40) with pool_pre_ping=True in config.py, ` +
        `and look for long-running queries holding connections; errors: aws logs tail ${svc.logGroupName} --since 30m --filter-pattern "?TimeoutError ?QueuePool" --region ${svc.region}`,
    },
  };
}

/** A dependency is down: do NOT scale, page P2; the fix is in the dependency. */
function pageDependencyDown({ c, config, svc, base }: ResponseContext): InvestigationResponse {
  return {
    kind: 'page',
    page: {
      ...base,
      severity: 'P2',
      title: `5XX on ${svc.serviceName}: dependency down (${c.evidence.map((e) => e.signal).join(', ')})`,
      done: [],
      refused: [noScale('the failing dependency is outside the service; more tasks add load to it')],
      nextStep: dependencyNextStep(c, config),
    },
  };
}

/** No cause identified: page P2 with runbook 4's "Unhandled Exceptions" steps. */
function pageUnhandledExceptions({ svc, base }: ResponseContext): InvestigationResponse {
  const tail = `aws logs tail ${svc.logGroupName} --since 30m --filter-pattern "?ERROR ?Exception" --region ${svc.region}`;
  return {
    kind: 'page',
    page: {
      ...base,
      severity: 'P2',
      title: `5XX on ${svc.serviceName}: cause not identified`,
      done: [],
      refused: [],
      nextStep: `Runbook 4 "Unhandled Exceptions": check Sentry and the stack traces: ${tail}`,
    },
  };
}

function noScale(reason: string): RefusedAction {
  return { action: 'scale out', guardrail: NO_SCALE_GUARDRAIL, reason };
}

function dependencyNextStep(c: Classification, config: AutopilotConfig): string {
  const steps: string[] = [];
  const signals = c.evidence.map((e) => e.signal).join(' ');
  if (/RDS/.test(signals)) {
    steps.push(`RDS: aws rds describe-db-instances --db-instance-identifier ${config.database.primaryInstanceId} --region ${config.primaryRegion} --query 'DBInstances[0].DBInstanceStatus' (if it stays down: runbook 1, Database Failover)`);
  }
  if (/S3/.test(signals)) steps.push(`S3: aws s3 ls s3://${config.dependencies.s3Buckets[0] ?? '<bucket>'} --region ${config.primaryRegion}`);
  if (/ElastiCache/.test(signals)) {
    steps.push(`Redis: aws elasticache describe-cache-clusters --cache-cluster-id ${config.dependencies.elastiCacheClusterIds[0] ?? '<id>'} --region ${config.primaryRegion}, then redis-cli -h <endpoint> ping`);
  }
  return steps.join(' ; ');
}

/**
 * The investigation itself failed (an AWS call or the state table threw): said now, P2, with
 * the runbook's first manual steps, because the 5XX alarm does not fire again while it
 * stays in ALARM. The intake rethrows after it, so Lambda retries the event.
 */
export function investigationFailedPage(args: { config: AutopilotConfig; incidentKey: string; alarm: { name: string; stateChangedAt: number; reason: string }; error: string; now: number }): Page {
  const svc = args.config.service;
  return {
    incidentKey: args.incidentKey,
    action: 'trigger',
    severity: 'P2',
    runbook: 'investigate-5xx',
    title: `5XX on ${svc.serviceName}: the investigation failed (${args.error.slice(0, 80)}); Lambda retries it`,
    resource: `${svc.loadBalancerDimension} -> service/${svc.clusterName}/${svc.serviceName}`,
    at: args.now,
    diagnosis: [`${args.alarm.name} ALARM at ${new Date(args.alarm.stateChangedAt).toISOString()}: ${quoteUntrusted(args.alarm.reason)}`, `investigation failed: ${args.error}`],
    done: [],
    refused: [],
    nextStep:
      `Runbook 4 by hand: aws logs tail ${svc.logGroupName} --since 30m --filter-pattern "?ERROR ?Exception" --region ${svc.region}; ` +
      `aws ecs describe-services --cluster ${svc.clusterName} --services ${svc.serviceName} --region ${svc.region} --query 'services[0].deployments'`,
  };
}

/** The memory-leak restart: its own cooldown/budget scope (restartCooldownSeconds), apart from scaling. */
export const RESTART_ACTION = 'force-new-deployment';

export function restartScope(cluster: string, service: string): string {
  return `restart:${cluster}/${service}`;
}

/**
 * The restart this incident already made for this ALARM period, if any: a retry of the same
 * event (Lambda retries it when something after the restart failed, e.g. the page or the
 * loop-guard mark) must find it and finish, not be refused by the cooldown it started.
 * Only a restart that completed counts: one that failed or never ran ('failed', 'not-run') made
 * no deployment to finish.
 */
export function restartAlreadyMade(actions: ActionRecord[], incidentKey: string, alarmSince: number): ActionRecord | undefined {
  return actions
    .filter((a) => a.action === RESTART_ACTION && a.incidentKey === incidentKey && a.at >= alarmSince && a.outcome === undefined)
    .reduce<ActionRecord | undefined>((latest, a) => (!latest || a.at > latest.at ? a : latest), undefined);
}
