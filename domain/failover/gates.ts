/**
 * The confirmation gates of the database failover, as named verdicts with evidence.
 *
 * A promotion cannot be undone: once the replica is promoted there are two writable
 * databases. So every gate below must pass, on fresh readings, before the first mutation,
 * and a gate that cannot tell (unknown lag, API errors on the replica) fails.
 */
import { taskRoleMismatches, type AutopilotConfig } from '../config';
import { killSwitchVerdict, type ActionRecord, type CircuitBreakerPolicy, type Controls, type GuardrailName, type Verdict } from '../guardrails';
import type { ApprovalOutcome } from '../ports';
import type { PrimaryCheck, ReplicaReading, SecondaryReading } from './signals';
import { quoteUntrusted } from '../untrusted-text';
import { PROMOTABLE_STATUS, replicaNotPromotableReason } from './replica-states';

/** Gate names as they appear in the timeline, the pages and drill expectations. */
export const GATES = {
  primaryCheck: 'PrimaryCheck',
  primaryConfirmedDown: 'PrimaryConfirmedDown',
  replicaAvailable: 'ReplicaAvailable',
  replicaSource: 'ReplicaSource',
  replicaLag: 'ReplicaLag',
  failoverInterval: 'FailoverInterval',
  secondaryReady: 'SecondaryReady',
  killSwitch: 'KillSwitch',
  actionBudget: 'ActionBudget',
  approval: 'Approval',
} as const satisfies Record<string, GuardrailName>;

// ---- Gate 1: the primary is confirmed unhealthy ---------------------------------------

export type Reachability = 'reachable' | 'unreachable' | 'unknown';
/**
 * down: the control plane positively reports a failed state AND the database is unreachable.
 * healthy: available AND reachable. unknown: a signal could not be read (API error, no
 * datapoint) and the readable ones do not settle it. mixed: readable signals disagree.
 */
export type PrimaryCondition = 'down' | 'healthy' | 'mixed' | 'unknown';
/** What DescribeDBInstances positively said: a failed state, available, or something else (transient or unreadable). */
export type ControlPlaneStatus = 'failed' | 'available' | 'other' | 'unreadable';

/**
 * DBInstanceStatus values that mean the instance cannot serve until someone acts (RDS
 * "Viewing DB instance status"). Transient states (rebooting, modifying, maintenance,
 * upgrading, backing-up...) are not here: they are not a reason to split the database.
 */
export const FAILED_DB_STATUSES: readonly string[] = [
  'failed',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'incompatible-network',
  'incompatible-option-group',
  'incompatible-parameters',
  'incompatible-restore',
  'insufficient-capacity',
  'restore-error',
  'storage-full',
  'stopped',
];
/** Error names meaning the instance positively does not exist (not "could not ask"). */
const NOT_FOUND_ERRORS: readonly string[] = ['DBInstanceNotFound', 'DBInstanceNotFoundFault'];
/** A DatabaseConnections datapoint older than this says nothing about now. */
export const CONNECTIONS_FRESH_SECONDS = 300;

export interface PrimaryAssessment {
  condition: PrimaryCondition;
  /** Kept for the timeline: true only when the control plane said 'available'. */
  statusHealthy: boolean;
  controlPlane: ControlPlaneStatus;
  reachability: Reachability;
  /** One line per signal, for the verdict and the page. */
  signals: string[];
  /**
   * 'data-plane': down on evidence that needs no API of the primary's region (a failed
   * describe of the primary, its Route 53 health check unhealthy through DNS, the replica
   * replaying nothing): its region's control plane is down, so the pause cannot run.
   */
  via?: 'control-plane' | 'data-plane';
}

function controlPlaneOf(check: PrimaryCheck): ControlPlaneStatus {
  if (check.describeError !== undefined) return NOT_FOUND_ERRORS.includes(check.describeError) ? 'failed' : 'unreadable';
  if (check.status === undefined) return 'unreadable';
  if (check.status === 'available') return 'available';
  return FAILED_DB_STATUSES.includes(check.status) ? 'failed' : 'other';
}

function connectionsFresh(check: PrimaryCheck): boolean {
  return check.connections !== undefined && (check.connectionsAt === undefined || check.at - check.connectionsAt <= CONNECTIONS_FRESH_SECONDS * 1000);
}

/**
 * One check. "Cannot see the primary" is never "primary down": down needs the control plane
 * to POSITIVELY report a failed state (or DBInstanceNotFound) AND a reachability signal to
 * say unreachable (a database-down alarm in ALARM, or a fresh DatabaseConnections datapoint
 * of 0). An API error (throttling, timeout, AccessDenied, a control-plane outage) or a
 * missing datapoint is unknown, and unknown never confirms an outage nor a recovery.
 */
export function assessPrimary(check: PrimaryCheck): PrimaryAssessment {
  const controlPlane = controlPlaneOf(check);
  const firing = check.alarms.filter((a) => a.state === 'ALARM').map((a) => a.name);
  const fresh = connectionsFresh(check);
  let reachability: Reachability;
  // A fresh DatabaseConnections datapoint above 0 is clients connected right now: it never counts
  // as unreachable, whatever an alarm (which may lag it) says. The next check judges again.
  if (fresh && check.connections !== undefined && check.connections > 0) reachability = firing.length > 0 ? 'unknown' : 'reachable';
  else if (firing.length > 0 || (fresh && check.connections === 0)) reachability = 'unreachable';
  else reachability = 'unknown';

  const signals = [
    check.describeError !== undefined
      ? `DescribeDBInstances(${check.instanceId}) failed: ${check.describeError}${controlPlane === 'failed' ? ' (the instance does not exist)' : ' (status unknown)'}`
      : `DBInstanceStatus(${check.instanceId}) = ${check.status ?? 'absent'}`,
    check.connections !== undefined
      ? `DatabaseConnections = ${check.connections}${fresh ? '' : ` (stale datapoint from ${check.connectionsAt !== undefined ? new Date(check.connectionsAt).toISOString() : '?'})`}`
      : `DatabaseConnections: no datapoint${check.metricsError ? ` (${check.metricsError})` : ''}`,
    check.alarms.length > 0
      ? `alarms: ${check.alarms.map((a) => `${a.name}=${a.state}`).join(', ')}`
      : `alarms: none found${check.alarmsError ? ` (${check.alarmsError})` : ''}`,
  ];

  const dp = check.dataPlane;
  if (dp) signals.push(`Route 53 health check (DNS data plane): ${dp.healthCheck} (${dp.healthCheckDetail})`, `replica replay: ${dp.replicaReplay} (${dp.replicaDetail})`);
  // Additive (issue 15): with the primary's region unreachable a describe fails; that failure
  // counts as evidence only together with the data-plane health check AND the replica having
  // stopped replaying, two signals from outside that region that agree the database is gone.
  const dataPlaneDown = controlPlane === 'unreadable' && check.describeError !== undefined && dp?.healthCheck === 'unhealthy' && dp.replicaReplay === 'stopped';
  if (dataPlaneDown) {
    return { condition: 'down', statusHealthy: false, controlPlane, reachability: 'unreachable', signals, via: 'data-plane' };
  }

  let condition: PrimaryCondition;
  if (controlPlane === 'failed' && reachability === 'unreachable') condition = 'down';
  else if (controlPlane === 'available' && reachability === 'reachable') condition = 'healthy';
  else if (controlPlane === 'unreadable' || reachability === 'unknown') condition = 'unknown';
  else condition = 'mixed';
  return { condition, statusHealthy: controlPlane === 'available', controlPlane, reachability, signals, ...(condition === 'down' ? { via: 'control-plane' as const } : {}) };
}

export function primaryCheckVerdict(check: PrimaryCheck, index: number, total: number): Verdict {
  const a = assessPrimary(check);
  return {
    guardrail: GATES.primaryCheck,
    pass: a.condition === 'down',
    reason: `check ${index}/${total}: primary ${a.condition} (control plane ${a.controlPlane}, ${a.reachability}) - ${a.signals.join('; ')}`,
    evidence: { check: index, of: total, condition: a.condition, controlPlane: a.controlPlane, reachability: a.reachability, status: check.status ?? null, describeError: check.describeError ?? null, connections: check.connections ?? null, alarms: check.alarms, at: check.at },
  };
}

export type ConfirmationState =
  | { state: 'continue' }
  | { state: 'recovered'; verdict: Verdict }
  | { state: 'confirmed'; verdict: Verdict }
  | { state: 'not-confirmed'; verdict: Verdict };

/**
 * How many checks the confirmation window may take: `required` consecutive "down" checks are
 * judged on the LATEST checks, so evidence that arrives late (an RDS event before the metrics
 * and alarms caught up, the usual order in production) still confirms while the primary stays
 * down; the window is bounded so a primary that stays ambiguous goes to a human.
 */
export function maxConfirmationChecks(required: number): number {
  return 2 * required;
}

/**
 * After each check: a healthy primary ends the window at once (recovered); the latest
 * `required` checks all "down" confirm; otherwise the window goes on up to
 * maxConfirmationChecks, and then it is not confirmed and goes to a human: signals that
 * disagree (mixed) or could not be read (unknown, e.g. an RDS/CloudWatch/IAM outage) are no
 * proof, and promoting without proof can split the database.
 */
export function confirmationState(checks: PrimaryCheck[], required: number): ConfirmationState {
  const assessed = checks.map(assessPrimary);
  const evidence = {
    checks: checks.map((c, i) => ({ at: c.at, condition: assessed[i]?.condition, status: c.status ?? c.describeError ?? null, connections: c.connections ?? null })),
    required,
  };
  const last = assessed[assessed.length - 1];
  if (last?.condition === 'healthy') {
    return {
      state: 'recovered',
      verdict: { guardrail: GATES.primaryConfirmedDown, pass: false, reason: `PrimaryRecovered: check ${checks.length} found the primary healthy (${last.signals.join('; ')})`, evidence },
    };
  }
  let trailing = 0;
  for (let i = assessed.length - 1; i >= 0 && assessed[i]?.condition === 'down'; i--) trailing++;
  if (trailing >= required) {
    const earlier = checks.length - trailing;
    return {
      state: 'confirmed',
      verdict: {
        guardrail: GATES.primaryConfirmedDown,
        pass: true,
        reason: `primary down in the latest ${trailing}/${required} consecutive checks (status and reachability agree)${earlier > 0 ? `; ${earlier} earlier check(s) came before the evidence caught up (${describeCounts(assessed.slice(0, earlier))})` : ''}`,
        evidence,
      },
    };
  }
  if (checks.length < maxConfirmationChecks(required)) return { state: 'continue' };
  const down = assessed.filter((a) => a.condition === 'down').length;
  return {
    state: 'not-confirmed',
    verdict: {
      guardrail: GATES.primaryConfirmedDown,
      pass: false,
      reason: `PrimaryNotConfirmed: only ${down}/${checks.length} checks found the primary down (${describeCounts(assessed)}); cannot confirm the primary is down: decide by hand`,
      evidence: { ...evidence, signals: last?.signals ?? [] },
    },
  };
}

function describeCounts(assessed: PrimaryAssessment[]): string {
  const counts = new Map<PrimaryCondition, number>();
  for (const a of assessed) counts.set(a.condition, (counts.get(a.condition) ?? 0) + 1);
  return [...counts].map(([c, n]) => `${n} ${c}`).join(', ');
}

// ---- Gate 2: the replica can take over ------------------------------------------------

/** ReadReplicaSourceDBInstanceIdentifier is the id in-region and an ARN cross-region. */
export function replicatesFrom(sourceIdentifier: string | undefined, primaryId: string, primaryRegion: string): boolean {
  if (!sourceIdentifier) return false;
  if (sourceIdentifier === primaryId) return true;
  const m = /^arn:[^:]+:rds:([^:]+):\d+:db:(.+)$/.exec(sourceIdentifier);
  return !!m && m[2] === primaryId && m[1] === primaryRegion;
}

/**
 * Gate 2. `primaryDownSince` (epoch ms; the first trigger) lets the lag gate judge the lag
 * the replica had while the primary was still up instead of the lag read now (see lagVerdict).
 */
export function replicaVerdicts(replica: ReplicaReading, config: AutopilotConfig, primaryDownSince?: number): Verdict[] {
  const { primaryInstanceId } = config.database;
  const maxLag = config.guardrails.failover.maxReplicaLagSeconds;
  // Runbook step 2: only 'available' can be promoted (PromoteReadReplica). Any other state is named
  // with what AWS says it means (replica-states.ts): a replica 'modifying' for a change of its own
  // is neither a promotion under way nor ready, and the refusal says so.
  const waitCommand = `aws rds wait db-instance-available --db-instance-identifier ${replica.instanceId} --region ${replica.region}`;
  const available: Verdict =
    replica.describeError === undefined && replica.status === PROMOTABLE_STATUS
      ? { guardrail: GATES.replicaAvailable, pass: true, reason: `replica ${replica.instanceId} is available` }
      : {
          guardrail: GATES.replicaAvailable,
          pass: false,
          reason: `ReplicaNotAvailable: replica ${replica.instanceId} is ${replicaNotPromotableReason(replica, waitCommand)}`,
          evidence: { status: replica.status ?? null, error: replica.describeError ?? null, replica: replica.sourceIdentifier !== undefined, pendingModifications: replica.pendingModifications ?? [] },
        };
  const source: Verdict = replicatesFrom(replica.sourceIdentifier, primaryInstanceId, config.primaryRegion)
    ? { guardrail: GATES.replicaSource, pass: true, reason: `replica replicates from ${replica.sourceIdentifier}` }
    : {
        guardrail: GATES.replicaSource,
        pass: false,
        reason: `ReplicaSourceMismatch: replica source is ${replica.sourceIdentifier ?? 'absent (not a replica)'}, expected ${primaryInstanceId} in ${config.primaryRegion}`,
        evidence: { sourceIdentifier: replica.sourceIdentifier ?? null, expected: primaryInstanceId },
      };
  const lag = lagVerdict(replica, maxLag, primaryDownSince);
  return [available, source, lag];
}

/**
 * The lag gate judges data loss, not the metric read now.
 *
 * On RDS for PostgreSQL, ReplicaLag is `now() - pg_last_xact_replay_timestamp()` on the
 * replica (AWS: "Monitoring and tuning the replication process", RDS User Guide,
 * USER_PostgreSQL.Replication.ReadReplicas.Monitor): the time since the last replayed
 * commit. Once the primary is down nothing more is committed, so the metric grows by one
 * second per second through the confirmation checks and passes any budget, although the
 * replica has replayed everything it received. What a promotion loses is what the replica
 * had not replayed when the primary stopped: the lag observed while the primary was still up.
 *
 * So, with a history and the time the primary was first seen down:
 * - the judged lag is the latest datapoint whose period ended at or before `primaryDownSince`
 *   (a datapoint that covers the failure mixes in growth after it); it is the estimated
 *   data-loss window, stated in the verdict (and so in the pages);
 * - no such datapoint, or -1 (replication not active while the primary was up): unknown, fail;
 * - later datapoints are the replica's replay state: growth of about the time elapsed since
 *   that reading is "replay stopped where the primary stopped", reported, never judged as
 *   replication falling behind.
 * The primary may have failed before it was detected: the reading before detection may then
 * already hold some growth, which overstates the window (fails closed, never open).
 * Without a history (or without a failure time) the single current reading is judged as is.
 */
export function lagVerdict(replica: ReplicaReading, maxLag: number, primaryDownSince?: number): Verdict {
  const history = replica.lagHistory;
  if (primaryDownSince !== undefined && history !== undefined) {
    const periodMs = (replica.lagPeriodSeconds ?? 60) * 1000;
    const before = history.filter((d) => d.at + periodMs <= primaryDownSince);
    const pre = before[before.length - 1];
    const latest = history[history.length - 1];
    const downIso = new Date(primaryDownSince).toISOString();
    if (!pre || pre.seconds < 0) {
      return {
        guardrail: GATES.replicaLag,
        pass: false,
        reason: `LagUnknown: ${pre ? `replica lag was ${pre.seconds} (replication not active) at ${new Date(pre.at).toISOString()}` : `no ReplicaLag reading from before the primary was seen down (${downIso})`}; the data-loss window, RPO budget ${maxLag}s, cannot be estimated`,
        evidence: { lagBeforeFailure: pre?.seconds ?? null, primaryDownSince, datapoints: history.length, maxLagSeconds: maxLag },
      };
    }
    const elapsed = latest && latest.at > pre.at ? Math.round((latest.at - pre.at) / 1000) : 0;
    const replay =
      latest && latest !== pre
        ? `; ReplicaLag now ${latest.seconds}s is growth since the last replayed commit (${elapsed}s after that reading: replay stopped where the primary stopped), not replication falling behind`
        : '';
    const evidence = {
      lagSeconds: pre.seconds,
      lagAt: pre.at,
      estimatedDataLossSeconds: pre.seconds,
      currentLagSeconds: latest?.seconds ?? null,
      primaryDownSince,
      maxLagSeconds: maxLag,
      source: replica.lagSource ?? null,
    };
    if (pre.seconds > maxLag) {
      return {
        guardrail: GATES.replicaLag,
        pass: false,
        reason: `LagOverBudget: replica is ${pre.seconds}s behind, RPO budget is ${maxLag}s: estimated data-loss window ${pre.seconds}s (ReplicaLag at ${new Date(pre.at).toISOString()}, while the primary was up, before ${downIso})`,
        evidence,
      };
    }
    return {
      guardrail: GATES.replicaLag,
      pass: true,
      reason: `estimated data-loss window ${pre.seconds}s within budget ${maxLag}s (ReplicaLag ${pre.seconds}s at ${new Date(pre.at).toISOString()}, the last reading while the primary was up)${replay}`,
      evidence,
    };
  }
  if (replica.lagSeconds === undefined || replica.lagSeconds < 0) {
    // ReplicaLag -1 means replication is not active: as bad as unknown.
    return {
      guardrail: GATES.replicaLag,
      pass: false,
      reason: `LagUnknown: replica lag ${replica.lagSeconds === undefined ? 'is unknown' : `is ${replica.lagSeconds} (replication not active)`}; RPO budget ${maxLag}s cannot be proven`,
      evidence: { lagSeconds: replica.lagSeconds ?? null, maxLagSeconds: maxLag },
    };
  }
  if (replica.lagSeconds > maxLag) {
    return {
      guardrail: GATES.replicaLag,
      pass: false,
      reason: `LagOverBudget: replica is ${replica.lagSeconds}s behind, RPO budget is ${maxLag}s`,
      evidence: { lagSeconds: replica.lagSeconds, maxLagSeconds: maxLag, source: replica.lagSource ?? null },
    };
  }
  return {
    guardrail: GATES.replicaLag,
    pass: true,
    reason: `replica lag ${replica.lagSeconds}s within budget ${maxLag}s (${replica.lagSource ?? 'unknown source'})`,
    evidence: { lagSeconds: replica.lagSeconds, maxLagSeconds: maxLag },
  };
}

// ---- Gate 3: no recent failover --------------------------------------------------------

/** Action kind recorded by the promotion; the interval gate counts these. */
export const PROMOTE_ACTION = 'promote-replica';

export function failoverScope(primaryInstanceId: string): string {
  return `db:${primaryInstanceId}`;
}

export function failoverIntervalVerdict(actions: ActionRecord[], now: number, minSeconds: number, primaryInstanceId: string): Verdict {
  const scope = failoverScope(primaryInstanceId);
  const last = actions
    .filter((a) => a.scope === scope && a.action === PROMOTE_ACTION && a.at <= now)
    .reduce<ActionRecord | undefined>((m, a) => (!m || a.at > m.at ? a : m), undefined);
  if (!last) return { guardrail: GATES.failoverInterval, pass: true, reason: `no failover of ${primaryInstanceId} recorded in the last ${minSeconds}s` };
  const ago = Math.floor((now - last.at) / 1000);
  if (ago >= minSeconds) return { guardrail: GATES.failoverInterval, pass: true, reason: `last failover of ${primaryInstanceId} was ${ago}s ago (minimum ${minSeconds}s)` };
  return {
    guardrail: GATES.failoverInterval,
    pass: false,
    reason: `RecentFailover: ${primaryInstanceId} was failed over ${ago}s ago (incident ${last.incidentKey}); minimum between failovers is ${minSeconds}s`,
    evidence: { lastIncident: last.incidentKey, lastAt: last.at, secondsAgo: ago, minSeconds },
  };
}

// ---- Gate 4: the secondary region can run the service ----------------------------------

export function secondaryReadyVerdict(secondary: SecondaryReading, config: AutopilotConfig): Verdict {
  const s = config.secondaryService;
  const problems: string[] = [...secondary.errors];
  if (secondary.clusterStatus !== 'ACTIVE') problems.push(`cluster ${s.clusterName} is ${secondary.clusterStatus ?? 'missing'}`);
  if (!secondary.service || secondary.service.status !== 'ACTIVE') problems.push(`service ${s.serviceName} is ${secondary.service?.status ?? 'missing'}`);
  if (!secondary.taskDefinitionArn) problems.push(`no task definition of family ${s.taskFamily} in ${s.region}`);
  else if (secondary.taskDefinitionFamily !== s.taskFamily) problems.push(`task definition ${secondary.taskDefinitionArn} is not of family ${s.taskFamily}`);
  else if (!secondary.hasDatabaseUrl) problems.push(`container ${s.containerName} of ${secondary.taskDefinitionArn} has no DATABASE_URL to point at the promoted replica`);
  else if (secondary.databaseUrlProblem) {
    problems.push(
      secondary.databaseUrlFrom
        ? `container ${s.containerName} of ${secondary.taskDefinitionArn} reads DATABASE_URL from ${secondary.databaseUrlFrom} that cannot be followed: ${secondary.databaseUrlProblem}`
        : `container ${s.containerName} of ${secondary.taskDefinitionArn} has a DATABASE_URL that cannot be rewritten: ${secondary.databaseUrlProblem}`,
    );
  }
  // Its copy passes its roles, and the iam:PassRole grant covers only the configured ones: another
  // role would be denied at step 5, after the promotion (infra/permissions.ts). Refused before it.
  const roleMismatches = secondary.taskDefinitionArn && secondary.roles ? taskRoleMismatches(secondary.roles, s, 'secondaryService') : [];
  if (roleMismatches.length > 0) problems.push(`${secondary.taskDefinitionArn} has ${roleMismatches.join('; ')}: registering its copy would be denied iam:PassRole after the promotion`);
  const evidence = { region: secondary.region, cluster: secondary.clusterStatus ?? null, service: secondary.service?.status ?? null, taskDefinition: secondary.taskDefinitionArn ?? null };
  return problems.length === 0
    ? { guardrail: GATES.secondaryReady, pass: true, reason: `${s.region}: cluster ${s.clusterName} ACTIVE, service ${s.serviceName} ACTIVE, task definition ${secondary.taskDefinitionArn}`, evidence }
    : { guardrail: GATES.secondaryReady, pass: false, reason: `SecondaryNotReady: ${problems.join('; ')}`, evidence };
}

// ---- Gate 5: kill switch and action budget ---------------------------------------------

/**
 * Evaluated before the first mutation so a refusal pages before anything changes. The
 * budget must hold every mutation of the failover: running out half-way (promoted, DNS
 * not switched) would be worse than not starting.
 */
export function controlsVerdicts(controls: Controls, globalActions: ActionRecord[], now: number, breaker: CircuitBreakerPolicy, plannedMutations: number): Verdict[] {
  const since = now - breaker.windowSeconds * 1000;
  const used = globalActions.filter((a) => a.at > since && a.at <= now).length;
  const budget: Verdict =
    used + plannedMutations <= breaker.maxActions
      ? { guardrail: GATES.actionBudget, pass: true, reason: `${used}/${breaker.maxActions} automatic actions in ${breaker.windowSeconds}s; the failover needs ${plannedMutations}` }
      : {
          guardrail: GATES.actionBudget,
          pass: false,
          reason: `BudgetExhausted: ${used}/${breaker.maxActions} automatic actions in ${breaker.windowSeconds}s, the failover needs ${plannedMutations} more`,
          evidence: { used, max: breaker.maxActions, planned: plannedMutations },
        };
  return [killSwitchVerdict(controls), budget];
}

// ---- Gate 6: human approval ------------------------------------------------------------

export function approvalVerdict(outcome: ApprovalOutcome, timeoutSeconds: number): Verdict {
  switch (outcome.outcome) {
    case 'APPROVED':
      return { guardrail: GATES.approval, pass: true, reason: `APPROVED${outcome.by ? ` by ${quoteUntrusted(outcome.by, 120)}` : ''}`, evidence: { outcome: 'APPROVED', by: outcome.by ?? null } };
    case 'REJECTED':
      return { guardrail: GATES.approval, pass: false, reason: `ApprovalRejected: REJECTED${outcome.by ? ` by ${quoteUntrusted(outcome.by, 120)}` : ''}${outcome.note ? ` (${quoteUntrusted(outcome.note)})` : ''}`, evidence: { outcome: 'REJECTED', by: outcome.by ?? null } };
    case 'EXPIRED':
      return { guardrail: GATES.approval, pass: false, reason: `ApprovalExpired: EXPIRED, nobody answered within ${timeoutSeconds}s; an expired approval is a denial`, evidence: { outcome: 'EXPIRED', timeoutSeconds } };
  }
}

/** The first failing verdict, the one a refusal page names. */
export function firstRefusal(verdicts: Verdict[]): Verdict | undefined {
  return verdicts.find((v) => !v.pass);
}
