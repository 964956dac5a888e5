/**
 * Runbook 2 decisions, pure: which path (ECS quick rollback or CodeDeploy blue/green), which
 * revision, and whether the runbook's own guardrails allow acting at all. Each guardrail is
 * a named Verdict so the record and the page say exactly why.
 */
import type { ActionRecord, Verdict } from '../guardrails';
import type { CodeDeployDeploymentState, ServiceState } from './operations';
import {
  chooseKnownGoodRevision,
  familyRevision,
  rollbackSafety,
  sameTaskDefinition,
  type KnownGoodChoice,
  type RevisionHistory,
  type SkippedRevision,
  type TaskDefinitionRevision,
} from './revisions';

/** What set the rollback off. */
export type RollbackTrigger =
  | { kind: 'ecs-deployment-failed'; deploymentId: string; reason: string }
  | { kind: 'codedeploy-failure'; deploymentId: string }
  | { kind: 'rollback-requested'; reason: string; requestedBy: string; evidence: string[]; deploymentId?: string };

/** The durable workflow's input (JSON). */
export interface RollbackInput {
  incidentKey: string;
  eventId: string;
  /** Epoch ms the trigger was seen. */
  detectedAt: number;
  trigger: RollbackTrigger;
}

/** Action names the guardrail store counts. */
export const ROLLBACK_ACTION = 'rollback';
export const LISTENER_SWITCH_ACTION = 'listener-switch';

/** Blue/green when CodeDeploy reported the failure or owns the service's deployments. */
export function usesBlueGreen(trigger: RollbackTrigger, service: ServiceState): boolean {
  return trigger.kind === 'codedeploy-failure' || service.deploymentController === 'CODE_DEPLOY';
}

/**
 * At most one automatic rollback per service per window. Only rollbacks count (a scale-out
 * on the same service is not a rollback), and a retry of this same incident's rollback is
 * not a second one.
 */
export function rollbackWindowVerdict(actions: readonly ActionRecord[], scope: string, incidentKey: string, now: number, windowSeconds: number): Verdict {
  const since = now - windowSeconds * 1000;
  const earlier = actions
    .filter((a) => a.scope === scope && a.action === ROLLBACK_ACTION && a.incidentKey !== incidentKey && a.at > since && a.at <= now)
    .sort((a, b) => b.at - a.at);
  const last = earlier[0];
  if (!last) {
    return { guardrail: 'RollbackWindow', pass: true, reason: `no automatic rollback of ${scope} in the last ${windowSeconds}s` };
  }
  const ago = Math.floor((now - last.at) / 1000);
  return {
    guardrail: 'RollbackWindow',
    pass: false,
    reason: `RollbackWindowUsed: ${scope} was already rolled back automatically ${ago}s ago (incident ${last.incidentKey}); at most one automatic rollback per ${windowSeconds}s - a second bad deploy needs a human`,
    evidence: { lastAt: new Date(last.at).toISOString(), lastIncident: last.incidentKey, windowSeconds, summary: last.summary },
  };
}

export function knownGoodVerdict(choice: KnownGoodChoice, stableForSeconds: number): Verdict {
  if (choice.kind === 'found') {
    return {
      guardrail: 'KnownGoodRevision',
      pass: true,
      reason: `${familyRevision(choice.revision.arn)} ran stably for ${choice.stableSeconds}s (deployment ${choice.stableDeployment.id}); needs ${stableForSeconds}s`,
    };
  }
  return {
    guardrail: 'KnownGoodRevision',
    pass: false,
    reason: `NoKnownGoodRevision: no earlier revision ran stably for ${stableForSeconds}s, is ACTIVE and never failed`,
    evidence: { skipped: choice.skipped.map(describeSkip) },
  };
}

export function describeSkip(s: SkippedRevision): string {
  return `${familyRevision(s.taskDefinitionArn)} skipped (${s.reason}): ${s.detail}`;
}

export function rollbackSafetyVerdict(target: TaskDefinitionRevision, history: RevisionHistory): Verdict {
  const current = history.revisions.find((r) => sameTaskDefinition(r.arn, history.currentTaskDefinitionArn));
  if (!current) {
    // The marker lives on the revision; one we cannot read could carry it.
    return {
      guardrail: 'RevisionNotRollbackSafe',
      pass: false,
      reason: `RevisionNotRollbackSafe: the current revision ${familyRevision(history.currentTaskDefinitionArn)} could not be described, so its rollback-safety marker is unknown`,
    };
  }
  const safety = rollbackSafety(target, history);
  if (safety.safe) {
    return {
      guardrail: 'RevisionNotRollbackSafe',
      pass: true,
      reason: `no revision between ${familyRevision(target.arn)} and ${familyRevision(current.arn)} is marked not rollback-safe`,
    };
  }
  const marks = safety.unsafe.map((u) => `${familyRevision(u.taskDefinitionArn)} (${u.marker})`).join(', ');
  return {
    guardrail: 'RevisionNotRollbackSafe',
    pass: false,
    reason: `RevisionNotRollbackSafe: ${marks} is marked not rollback-safe (a database migration the older code cannot read); rolling back to ${familyRevision(target.arn)} would cross it`,
    evidence: { unsafe: safety.unsafe },
  };
}

/** What to do on the ECS path. */
export type EcsRollbackPlan =
  /** ECS (deployment circuit breaker) is already rolling back to the known-good revision: watch it, do not start another. */
  | { kind: 'watch-existing'; target: TaskDefinitionRevision; deploymentId: string; verdicts: Verdict[]; skipped: SkippedRevision[] }
  | { kind: 'roll-back'; target: TaskDefinitionRevision; notBefore: number; verdicts: Verdict[]; skipped: SkippedRevision[] }
  | { kind: 'page'; refusal: Verdict; verdicts: Verdict[]; target?: TaskDefinitionRevision; skipped: SkippedRevision[] };

/** The broken deployment: the one the trigger named when ECS still knows it, else the PRIMARY one. */
export function brokenDeployment(service: ServiceState, triggerDeploymentId: string | undefined): ServiceState['deployments'][number] | undefined {
  const named = triggerDeploymentId ? service.deployments.find((d) => d.id === triggerDeploymentId) : undefined;
  return named ?? service.deployments.find((d) => d.status === 'PRIMARY');
}

export function decideEcsRollback(service: ServiceState, history: RevisionHistory, stableForSeconds: number, now: number): EcsRollbackPlan {
  const choice = chooseKnownGoodRevision(history, stableForSeconds, now);
  const known = knownGoodVerdict(choice, stableForSeconds);
  if (choice.kind === 'none') return { kind: 'page', refusal: known, verdicts: [known], skipped: choice.skipped };
  const target = choice.revision;
  const safety = rollbackSafetyVerdict(target, history);
  const verdicts = [known, safety];
  if (!safety.pass) return { kind: 'page', refusal: safety, verdicts, target, skipped: choice.skipped };

  const broken = history.deployments.find((d) => d.id === history.currentDeploymentId);
  const notBefore = broken?.createdAt ?? 0;
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  if (
    primary &&
    primary.id !== history.currentDeploymentId &&
    sameTaskDefinition(primary.taskDefinitionArn, target.arn) &&
    (primary.createdAt ?? 0) >= notBefore
  ) {
    return { kind: 'watch-existing', target, deploymentId: primary.id, verdicts, skipped: choice.skipped };
  }
  return { kind: 'roll-back', target, notBefore, verdicts, skipped: choice.skipped };
}

/** Healthy means every alarm we watch is OK; no alarm at all means we cannot tell. */
export function alarmsHealthy(alarms: readonly { state: string }[]): boolean {
  return alarms.length > 0 && alarms.every((a) => a.state === 'OK');
}

/** Rolled back means every running task runs the target revision and the service is at its desired count. */
export function tasksOnRevision(tasks: readonly { taskDefinitionArn: string }[], target: string, desiredCount: number): { ok: boolean; onTarget: number; other: string[] } {
  const onTarget = tasks.filter((t) => sameTaskDefinition(t.taskDefinitionArn, target)).length;
  const other = [...new Set(tasks.filter((t) => !sameTaskDefinition(t.taskDefinitionArn, target)).map((t) => familyRevision(t.taskDefinitionArn)))];
  return { ok: other.length === 0 && onTarget >= Math.max(1, desiredCount), onTarget, other };
}

// ---- Blue/green (CodeDeploy) ---------------------------------------------------------


export const CODEDEPLOY_FINAL_STATUSES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Stopped']);
const CODEDEPLOY_ROLLBACK_CREATOR = 'codeDeployRollback';

export type BlueGreenPlan =
  /** CodeDeploy is already rolling back (auto rollback on failure): watch it, stop nothing. */
  | { kind: 'watch-rollback'; rollbackDeploymentId: string; reason: string }
  /** A deployment is still in progress: StopDeployment with auto-rollback, then watch. */
  | { kind: 'stop'; deploymentId: string; reason: string }
  /** Nothing in progress and no rollback under way: CodeDeploy's rollback did not happen. */
  | { kind: 'no-rollback'; reason: string };

export function decideBlueGreen(active: readonly CodeDeployDeploymentState[], triggered: CodeDeployDeploymentState | undefined): BlueGreenPlan {
  const rollingBack = active.find((d) => d.creator === CODEDEPLOY_ROLLBACK_CREATOR);
  if (rollingBack) {
    return { kind: 'watch-rollback', rollbackDeploymentId: rollingBack.id, reason: `CodeDeploy rollback ${rollingBack.id} is already ${rollingBack.status}` };
  }
  if (triggered?.rollbackDeploymentId) {
    return { kind: 'watch-rollback', rollbackDeploymentId: triggered.rollbackDeploymentId, reason: `${triggered.id} is being rolled back by ${triggered.rollbackDeploymentId}` };
  }
  const inProgress = active.filter((d) => d.creator !== CODEDEPLOY_ROLLBACK_CREATOR && !CODEDEPLOY_FINAL_STATUSES.has(d.status));
  const target = inProgress.find((d) => d.id === triggered?.id) ?? inProgress[0];
  if (target) return { kind: 'stop', deploymentId: target.id, reason: `${target.id} is ${target.status}` };
  return {
    kind: 'no-rollback',
    reason: triggered
      ? `${triggered.id} is ${triggered.status} and CodeDeploy started no rollback; nothing is in progress to stop`
      : 'no CodeDeploy deployment is in progress and none is rolling back',
  };
}

/**
 * LiveStateAgrees (issue 13 item 6, "never act on a claim"): a "deployment failed" event or a
 * `Rollback Requested` says something happened; a rollback mutates only when live state proves
 * it: the deployment is FAILED (its rollout state, or the history of its tasks), or a configured
 * 5XX alarm is in ALARM and entered it at or after the deployment started (the errors began
 * after it). Otherwise a human decides.
 */
export function liveStateAgreesVerdict(args: {
  trigger: RollbackTrigger;
  service: ServiceState;
  history: RevisionHistory | undefined;
  alarms: readonly { name: string; state: string; updatedAt?: number }[];
}): Verdict {
  const { trigger, service, history, alarms } = args;
  const id = trigger.deploymentId ?? history?.currentDeploymentId;
  const live = service.deployments.find((d) => d.id === id);
  const recorded = history?.deployments.find((d) => d.id === id);
  const evidence: Record<string, unknown> = { deploymentId: id ?? null, rolloutState: live?.rolloutState ?? null, historyOutcome: recorded?.outcome ?? null };
  if (live?.rolloutState === 'FAILED' || recorded?.outcome === 'failed' || recorded?.outcome === 'rolled-back') {
    return { guardrail: 'LiveStateAgrees', pass: true, reason: `deployment ${id} is ${live?.rolloutState === 'FAILED' ? 'FAILED (rollout state)' : `${recorded?.outcome} (task history)`}`, evidence };
  }
  const startedAt = live?.createdAt ?? recorded?.createdAt;
  const firing = alarms.filter((a) => a.state === 'ALARM');
  const after = firing.filter((a) => startedAt !== undefined && a.updatedAt !== undefined && a.updatedAt >= startedAt);
  evidence.alarms = alarms.map((a) => `${a.name}=${a.state}${a.updatedAt !== undefined ? ` since ${new Date(a.updatedAt).toISOString()}` : ''}`);
  if (after.length > 0) {
    return { guardrail: 'LiveStateAgrees', pass: true, reason: `${after.map((a) => a.name).join(', ')} in ALARM since ${new Date(after[0]?.updatedAt ?? 0).toISOString()}, after deployment ${id} started ${new Date(startedAt ?? 0).toISOString()}`, evidence };
  }
  const claim = trigger.kind === 'rollback-requested' ? `Rollback Requested by ${trigger.requestedBy}` : `deployment ${id} reported failed`;
  const why =
    id === undefined
      ? 'no deployment to roll back can be identified'
      : `deployment ${id} is ${live?.rolloutState ?? recorded?.outcome ?? 'not found'} and ${firing.length === 0 ? 'no configured 5XX alarm is in ALARM' : `the 5XX alarm entered ALARM before it started ${startedAt !== undefined ? new Date(startedAt).toISOString() : '(start unknown)'}`}`;
  return { guardrail: 'LiveStateAgrees', pass: false, reason: `ClaimNotConfirmed: ${claim}, but ${why}; no automatic rollback`, evidence };
}
