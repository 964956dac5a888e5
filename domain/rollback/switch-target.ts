/**
 * Runbook 2 "Emergency Rollback (ALB Listener)": WHERE the listener may be switched to.
 *
 * With CodeDeploy ECS blue/green the production target group alternates after every
 * successful deployment, so a configured "blue" group holds the broken replacement half of
 * the time. The known-good group is the one of the ORIGINAL task set (the one the failed
 * deployment did not create), read at run time; the configured blue group is only a
 * fallback when that cannot be determined, and the approval page says so. Either way the
 * group must have healthy targets before a human is asked to send traffic there.
 */
import type { Verdict } from '../guardrails';
import { familyRevision } from './revisions';

/** An ECS task set (DescribeServices taskSets[]; CodeDeploy sets externalId = its deployment id). */
export interface TaskSetState {
  id: string;
  /** PRIMARY | ACTIVE | DRAINING */
  status: string;
  externalId?: string;
  taskDefinitionArn: string;
  targetGroupArns: string[];
  runningCount: number;
  createdAt?: number;
}

export interface TargetHealthReading {
  targetGroupArn: string;
  healthy: number;
  total: number;
  /** One line per target: "10.0.1.21:8080 healthy" / "... unhealthy (Target.FailedHealthChecks)". */
  targets: string[];
}

export type SwitchTarget =
  | { source: 'original-task-set'; targetGroupArn: string; taskSetId: string; taskDefinitionArn: string; evidence: string[] }
  | { source: 'configured-fallback'; targetGroupArn: string; why: string; evidence: string[] };

/** The group's name from its ARN (…:targetgroup/<name>/<id>). */
export function targetGroupName(arn: string): string {
  return /targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn;
}

function describeTaskSet(t: TaskSetState): string {
  const groups = t.targetGroupArns.map(targetGroupName).join(', ') || 'no target group';
  return `task set ${t.id} ${t.status} ${familyRevision(t.taskDefinitionArn)} (created by ${t.externalId ?? 'unknown'}), ${t.runningCount} running, behind ${groups}`;
}

/**
 * The original task set: not created by the failed (replacement) deployment, not draining,
 * behind a target group. When several qualify, one not created by a CodeDeploy rollback
 * deployment is preferred; still several (or none): the configured group, flagged.
 */
export function chooseSwitchTarget(
  taskSets: readonly TaskSetState[] | undefined,
  listenerTargets: readonly string[],
  replacementDeploymentIds: readonly string[],
  rollbackDeploymentIds: readonly string[],
  configuredBlue: string,
): SwitchTarget {
  const evidence = [`listener forwards to ${listenerTargets.map(targetGroupName).join(', ') || 'nothing'}`, ...(taskSets ?? []).map(describeTaskSet)];
  const fallback = (why: string): SwitchTarget => ({ source: 'configured-fallback', targetGroupArn: configuredBlue, why, evidence });
  if (!taskSets || taskSets.length === 0) return fallback('ECS reports no task sets for the service, so the original task set cannot be identified');

  const replaced = new Set(replacementDeploymentIds);
  const candidates = taskSets.filter((t) => !(t.externalId && replaced.has(t.externalId)) && t.status !== 'DRAINING' && t.targetGroupArns.length > 0);
  const rollbacks = new Set(rollbackDeploymentIds);
  const preferred = candidates.length > 1 ? candidates.filter((t) => !(t.externalId && rollbacks.has(t.externalId))) : candidates;
  const [original, ...others] = preferred;
  if (!original) return fallback(`no task set outside the failed deployment (${replacementDeploymentIds.join(', ') || 'unknown'}) is live behind a target group`);
  if (others.length > 0) return fallback(`${preferred.length} task sets could be the original (${preferred.map((t) => t.id).join(', ')}): ambiguous`);
  const [group, ...more] = original.targetGroupArns;
  if (!group || more.length > 0) return fallback(`the original task set ${original.id} is behind ${original.targetGroupArns.length} target groups: ambiguous`);
  return { source: 'original-task-set', targetGroupArn: group, taskSetId: original.id, taskDefinitionArn: original.taskDefinitionArn, evidence };
}

export function describeSwitchTarget(target: SwitchTarget): string {
  return target.source === 'original-task-set'
    ? `the original task set ${target.taskSetId} (${familyRevision(target.taskDefinitionArn)}) behind ${targetGroupName(target.targetGroupArn)}`
    : `the CONFIGURED blue target group ${targetGroupName(target.targetGroupArn)} (fallback: ${target.why}) - check which task definition it serves before approving`;
}

export function healthLine(h: TargetHealthReading): string {
  return `${targetGroupName(h.targetGroupArn)}: ${h.healthy}/${h.total} targets healthy${h.targets.length ? ` (${h.targets.join('; ')})` : ''}`;
}

/** A refusal always carries its code: the page title names it. */
export type SwitchTargetVerdict = Verdict & ({ pass: true } | { pass: false; code: 'SwitchTargetUnhealthy' | 'SwitchChangesNothing' });

/** No human is asked to send traffic to a group with no healthy target, nor to switch to where traffic already is. */
export function switchTargetVerdict(target: SwitchTarget, health: TargetHealthReading, listenerTargets: readonly string[]): SwitchTargetVerdict {
  const name = targetGroupName(target.targetGroupArn);
  if (health.healthy === 0) {
    return {
      guardrail: 'SwitchTargetHealthy',
      pass: false,
      code: 'SwitchTargetUnhealthy',
      reason: `SwitchTargetUnhealthy: ${name} has no healthy target (${health.total} registered): switching would send all traffic nowhere`,
      evidence: { targetGroupArn: target.targetGroupArn, targets: health.targets },
    };
  }
  if (listenerTargets.length === 1 && listenerTargets[0] === target.targetGroupArn) {
    return {
      guardrail: 'SwitchTargetHealthy',
      pass: false,
      code: 'SwitchChangesNothing',
      reason: `SwitchChangesNothing: the listener already forwards only to ${name}; the errors do not come from the replacement task set`,
      evidence: { targetGroupArn: target.targetGroupArn },
    };
  }
  return { guardrail: 'SwitchTargetHealthy', pass: true, reason: `${name} has ${health.healthy}/${health.total} healthy targets` };
}
