/**
 * Runbook 3 decisions, pure: how far to scale out, when and how far to scale back in.
 *
 * Guardrails specific to scaling are named verdicts (the generic ones, kill switch,
 * circuit breaker, cooldown and budget, are added by `authorize` in the Actuator):
 * - ServiceActive: a service at desired 0 was paused on purpose (runbook 1 step 3); never scale it.
 * - StepLimit: one change at most doubles the count and adds at most maxStepUp tasks.
 * - Bounds: never above max / below min; a request over the max is capped to it (and paged P2).
 * - Stabilisation: scale in only after the alarm has been OK for stabilisationSeconds.
 * - MinFloor: never below the minimum, nor below the count the service had before the incident.
 */
import type { Verdict } from '../guardrails';
import type { ScalingBounds, ScalingPolicy, ServiceCapacity } from './capacity';

/** The change to make: a desired count, and the scalable target's MinCapacity when there is one. */
export interface ScaleChange {
  /** Out: already at or above `desired` counts as done; in: at or below. Makes a retried step idempotent. */
  direction: 'out' | 'in';
  desired: number;
  /** Set when the service has an auto scaling target: its MinCapacity pinned to this. */
  autoScalingMin?: number;
}

export type ScaleOutDecision =
  | { kind: 'scale-out'; from: number; to: number; change: ScaleChange; capped: boolean; verdicts: Verdict[]; why: string }
  /** Already at (or above) the max: nothing to do, a human must look (P2). */
  | { kind: 'at-bound'; from: number; verdicts: Verdict[]; why: string }
  /** The guardrails forbid any change (paused service); paged with the reason. */
  | { kind: 'refused'; from: number; refusal: Verdict; verdicts: Verdict[]; why: string }
  /** Requested count already met. */
  | { kind: 'no-change'; from: number; verdicts: Verdict[]; why: string };

export interface ScaleOutRequest {
  /** A count asked for (a 'Scale Requested' event may name one); default: the largest allowed step. */
  requestedCount?: number;
  reason: string;
}

/** The largest count one step may reach from `current`: at most double, at most +maxStepUp. */
export function stepCeiling(current: number, maxStepUp: number): number {
  return Math.min(current * 2, current + maxStepUp);
}

/** ServiceActive: a service at desired 0 was paused on purpose (runbook 1 step 3); the refusal, or undefined when active. */
export function servicePaused(capacity: ServiceCapacity): Verdict | undefined {
  if (capacity.desired > 0) return undefined;
  return {
    guardrail: 'ServiceActive',
    pass: false,
    reason: `ServicePaused: ${capacity.cluster}/${capacity.service} has desired count 0 (paused on purpose, e.g. during a failover); the autopilot does not start it`,
    evidence: { desired: capacity.desired },
  };
}

export function planScaleOut(capacity: ServiceCapacity, bounds: ScalingBounds, policy: ScalingPolicy, request: ScaleOutRequest): ScaleOutDecision {
  const from = capacity.desired;
  const paused = servicePaused(capacity);
  if (paused) return { kind: 'refused', from, refusal: paused, verdicts: [paused], why: paused.reason };

  if (from >= bounds.max) {
    const verdict: Verdict = {
      guardrail: 'Bounds',
      pass: false,
      reason: `AtMaxCapacity: desired ${from} is already at the max of ${bounds.max} (${bounds.source})`,
      evidence: { desired: from, max: bounds.max, source: bounds.source },
    };
    return { kind: 'at-bound', from, verdicts: [verdict], why: verdict.reason };
  }

  const ceiling = stepCeiling(from, policy.maxStepUp);
  const wanted = Math.max(bounds.min, request.requestedCount ?? ceiling);
  const stepped = Math.min(wanted, ceiling);
  const step: Verdict = {
    guardrail: 'StepLimit',
    pass: true,
    reason:
      stepped < wanted
        ? `StepLimited: wanted ${wanted}, one step from ${from} reaches at most ${ceiling} (x2, +${policy.maxStepUp})`
        : `step ${from} -> ${stepped} within the limit of ${ceiling} (x2, +${policy.maxStepUp})`,
    evidence: { from, wanted, ceiling },
  };
  const capped = stepped > bounds.max;
  const to = Math.min(stepped, bounds.max);
  const bound: Verdict = {
    guardrail: 'Bounds',
    pass: true,
    reason: capped
      ? `CappedAtMax: ${stepped} would exceed the max of ${bounds.max} (${bounds.source}); scaling to ${bounds.max}`
      : `${to} within bounds ${bounds.min}..${bounds.max} (${bounds.source})`,
    evidence: { to, min: bounds.min, max: bounds.max, source: bounds.source, capped },
  };
  const verdicts = [step, bound];
  if (to <= from) {
    return { kind: 'no-change', from, verdicts, why: `requested ${wanted} does not exceed the current ${from}` };
  }
  const change: ScaleChange = capacity.autoScaling ? { direction: 'out', desired: to, autoScalingMin: to } : { direction: 'out', desired: to };
  return { kind: 'scale-out', from, to, change, capped, verdicts, why: `${request.reason}: scale out ${from} -> ${to}` };
}

/** The alarm that gates scale-in, as read from CloudWatch. */
export interface AlarmReading {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** When the alarm entered its current state (StateUpdatedTimestamp), epoch ms. */
  since: number;
}

/** What the service looked like before the incident: scale-in never goes below it. */
export interface PreIncident {
  desired: number;
  /** The scalable target's MinCapacity before we pinned it. */
  autoScalingMin?: number;
}

export type ScaleInDecision =
  | { kind: 'done'; why: string }
  /** Alarm not OK: keep the capacity. */
  | { kind: 'hold'; why: string; verdict: Verdict }
  /** Alarm OK but not for long enough yet. */
  | { kind: 'wait'; seconds: number; why: string; verdict: Verdict }
  | { kind: 'scale-in'; from: number; to: number; change: ScaleChange; verdicts: Verdict[]; why: string };

/** The floor scale-in stops at: the minimum, and never below the pre-incident count. */
export function scaleInFloor(bounds: ScalingBounds, before: PreIncident): number {
  return Math.max(bounds.min, before.desired);
}

export function planScaleIn(args: {
  capacity: ServiceCapacity;
  /** Bounds as they were before the incident (our own raised MinCapacity is not a bound). */
  bounds: ScalingBounds;
  before: PreIncident;
  alarm: AlarmReading;
  policy: ScalingPolicy;
  now: number;
}): ScaleInDecision {
  const { capacity, bounds, before, alarm, policy, now } = args;
  const floor = scaleInFloor(bounds, before);
  // Scale-in never raises a count: a service below the floor was changed by someone else (a
  // failover's pause to 0): hold it and let the Scale Down step refuse with the reason.
  const paused = servicePaused(capacity);
  if (paused) return { kind: 'hold', why: `${paused.reason}; no scale-in, no auto scaling minimum restored`, verdict: paused };
  const pinned = capacity.autoScaling !== undefined && before.autoScalingMin !== undefined && capacity.autoScaling.minCapacity !== before.autoScalingMin;
  if (capacity.desired <= floor && !pinned) {
    return { kind: 'done', why: `desired ${capacity.desired} is at the floor ${floor} (min ${bounds.min}, before the incident ${before.desired})` };
  }
  if (alarm.state !== 'OK') {
    const verdict: Verdict = {
      guardrail: 'Stabilisation',
      pass: false,
      reason: `AlarmNotOk: ${alarm.name} is ${alarm.state} since ${new Date(alarm.since).toISOString()}; keeping ${capacity.desired} tasks`,
      evidence: { alarm: alarm.name, state: alarm.state },
    };
    return { kind: 'hold', why: verdict.reason, verdict };
  }
  const okSeconds = Math.floor((now - alarm.since) / 1000);
  if (okSeconds < policy.stabilisationSeconds) {
    const verdict: Verdict = {
      guardrail: 'Stabilisation',
      pass: false,
      reason: `StabilisationPending: ${alarm.name} OK for ${okSeconds}s of the ${policy.stabilisationSeconds}s required before scaling in`,
      evidence: { okSeconds, required: policy.stabilisationSeconds },
    };
    return { kind: 'wait', seconds: policy.stabilisationSeconds - okSeconds, why: verdict.reason, verdict };
  }
  const from = capacity.desired;
  const to = Math.min(from, Math.max(floor, from - policy.scaleDownStep));
  const stable: Verdict = {
    guardrail: 'Stabilisation',
    pass: true,
    reason: `${alarm.name} OK for ${okSeconds}s (>= ${policy.stabilisationSeconds}s)`,
    evidence: { okSeconds, required: policy.stabilisationSeconds },
  };
  const floorVerdict: Verdict = {
    guardrail: 'MinFloor',
    pass: true,
    reason: `${from} -> ${to}: step ${policy.scaleDownStep}, floor ${floor} (min ${bounds.min}, before the incident ${before.desired})`,
    evidence: { from, to, floor, min: bounds.min, beforeIncident: before.desired },
  };
  // The last step hands the service back to target tracking: its original MinCapacity is restored.
  const change: ScaleChange = capacity.autoScaling
    ? { direction: 'in', desired: to, autoScalingMin: to <= floor ? (before.autoScalingMin ?? bounds.min) : to }
    : { direction: 'in', desired: to };
  const why = to <= floor && capacity.autoScaling ? `scale in ${from} -> ${to} and restore the auto scaling min to ${change.autoScalingMin}` : `scale in ${from} -> ${to}`;
  return { kind: 'scale-in', from, to, change, verdicts: [stable, floorVerdict], why };
}

/**
 * Is `change` already in effect on the live service? Out: at or above the count (and the
 * target's MinCapacity at or above the pin); in: at or below it (and the min restored).
 * A scaling step asks this before acting, so a re-run of the step after a crash or a
 * timeout (the change made, its checkpoint not written) finds its own work done instead of
 * being refused by the cooldown its first run started. Without a scalable target the
 * MinCapacity part does not apply (applyScale skips it too).
 */
export function changeInEffect(capacity: ServiceCapacity, change: ScaleChange): boolean {
  const min = capacity.autoScaling?.minCapacity;
  if (change.direction === 'out') {
    return capacity.desired >= change.desired && (change.autoScalingMin === undefined || min === undefined || min >= change.autoScalingMin);
  }
  return capacity.desired <= change.desired && (change.autoScalingMin === undefined || min === undefined || min === change.autoScalingMin);
}

/** The alarm that triggered a scale-out is OK again, and went OK after the ALARM we were told about. */
export function alarmRecovered(alarm: AlarmReading, trigger: { kind: string; stateChangedAt?: number }): boolean {
  return trigger.kind === 'cpu-alarm' && alarm.state === 'OK' && alarm.since >= (trigger.stateChangedAt ?? 0);
}
