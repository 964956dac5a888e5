import { defaultConfig } from '../config';
import { scalingBounds, type ScalingPolicy, type ServiceCapacity } from './capacity';
import { changeInEffect, planScaleIn, planScaleOut, scaleInFloor, stepCeiling, type AlarmReading } from './decide';

const policy: ScalingPolicy = defaultConfig.guardrails.scaling;
const T0 = Date.parse('2026-01-15T03:00:00Z');

function service(desired: number, extra: Partial<ServiceCapacity> = {}): ServiceCapacity {
  return { cluster: 'regami-cluster', service: 'regami-service', desired, running: desired, pending: 0, ...extra };
}
const reason = { reason: 'regami-ecs-cpu-high ALARM' };

describe('scale out: step limit', () => {
  it('at most doubles the count', () => {
    const d = planScaleOut(service(2), scalingBounds(service(2), policy), policy, reason);
    expect(d).toMatchObject({ kind: 'scale-out', from: 2, to: 4, capped: false, change: { direction: 'out', desired: 4 } });
  });
  it('adds at most maxStepUp tasks', () => {
    const p = { ...policy, maxTasks: 20 };
    const d = planScaleOut(service(6), scalingBounds(service(6), p), p, reason);
    expect(d).toMatchObject({ kind: 'scale-out', from: 6, to: 6 + policy.maxStepUp });
    expect(stepCeiling(6, 4)).toBe(10);
    expect(stepCeiling(3, 4)).toBe(6);
  });
  it('limits a requested count to one step and says so', () => {
    const d = planScaleOut(service(2), scalingBounds(service(2), policy), policy, { reason: 'asked', requestedCount: 9 });
    expect(d.kind).toBe('scale-out');
    if (d.kind !== 'scale-out') return;
    expect(d.to).toBe(4);
    expect(d.verdicts.find((v) => v.guardrail === 'StepLimit')?.reason).toMatch(/StepLimited: wanted 9/);
  });
  it('does nothing when the requested count is already met', () => {
    const d = planScaleOut(service(4), scalingBounds(service(4), policy), policy, { reason: 'asked', requestedCount: 3 });
    expect(d.kind).toBe('no-change');
  });
});

describe('scale out: bounds', () => {
  it('caps at the max and marks the decision as capped (paged P2 by the workflow)', () => {
    const d = planScaleOut(service(8), scalingBounds(service(8), policy), policy, reason);
    expect(d).toMatchObject({ kind: 'scale-out', from: 8, to: 10, capped: true });
    if (d.kind === 'scale-out') expect(d.verdicts.find((v) => v.guardrail === 'Bounds')?.reason).toMatch(/CappedAtMax: 12 would exceed the max of 10/);
  });
  it('refuses to act at the max with an AtMaxCapacity verdict', () => {
    const d = planScaleOut(service(10), scalingBounds(service(10), policy), policy, reason);
    expect(d.kind).toBe('at-bound');
    expect(d.verdicts[0]).toMatchObject({ guardrail: 'Bounds', pass: false });
    expect(d.verdicts[0]?.reason).toMatch(/AtMaxCapacity/);
  });
  it('brings a service below the min up to at least the min', () => {
    const d = planScaleOut(service(1), scalingBounds(service(1), policy), policy, reason);
    expect(d).toMatchObject({ kind: 'scale-out', from: 1, to: 2 });
  });
  it('never starts a paused service (desired 0)', () => {
    const d = planScaleOut(service(0), scalingBounds(service(0), policy), policy, reason);
    expect(d.kind).toBe('refused');
    if (d.kind === 'refused') expect(d.refusal).toMatchObject({ guardrail: 'ServiceActive', pass: false });
  });
});

describe('auto scaling target path', () => {
  const withTarget = (desired: number, min: number, max: number) =>
    service(desired, { autoScaling: { resourceId: 'service/regami-cluster/regami-service', minCapacity: min, maxCapacity: max } });

  it('reads the bounds from the scalable target, never beyond the configured ones', () => {
    expect(scalingBounds(withTarget(2, 2, 6), policy)).toEqual({ min: 2, max: 6, source: 'auto-scaling-target' });
    expect(scalingBounds(withTarget(2, 1, 40), policy)).toEqual({ min: 2, max: 10, source: 'auto-scaling-target' });
    expect(scalingBounds(service(2), policy)).toEqual({ min: 2, max: 10, source: 'config' });
  });
  it('scales out by pinning MinCapacity so target tracking cannot undo it', () => {
    const c = withTarget(4, 2, 6);
    const d = planScaleOut(c, scalingBounds(c, policy), policy, reason);
    expect(d).toMatchObject({ kind: 'scale-out', to: 6, capped: true, change: { direction: 'out', desired: 6, autoScalingMin: 6 } });
  });
  it('restores the original MinCapacity on the last scale-in step', () => {
    const c = withTarget(3, 3, 6);
    const d = planScaleIn({ capacity: c, bounds: { min: 2, max: 6, source: 'auto-scaling-target' }, before: { desired: 2, autoScalingMin: 2 }, alarm: ok(1000), policy, now: T0 });
    expect(d).toMatchObject({ kind: 'scale-in', from: 3, to: 2, change: { direction: 'in', desired: 2, autoScalingMin: 2 } });
  });
  it('keeps MinCapacity pinned at each intermediate step', () => {
    const c = withTarget(4, 4, 6);
    const d = planScaleIn({ capacity: c, bounds: { min: 2, max: 6, source: 'auto-scaling-target' }, before: { desired: 2, autoScalingMin: 2 }, alarm: ok(1000), policy, now: T0 });
    expect(d).toMatchObject({ kind: 'scale-in', to: 3, change: { desired: 3, autoScalingMin: 3 } });
  });
  it('is not done while the minimum is still pinned, even at the floor', () => {
    const c = withTarget(2, 4, 6);
    const d = planScaleIn({ capacity: c, bounds: { min: 2, max: 6, source: 'auto-scaling-target' }, before: { desired: 2, autoScalingMin: 2 }, alarm: ok(1000), policy, now: T0 });
    expect(d).toMatchObject({ kind: 'scale-in', to: 2, change: { autoScalingMin: 2 } });
  });
});

function ok(secondsAgo: number): AlarmReading {
  return { name: 'regami-ecs-cpu-high', state: 'OK', since: T0 - secondsAgo * 1000 };
}
const bounds = { min: 2, max: 10, source: 'config' as const };

describe('scale in: stabilisation and floor', () => {
  it('holds while the alarm is in ALARM', () => {
    const d = planScaleIn({ capacity: service(4), bounds, before: { desired: 2 }, alarm: { name: 'a', state: 'ALARM', since: T0 - 5000 }, policy, now: T0 });
    expect(d.kind).toBe('hold');
  });
  it('holds on INSUFFICIENT_DATA: no evidence of recovery', () => {
    const d = planScaleIn({ capacity: service(4), bounds, before: { desired: 2 }, alarm: { name: 'a', state: 'INSUFFICIENT_DATA', since: T0 - 5_000_000 }, policy, now: T0 });
    expect(d.kind).toBe('hold');
  });
  it('waits the remaining stabilisation time', () => {
    const d = planScaleIn({ capacity: service(4), bounds, before: { desired: 2 }, alarm: ok(600), policy, now: T0 });
    expect(d).toMatchObject({ kind: 'wait', seconds: policy.stabilisationSeconds - 600 });
    if (d.kind === 'wait') expect(d.verdict.reason).toMatch(/StabilisationPending: .* OK for 600s of the 900s/);
  });
  it('scales in one step once stable', () => {
    const d = planScaleIn({ capacity: service(4), bounds, before: { desired: 2 }, alarm: ok(900), policy, now: T0 });
    expect(d).toMatchObject({ kind: 'scale-in', from: 4, to: 3 });
  });
  it('never goes below the minimum', () => {
    const d = planScaleIn({ capacity: service(3), bounds, before: { desired: 1 }, alarm: ok(2000), policy: { ...policy, scaleDownStep: 5 }, now: T0 });
    expect(d).toMatchObject({ kind: 'scale-in', to: 2 });
    expect(scaleInFloor(bounds, { desired: 1 })).toBe(2);
  });
  it('never goes below the count before the incident', () => {
    const d = planScaleIn({ capacity: service(8), bounds, before: { desired: 5 }, alarm: ok(2000), policy: { ...policy, scaleDownStep: 4 }, now: T0 });
    expect(d).toMatchObject({ kind: 'scale-in', to: 5 });
    const done = planScaleIn({ capacity: service(5), bounds, before: { desired: 5 }, alarm: ok(2000), policy, now: T0 });
    expect(done.kind).toBe('done');
  });
});

describe('changeInEffect: what a re-run scaling step finds already done', () => {
  const target = (desired: number, min: number) => service(desired, { autoScaling: { resourceId: 'service/regami-cluster/regami-service', minCapacity: min, maxCapacity: 10 } });
  it('out: done only when the count AND the pinned MinCapacity are there', () => {
    const change = { direction: 'out' as const, desired: 4, autoScalingMin: 4 };
    expect(changeInEffect(target(4, 4), change)).toBe(true);
    expect(changeInEffect(target(5, 4), change)).toBe(true);
    // Target tracking moved the count but nobody pinned the min: still to do.
    expect(changeInEffect(target(4, 2), change)).toBe(false);
    expect(changeInEffect(target(2, 2), change)).toBe(false);
    expect(changeInEffect(service(4), { direction: 'out', desired: 4 })).toBe(true);
    expect(changeInEffect(service(3), { direction: 'out', desired: 4 })).toBe(false);
  });
  it('in: done when at or below the count with the min restored', () => {
    const change = { direction: 'in' as const, desired: 2, autoScalingMin: 2 };
    expect(changeInEffect(target(2, 2), change)).toBe(true);
    expect(changeInEffect(target(2, 3), change)).toBe(false);
    expect(changeInEffect(target(3, 2), change)).toBe(false);
    expect(changeInEffect(service(3), { direction: 'in', desired: 3 })).toBe(true);
    expect(changeInEffect(service(4), { direction: 'in', desired: 3 })).toBe(false);
  });
});
