/**
 * The steps runbook 3's workflow is made of, each one durable (inside `workflow.step`):
 * scale out or in through the injected `act` (the Actuator), verify health, page, and
 * finish without scaling. workflow.ts strings them together.
 */
import type { Verdict } from '../guardrails';
import type { Page } from '../paging';
import type { ActOutcome, ActRequest, Recorder } from '../ports';
import type { ServiceCapacity } from './capacity';
import { describeCapacity, scalingScope, serviceLockResource } from './capacity';
import { changeInEffect, servicePaused, type ScaleChange, type ScaleOutDecision } from './decide';
import { checkCapacityCommand, scalingPage, type ServiceRef } from './pages';
import type { ScaleEcsDeps, ScaleEcsInput, ScaleEcsResult, ScaleTrigger } from './workflow';
import { quoteUntrusted } from '../untrusted-text';

export interface ScaleStepResult {
  status: ActOutcome<ServiceCapacity>['status'];
  capacity?: ServiceCapacity;
  refusal?: Verdict;
  /** A refusal by a hold that lifts by itself: when (ActOutcome liftsAt). */
  liftsAt?: number;
  at: number;
  /** The live service already had the change (a re-run of the step after a crash): nothing was called. */
  alreadyInEffect?: boolean;
}

/** Sends a page inside a step named `name` and records it; `build` gets the (step-time) clock. */
export type PagePoster = (name: string, build: (now: number) => Page) => Promise<boolean>;

export function pagePoster(deps: ScaleEcsDeps): PagePoster {
  return (name, build) =>
    deps.workflow.step(name, async () => {
      const p = build(deps.clock.now());
      await deps.pager.send(p);
      deps.recorder.record({ kind: 'page', summary: `${p.action} ${p.severity}: ${p.title}`, severity: p.severity, runbook: 'scale-ecs' });
      return true;
    });
}

/**
 * Every scaling change counts against the service's scaling scope: one cooldown and one hourly
 * budget for out and in, apart from other runbooks' actions; it locks the service itself.
 */
export function scalingAction(deps: ScaleEcsDeps, ref: ServiceRef, action: 'scale-out' | 'scale-in', summary: string, verdicts: Verdict[]): ActRequest {
  return {
    action,
    scope: scalingScope(ref.cluster, ref.service),
    lockResource: serviceLockResource(ref.cluster, ref.service),
    summary,
    extraVerdicts: verdicts,
    cooldownSeconds: deps.policy.cooldownSeconds,
    budget: { max: deps.policy.actionsPerHour, windowSeconds: 3600 },
    countsActions: ['scale-out', 'scale-in'],
  };
}

export function stepResult(out: ActOutcome<ServiceCapacity>, at: number): ScaleStepResult {
  if (out.status === 'executed') return { status: 'executed', capacity: out.result, at };
  if (out.status === 'dry-run') return { status: 'dry-run', at };
  return { status: 'refused', refusal: { guardrail: out.guardrail, pass: false, reason: out.reason, ...(out.code ? { code: out.code } : {}) }, ...(out.liftsAt !== undefined ? { liftsAt: out.liftsAt } : {}), at };
}

export function triggerLines(trigger: ScaleTrigger): string[] {
  if (trigger.kind === 'cpu-alarm') return [`${trigger.alarmName} went to ALARM at ${new Date(trigger.stateChangedAt).toISOString()}: ${quoteUntrusted(trigger.reason)}`];
  return [`scale requested by ${quoteUntrusted(trigger.requestedBy, 120)}: ${quoteUntrusted(trigger.reason)}`, ...trigger.evidence.map((e) => `evidence: ${quoteUntrusted(e)}`)];
}

export function recordDecision(recorder: Recorder, d: ScaleOutDecision): void {
  // A scale-out's verdicts are recorded by the Actuator with the generic ones; the others never reach it.
  if (d.kind !== 'scale-out') for (const v of d.verdicts) recorder.record({ kind: 'guardrail', summary: `${v.guardrail}: ${v.pass ? 'pass' : 'REFUSE'} - ${v.reason}`, verdict: v });
  recorder.record({ kind: 'decision', summary: d.why });
}

/**
 * Re-reads the service before acting, so the step is idempotent: a re-run after a crash or a
 * timeout that came after the change but before the checkpoint finds the change in effect
 * and records "already done" instead of asking the Actuator again (whose cooldown, started
 * by the first run, would refuse it and strand the episode with MinCapacity pinned).
 */
function alreadyInEffect(deps: ScaleEcsDeps, live: ServiceCapacity, change: ScaleChange, summary: string): ScaleStepResult | undefined {
  if (!changeInEffect(live, change)) return undefined;
  deps.recorder.record({ kind: 'note', summary: `already done: ${describeCapacity(live)} already meets "${summary}" (an earlier run of this step, or someone else, made the change); not acting again` });
  return { status: 'executed', capacity: live, at: deps.clock.now(), alreadyInEffect: true };
}

export async function scaleOut(deps: ScaleEcsDeps, input: ScaleEcsInput, decision: Extract<ScaleOutDecision, { kind: 'scale-out' }>, name: string): Promise<ScaleStepResult> {
  const { ref } = input;
  return deps.workflow.step(name, async () => {
    const summary = `scale ${ref.cluster}/${ref.service} out ${decision.from} -> ${decision.to}${decision.change.autoScalingMin !== undefined ? ` through its auto scaling target (MinCapacity ${decision.change.autoScalingMin})` : ''}`;
    const cause = input.trigger.kind === 'cpu-alarm' ? `load above capacity: ${input.trigger.alarmName} in ALARM at ${decision.from} tasks` : `CPU saturation found by ${quoteUntrusted(input.trigger.requestedBy, 120)}`;
    const live = await deps.ops.readCapacity();
    const done = alreadyInEffect(deps, live, decision.change, summary);
    if (done) {
      // Mitigation started with the first change, and the cause as seen then: later rounds keep both.
      deps.incident.setIfUnset({ startedAt: deps.clock.now(), rootCauseGuess: cause });
      return done;
    }
    // Paused since the decision (a failover stops the primary region's service): never start it.
    const paused = servicePaused(live);
    if (paused) {
      deps.recorder.record({ kind: 'guardrail', summary: `${paused.guardrail}: REFUSE - ${paused.reason}`, verdict: paused });
      return { status: 'refused', refusal: paused, capacity: live, at: deps.clock.now() };
    }
    const out = await deps.act(scalingAction(deps, ref, 'scale-out', summary, decision.verdicts), () => deps.ops.applyScale(decision.change));
    if (out.status === 'executed') {
      deps.incident.setIfUnset({ startedAt: deps.clock.now(), rootCauseGuess: cause });
      if (out.result.desired !== decision.change.desired) {
        deps.recorder.record({ kind: 'error', summary: `verify: desired is ${out.result.desired} after asking for ${decision.change.desired}` });
      }
    }
    return stepResult(out, deps.clock.now());
  });
}

/** Runbook 3 step 3, "Verify Health": every desired task RUNNING and, with a target group, as many healthy targets. */
export async function verifyHealth(deps: ScaleEcsDeps, name: string, desired: number): Promise<{ ok: boolean; capacity: ServiceCapacity }> {
  const { attempts, intervalSeconds } = deps.healthChecks ?? { attempts: 10, intervalSeconds: 30 };
  let last: ServiceCapacity | undefined;
  for (let i = 1; i <= attempts; i++) {
    const check = await deps.workflow.step(`${name}-${i}`, async () => {
      const [capacity, healthy] = await Promise.all([deps.ops.readCapacity(), deps.ops.readHealthyTargets()]);
      const targets = healthy === undefined ? '' : `, ALB healthy targets ${healthy}/${desired}`;
      deps.recorder.record({ kind: 'signal', summary: `verify health: running ${capacity.running}/${capacity.desired} (pending ${capacity.pending})${targets}` });
      return { capacity, ok: capacity.running >= desired && (healthy === undefined || healthy >= desired) };
    });
    last = check.capacity;
    if (check.ok) return { ok: true, capacity: check.capacity };
    if (i < attempts) await deps.workflow.wait(`${name}-wait-${i}`, intervalSeconds);
  }
  return { ok: false, capacity: last as ServiceCapacity };
}

export async function finishWithoutScaling(
  deps: ScaleEcsDeps,
  input: ScaleEcsInput,
  decision: Exclude<ScaleOutDecision, { kind: 'scale-out' }>,
  capacity: ServiceCapacity,
  seen: string[],
  page: PagePoster,
): Promise<ScaleEcsResult> {
  const { ref } = input;
  if (decision.kind === 'no-change') {
    await deps.workflow.step('mark-no-change', async () => {
      deps.recorder.record({ kind: 'note', summary: `no scaling needed: ${decision.why}` });
      // Closed, so the next ALARM starts a new episode instead of joining this finished one.
      deps.incident.set({ status: 'ignored' });
      return true;
    });
    return { outcome: 'no-change', finalDesired: capacity.desired };
  }
  const refusal = decision.kind === 'refused' ? decision.refusal : decision.verdicts.find((v) => !v.pass);
  await page('page-not-scaled', (now) =>
    scalingPage({
      incidentKey: input.incidentKey, ref, at: now, severity: 'P2',
      title: decision.kind === 'at-bound' ? `${ref.service} already at its max of ${capacity.desired} tasks; cannot scale out` : `Scale-out of ${ref.service} refused: ${decision.why}`,
      seen, capacity,
      refused: refusal ? [{ action: 'scale out', verdict: refusal }] : [],
      nextStep:
        decision.kind === 'at-bound'
          ? `Capacity is at the bound: investigate the cause (runbook 4) or raise the bound. ${checkCapacityCommand(ref)}`
          : `Confirm why the service is paused before starting it: ${checkCapacityCommand(ref)}`,
    }),
  );
  await deps.workflow.step('mark-escalated', async () => {
    deps.incident.addRefusal(decision.why);
    deps.incident.set({ status: 'escalated' });
    return true;
  });
  return { outcome: decision.kind === 'at-bound' ? 'at-bound' : 'refused', finalDesired: capacity.desired };
}

export async function scaleIn(deps: ScaleEcsDeps, ref: ServiceRef, change: ScaleChange, why: string, verdicts: Verdict[], name: string): Promise<ScaleStepResult> {
  return deps.workflow.step(name, async () => {
    const summary = `${why} on ${ref.cluster}/${ref.service}`;
    const live = await deps.ops.readCapacity();
    // Paused by another runbook (a failover stops the primary region's service): a scale-in of
    // 0 -> floor, or restoring the auto scaling minimum, would start it against the failed primary.
    const paused = servicePaused(live);
    if (paused) {
      deps.recorder.record({ kind: 'guardrail', summary: `${paused.guardrail}: REFUSE - ${paused.reason}`, verdict: paused });
      return { status: 'refused', refusal: paused, capacity: live, at: deps.clock.now() };
    }
    const done = alreadyInEffect(deps, live, change, summary);
    if (done) return done;
    const out = await deps.act(scalingAction(deps, ref, 'scale-in', summary, verdicts), () => deps.ops.applyScale(change));
    return stepResult(out, deps.clock.now());
  });
}

/** Gives back the service lock a scaling change holds (a step of its own, so it is done once). */
export async function releaseServiceLock(deps: ScaleEcsDeps, name: string): Promise<void> {
  const release = deps.releaseLocks;
  if (!release) return;
  await deps.workflow.step(name, async () => {
    await release();
    return true;
  });
}
