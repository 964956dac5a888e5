/**
 * Runbook 3 as a durable workflow: Check Current Capacity -> Scale Up -> Verify Health ->
 * (wait for the alarm to be OK for the stabilisation period) -> Scale Down stepwise to the
 * floor, restoring the auto scaling target's original minimum on the last step.
 *
 * Written against the domain ports only. Everything with a side effect (AWS reads, the
 * clock, recording, paging) happens inside `workflow.step`, so a replay never repeats it;
 * every mutation goes through the injected `act` (the Actuator: kill switch, circuit
 * breaker, cooldown, budget, lock), and a refusal becomes a page with the reason.
 */
import { TUNABLES } from '../config';
import { ARBITER_GUARDRAIL } from '../arbiter';
import type { Verdict } from '../guardrails';
import type { IncidentStatus } from '../incident';
import type { Act, Clock, Pager, Recorder, Workflow } from '../ports';
import { describeCapacity, scalingBounds, type ScalingBounds, type ScalingPolicy, type ServiceCapacity } from './capacity';
import { alarmRecovered, planScaleIn, planScaleOut, servicePaused, type AlarmReading, type PreIncident, type ScaleChange } from './decide';
import { checkCapacityCommand, restoreAutoScalingMinCommand, scalingPage, scalingResolvePage, setDesiredCountCommand, type ServiceRef } from './pages';
import { finishWithoutScaling, pagePoster, recordDecision, releaseServiceLock, scaleIn, scaleOut, triggerLines, verifyHealth } from './steps';
import { quoteUntrusted } from '../untrusted-text';

/** The reads and the one mutation runbook 3 needs (adapters/aws/scaling.ts). */
export interface ScalingOperations {
  /** DescribeServices + DescribeScalableTargets. */
  readCapacity(): Promise<ServiceCapacity>;
  /**
   * DescribeAlarms for the alarms that gate scale-in (names, or prefixes ending in '*'), as
   * one reading: ALARM if any is, INSUFFICIENT_DATA if any is (or none exists), else OK
   * since the latest of their state changes.
   */
  readAlarms(patterns: string[]): Promise<AlarmReading>;
  /** Runbook 3 step 3: healthy targets in the service's ALB target group; undefined when it has none configured. */
  readHealthyTargets(): Promise<number | undefined>;
  /** Re-reads, applies (RegisterScalableTarget MinCapacity and/or UpdateService desiredCount), verifies; idempotent. */
  applyScale(change: ScaleChange): Promise<ServiceCapacity>;
}

/** The incident record as the workflow updates it (handlers/ implement it on IncidentSession). */
export interface ScalingIncident extends Recorder {
  /** Mitigation started (the first change), with the cause as the workflow saw it. */
  started(at: number, rootCause: string): void;
  setStatus(status: IncidentStatus, at: number): void;
  /** A refusal decided before any action was proposed (at the max, paused service). */
  refused(summary: string): void;
}

export type ScaleTrigger =
  | { kind: 'cpu-alarm'; alarmName: string; stateChangedAt: number; reason: string }
  | { kind: 'scale-requested'; requestedBy: string; reason: string; requestedCount?: number; evidence: string[] };

export interface ScaleEcsInput {
  incidentKey: string;
  ref: ServiceRef;
  trigger: ScaleTrigger;
  /** Alarms that must all be OK for stabilisationSeconds before scaling in (config.alarms.cpu, + fiveXx on a hand-off). */
  gateAlarms: string[];
}

export interface ScaleEcsDeps {
  workflow: Workflow;
  incident: ScalingIncident;
  ops: ScalingOperations;
  /**
   * A mutation through the Actuator. The handler wires it to hold the service lock after a
   * change (owner: this execution), so no other runbook acts on the service while the change
   * is under way; releaseLocks gives it back.
   */
  act: Act;
  /** Gives back the locks `act` holds; called inside a step once a change is verified, never held through monitoring. */
  releaseLocks?: () => Promise<void>;
  pager: Pager;
  clock: Clock;
  policy: ScalingPolicy;
  /** Verify Health: polls of running vs desired after a scale-out. */
  healthChecks?: { attempts: number; intervalSeconds: number };
  /** Monitoring rounds (each at least a cooldown apart) before giving the service back to a human. */
  maxMonitorRounds?: number;
}

export type ScaleEcsOutcome =
  | 'scaled-and-restored'
  /** A step failed after its retries (an AWS error): paged, handed to a human. */
  | 'failed'
  | 'nothing-to-restore'
  | 'refused'
  | 'at-bound'
  | 'no-change'
  | 'scale-in-refused'
  | 'gave-up';

export interface ScaleEcsResult {
  outcome: ScaleEcsOutcome;
  finalDesired: number;
}

/**
 * Refusals that only pace scale-in (they lift with time: another runbook holding the service
 * lock finishes its rollout); any other refusal hands scale-in to a human.
 */
const PACING_GUARDRAILS = new Set(['Cooldown', 'ActionBudget', 'ResourceLock']);

/** The arbiter refused because a rollback is rolling the service: it lifts when that rollout is verified. */
function isBusyArbiter(v: Verdict): boolean {
  return v.guardrail === ARBITER_GUARDRAIL && v.code === 'ResourceBusy';
}

interface Observation {
  capacity: ServiceCapacity;
  alarm: AlarmReading;
  now: number;
}


export async function runScaleEcs(deps: ScaleEcsDeps, input: ScaleEcsInput): Promise<ScaleEcsResult> {
  const { workflow: wf, incident, ops, policy } = deps;
  const { ref, trigger } = input;
  const page = pagePoster(deps);

  // 1. Check Current Capacity
  const start = await wf.step('check-current-capacity', async () => {
    const [capacity, alarm] = await Promise.all([ops.readCapacity(), trigger.kind === 'cpu-alarm' ? ops.readAlarms([trigger.alarmName]) : Promise.resolve(undefined)]);
    const bounds = scalingBounds(capacity, policy);
    incident.record({ kind: 'signal', summary: `capacity: ${describeCapacity(capacity)}`, detail: { ...capacity } });
    incident.record({ kind: 'signal', summary: `bounds ${bounds.min}..${bounds.max} from ${bounds.source}` });
    if (alarm) incident.record({ kind: 'signal', summary: `${alarm.name} is ${alarm.state} since ${new Date(alarm.since).toISOString()}` });
    return { capacity, bounds, alarm, now: deps.clock.now() };
  });
  const bounds: ScalingBounds = start.bounds;
  const before: PreIncident = { desired: start.capacity.desired, autoScalingMin: start.capacity.autoScaling?.minCapacity };
  const seen = triggerLines(trigger);

  // Re-read live state before acting: an ALARM delivered late (retries, a backlog) whose alarm is OK again is
  // history. INSUFFICIENT_DATA is not a recovery: the ALARM event is the latest evidence.
  if (start.alarm && alarmRecovered(start.alarm, trigger)) {
    const alarm = start.alarm;
    await wf.step('alarm-already-recovered', async () => {
      incident.record({ kind: 'decision', summary: `AlarmRecovered: ${alarm.name} is ${alarm.state} again since ${new Date(alarm.since).toISOString()}; the ALARM has passed, nothing to scale` });
      incident.setStatus('ignored', deps.clock.now());
      return true;
    });
    return { outcome: 'no-change', finalDesired: start.capacity.desired };
  }

  // 2. Scale Up
  const decision = await wf.step('decide-scale-out', async () => {
    const reason = trigger.kind === 'cpu-alarm' ? `${trigger.alarmName} in ALARM` : `scale requested by ${quoteUntrusted(trigger.requestedBy, 120)}`;
    const d = planScaleOut(start.capacity, bounds, policy, { reason, requestedCount: trigger.kind === 'scale-requested' ? trigger.requestedCount : undefined });
    recordDecision(incident, d);
    return d;
  });
  if (decision.kind !== 'scale-out') return finishWithoutScaling(deps, input, decision, start.capacity, seen, page);

  let current = start.capacity;
  const first = await scaleOut(deps, input, decision, 'scale-up');
  if (first.status === 'refused') {
    await page('page-scale-up-refused', (now) =>
      scalingPage({
        incidentKey: input.incidentKey, ref, at: now, severity: 'P2',
        title: `Scale-out of ${ref.service} refused: ${first.refusal?.reason ?? 'guardrail'}`,
        seen, capacity: start.capacity, refused: first.refusal ? [{ action: `scale out ${decision.from} -> ${decision.to}`, verdict: first.refusal }] : [],
        nextStep: `If the load is real, scale by hand (runbook 3 step 2): ${setDesiredCountCommand(ref, decision.to)}`,
      }),
    );
    await wf.step('mark-escalated', async () => { incident.setStatus('escalated', deps.clock.now()); return true; });
    return { outcome: 'refused', finalDesired: start.capacity.desired };
  }
  if (first.capacity) current = first.capacity;
  let lastScaleOutAt = first.at;
  // The episode pages its bound once (the capped scale-out or the first round found at the max).
  let boundPaged = decision.capped;
  const done: string[] = [first.status === 'dry-run' ? `DRY-RUN: would have scaled ${decision.from} -> ${decision.to}` : `scaled out ${decision.from} -> ${decision.to}${decision.change.autoScalingMin !== undefined ? ` (auto scaling min pinned at ${decision.change.autoScalingMin})` : ''}`];
  await page('page-scaled-out', (now) =>
    scalingPage({
      incidentKey: input.incidentKey, ref, at: now,
      severity: decision.capped ? 'P2' : 'P4',
      // Dry-run / shadow: nothing ran, so the title says what would have been done (issue 16).
      title:
        first.status === 'dry-run'
          ? `${ref.service}: would scale out ${decision.from} -> ${decision.to}${decision.capped ? ` (its max)` : ''}; nothing was changed`
          : decision.capped ? `${ref.service} scaled to its max of ${decision.to}: load may exceed capacity` : `${ref.service} scaled out ${decision.from} -> ${decision.to}`,
      seen: [...seen, ...decision.verdicts.map((v) => `${v.guardrail}: ${v.reason}`)], capacity: current, done,
      nextStep: decision.capped
        ? `The service is at its configured max; raise guardrails.scaling.maxTasks / the target's MaxCapacity or shed load. Watch: ${checkCapacityCommand(ref)}`
        : `None needed; the autopilot scales back in after ${policy.stabilisationSeconds}s of OK. Watch: ${checkCapacityCommand(ref)}`,
    }),
  );

  // 3. Verify Health
  if (first.status === 'executed') {
    const healthy = await verifyHealth(deps, 'verify-health', decision.to);
    if (healthy.ok) {
      await wf.step('mark-mitigated', async () => { incident.setStatus('mitigated', deps.clock.now()); return true; });
    } else {
      await page('page-unhealthy', (now) =>
        scalingPage({
          incidentKey: input.incidentKey, ref, at: now, severity: 'P2',
          title: `${ref.service} not healthy after scale-out: ${healthy.capacity.running}/${decision.to} tasks running or targets unhealthy`,
          seen, capacity: healthy.capacity, done,
          nextStep: `Runbook 3 step 3: aws ecs list-tasks --cluster ${ref.cluster} --service-name ${ref.service} --desired-status STOPPED --region ${ref.region}, then aws elbv2 describe-target-health --target-group-arn <service target group> --region ${ref.region}`,
        }),
      );
    }
    current = healthy.capacity;
    // The scale-out is verified (or paged): the service is free for other runbooks during the long monitoring.
    await releaseServiceLock(deps, 'release-service-lock');
  }

  // Wait for stabilisation, then Scale Down stepwise.
  const rounds = deps.maxMonitorRounds ?? TUNABLES.scaling.maxMonitorRounds;
  let nextWait = policy.cooldownSeconds;
  for (let round = 1; round <= rounds; round++) {
    await wf.wait(`stabilise-${round}`, nextWait);
    const obs: Observation = await wf.step(`check-alarm-${round}`, async () => {
      const [capacity, reading] = await Promise.all([ops.readCapacity(), ops.readAlarms(input.gateAlarms)]);
      const now = deps.clock.now();
      incident.record({ kind: 'signal', summary: `${reading.name}: ${reading.state} since ${new Date(reading.since).toISOString()}; desired ${capacity.desired}, running ${capacity.running}` });
      return { capacity, alarm: reading, now };
    });
    current = obs.capacity;

    // Paused by another runbook since our change (a failover stops the primary region's service):
    // the episode is over. No scale-in, no auto scaling minimum restored: either would start the
    // service against the failed primary. Paged once, handed to the human who owns the failback.
    const paused = servicePaused(obs.capacity);
    if (paused) {
      const pinned = obs.capacity.autoScaling?.minCapacity;
      await page(`page-frozen-${round}`, (now) =>
        scalingPage({
          incidentKey: input.incidentKey, ref, at: now, severity: 'P3',
          title: `Scaling of ${ref.service} stopped: the service was paused by another runbook`,
          seen: [paused.reason], capacity: obs.capacity, done,
          refused: [{ action: 'scale in / restore the auto scaling minimum', verdict: paused }],
          nextStep: before.autoScalingMin !== undefined && pinned !== before.autoScalingMin
            ? `After the failback, when the service runs again: ${restoreAutoScalingMinCommand(ref, before.autoScalingMin)} (MinCapacity is still ${pinned ?? 'unknown'})`
            : `Nothing to undo; the service stays paused until the failback. ${checkCapacityCommand(ref)}`,
        }),
      );
      await wf.step('mark-escalated', async () => { incident.refused(paused.reason); incident.setStatus('escalated', deps.clock.now()); return true; });
      return { outcome: 'refused', finalDesired: obs.capacity.desired };
    }

    // Continuously in ALARM for a full cooldown after our last scale-out: one more bounded step (CPU
    // alarms only). An alarm that went OK and came back (flapping) is marginal load: hold, do not climb.
    if (
      obs.alarm.state === 'ALARM' &&
      trigger.kind === 'cpu-alarm' &&
      obs.alarm.since <= lastScaleOutAt &&
      obs.now - lastScaleOutAt >= policy.cooldownSeconds * 1000
    ) {
      const again = await wf.step(`decide-scale-out-${round}`, async () => {
        const d = planScaleOut(obs.capacity, bounds, policy, { reason: `${obs.alarm.name} still ALARM ${Math.round((obs.now - lastScaleOutAt) / 1000)}s after the last scale-out` });
        recordDecision(incident, d);
        return d;
      });
      if (again.kind === 'scale-out') {
        const r = await scaleOut(deps, input, again, `scale-up-${round}`);
        await releaseServiceLock(deps, `release-service-lock-${round}`);
        if (r.status === 'refused') {
          await page(`page-scale-up-refused-${round}`, (now) =>
            scalingPage({
              incidentKey: input.incidentKey, ref, at: now, severity: 'P2',
              title: `Further scale-out of ${ref.service} refused: ${r.refusal?.reason ?? 'guardrail'}`,
              seen: [`${obs.alarm.name} still ALARM`], capacity: obs.capacity,
              refused: r.refusal ? [{ action: `scale out ${again.from} -> ${again.to}`, verdict: r.refusal }] : [],
              nextStep: `Scale by hand if needed: ${setDesiredCountCommand(ref, again.to)}`,
            }),
          );
        } else {
          lastScaleOutAt = r.at;
          if (r.capacity) current = r.capacity;
          done.push(`scaled out ${again.from} -> ${again.to} (alarm still ALARM)`);
          if (again.capped && !boundPaged) {
            boundPaged = true;
            await page(`page-capped-${round}`, (now) =>
              scalingPage({
                incidentKey: input.incidentKey, ref, at: now, severity: 'P2',
                title: `${ref.service} scaled to its max of ${again.to}: load may exceed capacity`,
                seen: [`${obs.alarm.name} still ALARM`, ...again.verdicts.map((v) => `${v.guardrail}: ${v.reason}`)], capacity: current, done,
                nextStep: `The service is at its configured max; raise the bound or shed load. Watch: ${checkCapacityCommand(ref)}`,
              }),
            );
          }
        }
      } else if (again.kind === 'at-bound' && boundPaged) {
        // Paged once already: later rounds update the incident record, not the pager (no P2 every round).
        await wf.step(`at-bound-still-${round}`, async () => {
          incident.record({ kind: 'note', summary: `still at the max of ${again.from} and ${obs.alarm.name} still ALARM (round ${round}); already paged` });
          return true;
        });
      } else if (again.kind === 'at-bound') {
        boundPaged = true;
        await page(`page-at-bound-${round}`, (now) =>
          scalingPage({
            incidentKey: input.incidentKey, ref, at: now, severity: 'P2',
            title: `${ref.service} at its max of ${again.from} and ${obs.alarm.name} still ALARM`,
            seen: [`${obs.alarm.name} still ALARM`], capacity: obs.capacity, done,
            refused: again.verdicts.filter((v) => !v.pass).map((v) => ({ action: 'scale out', verdict: v })),
            nextStep: `Capacity is at the bound: find the cause (runbook 4) or raise the bound. ${checkCapacityCommand(ref)}`,
          }),
        );
      }
      nextWait = policy.cooldownSeconds;
      continue;
    }

    const plan = await wf.step(`decide-scale-in-${round}`, async () => {
      const d = planScaleIn({ capacity: obs.capacity, bounds, before, alarm: obs.alarm, policy, now: obs.now });
      incident.record({ kind: 'decision', summary: d.why, verdict: d.kind === 'hold' || d.kind === 'wait' ? d.verdict : undefined });
      return d;
    });
    if (plan.kind === 'done') {
      await page('page-resolved', (now) => scalingResolvePage(input.incidentKey, ref, now, 'P4', done, obs.capacity));
      await wf.step('mark-resolved', async () => { incident.setStatus('resolved', deps.clock.now()); return true; });
      return { outcome: done.length > 0 && first.status === 'executed' ? 'scaled-and-restored' : 'nothing-to-restore', finalDesired: obs.capacity.desired };
    }
    if (plan.kind === 'hold') { nextWait = policy.cooldownSeconds; continue; }
    if (plan.kind === 'wait') { nextWait = Math.max(1, plan.seconds); continue; }

    const r = await scaleIn(deps, ref, plan.change, plan.why, plan.verdicts, `scale-down-${round}`);
    await releaseServiceLock(deps, `release-service-lock-down-${round}`);
    if (r.status === 'refused' && r.refusal && (PACING_GUARDRAILS.has(r.refusal.guardrail) || isBusyArbiter(r.refusal))) {
      // Scaling in late is safe: wait for the cooldown / hourly budget / the other runbook's lock to free up and try again.
      await wf.step(`scale-down-deferred-${round}`, async () => {
        incident.record({ kind: 'decision', summary: `scale in ${plan.from} -> ${plan.to} deferred: ${r.refusal?.reason}` });
        return true;
      });
      nextWait = policy.cooldownSeconds;
      continue;
    }
    if (r.status === 'refused') {
      const restoreMin = before.autoScalingMin;
      await page(`page-scale-in-refused-${round}`, (now) =>
        scalingPage({
          incidentKey: input.incidentKey, ref, at: now, severity: 'P3',
          title: `Scale-in of ${ref.service} refused: ${r.refusal?.reason ?? 'guardrail'}; capacity left at ${obs.capacity.desired}`,
          seen: [`${obs.alarm.name} OK since ${new Date(obs.alarm.since).toISOString()}`], capacity: obs.capacity, done,
          refused: r.refusal ? [{ action: `scale in ${plan.from} -> ${plan.to}`, verdict: r.refusal }] : [],
          nextStep:
            restoreMin !== undefined
              ? `Scale in by hand when safe: ${restoreAutoScalingMinCommand(ref, restoreMin)} && ${setDesiredCountCommand(ref, Math.max(bounds.min, before.desired))}`
              : `Scale in by hand when safe (runbook 3 "Scale Down"): ${setDesiredCountCommand(ref, Math.max(bounds.min, before.desired))}`,
        }),
      );
      await wf.step('mark-escalated', async () => { incident.setStatus('escalated', deps.clock.now()); return true; });
      return { outcome: 'scale-in-refused', finalDesired: obs.capacity.desired };
    }
    if (r.capacity) current = r.capacity;
    done.push(r.status === 'dry-run' ? `DRY-RUN: would have ${plan.why}` : plan.why);
    nextWait = policy.cooldownSeconds;
  }

  await page('page-gave-up', (now) =>
    scalingPage({
      incidentKey: input.incidentKey, ref, at: now, severity: 'P3',
      title: `${ref.service} still at ${current.desired} tasks after ${rounds} monitoring rounds; scale-in handed to a human`,
      seen, capacity: current, done,
      nextStep: before.autoScalingMin !== undefined
        ? `When the load has passed: ${restoreAutoScalingMinCommand(ref, before.autoScalingMin)} && ${setDesiredCountCommand(ref, Math.max(bounds.min, before.desired))}`
        : `When the load has passed: ${setDesiredCountCommand(ref, Math.max(bounds.min, before.desired))}`,
    }),
  );
  await wf.step('mark-escalated', async () => { incident.setStatus('escalated', deps.clock.now()); return true; });
  return { outcome: 'gave-up', finalDesired: current.desired };
}
