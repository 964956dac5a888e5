/**
 * Runbook 3, step 1 "Check Current Capacity": what the scaling decisions read.
 *
 * A service is scaled either directly (UpdateService desiredCount) or, when it has an
 * Application Auto Scaling target (the runbook's target tracking on CPU), through that
 * target: its MinCapacity is raised so target tracking cannot scale the change away, and
 * the original minimum is restored after stabilisation.
 */
import type { AutopilotConfig } from '../config';

export interface AutoScalingTarget {
  /** service/<cluster>/<service> */
  resourceId: string;
  minCapacity: number;
  maxCapacity: number;
}

export interface ServiceCapacity {
  cluster: string;
  service: string;
  desired: number;
  running: number;
  pending: number;
  /** Present when the service has an ecs:service:DesiredCount scalable target. */
  autoScaling?: AutoScalingTarget;
}

/** Where the bounds came from matters for the page: an operator changes them in different places. */
export interface ScalingBounds {
  min: number;
  max: number;
  source: 'config' | 'auto-scaling-target';
}

/** The scaling guardrails as configured (one definition: config.guardrails.scaling). */
export type ScalingPolicy = Omit<AutopilotConfig['guardrails']['scaling'], 'restartCooldownSeconds'>;

/**
 * Bounds: the configured guardrails, narrowed by the scalable target's own range when there
 * is one (a scale outside the target's range would be undone by Application Auto Scaling).
 * The configured min/max always stay hard limits.
 */
export function scalingBounds(capacity: ServiceCapacity, policy: ScalingPolicy): ScalingBounds {
  const target = capacity.autoScaling;
  if (!target) return { min: policy.minTasks, max: policy.maxTasks, source: 'config' };
  return {
    min: Math.max(policy.minTasks, target.minCapacity),
    max: Math.min(policy.maxTasks, target.maxCapacity),
    source: 'auto-scaling-target',
  };
}

/**
 * The lock every runbook that changes the service takes (scaling, rollback, restart, restore
 * switch, failover pause): mutual exclusion between runbooks is the lock's job.
 */
export function serviceLockResource(cluster: string, service: string): string {
  return `service:${cluster}/${service}`;
}

/**
 * What scaling changes count against (cooldown, hourly budget): scaling's own scope, so a
 * rollback or a restore switch on the same service never holds back the next scale-out
 * during a spike, and scale-outs never use up a rollback's cooldown or budget.
 */
export function scalingScope(cluster: string, service: string): string {
  return `scale:${serviceLockResource(cluster, service)}`;
}

export function describeCapacity(c: ServiceCapacity): string {
  const aas = c.autoScaling ? `; auto scaling target min ${c.autoScaling.minCapacity} max ${c.autoScaling.maxCapacity}` : '; no auto scaling target';
  return `${c.cluster}/${c.service}: desired ${c.desired}, running ${c.running}, pending ${c.pending}${aas}`;
}
