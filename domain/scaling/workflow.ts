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
import type { GuardrailName, Verdict } from '../guardrails';
import type { Act, Clock, IncidentLedger, Pager, Recorder, Workflow } from '../ports';
import { describeCapacity, scalingBounds, type ScalingBounds, type ScalingPolicy, type ServiceCapacity } from './capacity';
import { alarmRecovered, planScaleIn, planScaleOut, servicePaused, type AlarmReading, type PreIncident, type ScaleChange, type ScaleInDecision, type ScaleOutDecision } from './decide';
import { checkCapacityCommand, restoreAutoScalingMinCommand, scalingPage, scalingResolvePage, setDesiredCountCommand, type ServiceRef } from './pages';
import { finishWithoutScaling, pagePoster, recordDecision, releaseServiceLock, scaleIn, scaleOut, triggerLines, verifyHealth, type PagePoster, type ScaleStepResult } from './steps';
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

export type ScaleTrigger =
  | { kind: 'cpu-alarm'; alarmName: string; stateChangedAt: number; reason: string }
  | { kind: 'scale-requested'; requestedBy: string; reason: string; requestedCount?: number; evidence: string[] };

export interface ScaleEcsInput {
  incidentKey: string;
  ref: ServiceRef;
  trigger: ScaleTrigger;
  /** Alarms that must all be OK for stabilisationSeconds before scaling in (config.alarms.cpu, + fiveXx on a hand-off). */
  gateAlarms: string[];
  /** When this episode was detected (its record's detectedAt; names its execution). Absent in inputs started before it was added. */
  detectedAt?: number;
}

export interface ScaleEcsDeps {
  workflow: Workflow;
  /** The incident's timeline. */
  recorder: Recorder;
  /** The incident's outcome fields, set from inside steps. */
  incident: IncidentLedger;
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
  /**
   * Longest the first scale-out waits for another runbook's hold on the service (a lock, a rollback
   * rolling it) before handing over: the lock TTL, the longest a crashed holder can block. 0: no wait.
   */
  holderWaitSeconds?: number;
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
const PACING_GUARDRAILS = new Set<GuardrailName>(['Cooldown', 'ActionBudget', 'ResourceLock']);

/** The arbiter refused because a rollback is rolling the service: it lifts when that rollout is verified. */
function isBusyArbiter(v: Verdict): boolean {
  return v.guardrail === ARBITER_GUARDRAIL && v.code === 'ResourceBusy';
}

interface Observation {
  capacity: ServiceCapacity;
  alarm: AlarmReading;
  now: number;
}

/** A run of runbook 3 once its capacity is checked: deps, input and what the first step read. */
interface ScaleRun {
  deps: ScaleEcsDeps;
  input: ScaleEcsInput;
  page: PagePoster;
  /** Bounds as they were before the incident (our own raised MinCapacity is not a bound). */
  bounds: ScalingBounds;
  before: PreIncident;
  /** The capacity step 1 read. */
  start: ServiceCapacity;
  /** The trigger as the pages show it. */
  seen: string[];
}

/**
 * A run after its first scale-out: the state the later steps share. A replay rebuilds it the
 * same way, from the steps' recorded results.
 */
interface ScaleEpisode extends ScaleRun {
  /** What the first scale-out did: 'executed' or 'dry-run'. */
  scaledOut: ScaleStepResult['status'];
  /** The latest capacity read or produced. */
  current: ServiceCapacity;
  lastScaleOutAt: number;
  /** The episode pages its bound once (the capped scale-out or the first round found at the max). */
  boundPaged: boolean;
  /** What the autopilot did, one line per change; every page of the episode shares this list. */
  done: string[];
}

type ScaleOutPlan = Extract<ScaleOutDecision, { kind: 'scale-out' }>;
type ScaleInPlan = Extract<ScaleInDecision, { kind: 'scale-in' }>;

/** How a monitoring round ends: with the run's result, or by waiting this long for the next round. */
type RoundEnd = ScaleEcsResult | { waitSeconds: number };

export async function runScaleEcs(deps: ScaleEcsDeps, input: ScaleEcsInput): Promise<ScaleEcsResult> {
  let waitedSeconds = 0;
  for (let attempt = 0; ; attempt++) {
    // Step names of a retry after waiting for another runbook's hold carry the attempt.
    const suffix = attempt === 0 ? '' : `-after-wait-${attempt}`;
    // 1. Check Current Capacity
    const run = await checkCurrentCapacity(deps, input, suffix);
    if (run.alarm && alarmRecovered(run.alarm, input.trigger)) return alarmAlreadyRecovered(run, run.alarm);
    if (attempt > 0 && run.alarm && run.alarm.state === 'OK') return loadPassedWhileWaiting(run, run.alarm);

    // 2. Scale Up
    const decision = await decideScaleOut(run, suffix);
    if (decision.kind !== 'scale-out') return finishWithoutScaling(deps, input, decision, run.start, run.seen, run.page);
    const scaled = await scaleUp(run, decision, suffix, deps.holderWaitSeconds === undefined ? 0 : deps.holderWaitSeconds - waitedSeconds);
    if ('waitSeconds' in scaled) {
      // Another runbook holds the service and will let go: its rollout ends, or a crashed holder's lock expires.
      await deps.workflow.wait(`wait-for-holder-${attempt + 1}`, scaled.waitSeconds);
      waitedSeconds += scaled.waitSeconds;
      continue;
    }
    if (!scaled.episode) return { outcome: 'refused', finalDesired: run.start.desired };
    const episode = scaled.episode;

    // 3. Verify Health
    if (episode.scaledOut === 'executed') await verifyScaleOutHealth(episode, decision.to);

    // Wait for stabilisation, then Scale Down stepwise.
    return stabiliseThenScaleDown(episode);
  }
}

/** The alarm went OK while the scale-out waited for another runbook's hold: nothing left to scale. */
async function loadPassedWhileWaiting(run: ScaleRun, alarm: AlarmReading): Promise<ScaleEcsResult> {
  const { deps } = run;
  await deps.workflow.step('load-passed-while-waiting', async () => {
    deps.recorder.record({ kind: 'decision', summary: `${alarm.name} is OK again since ${new Date(alarm.since).toISOString()} while the scale-out waited for the service: nothing to scale` });
    deps.incident.set({ status: 'resolved', resolvedAt: deps.clock.now() });
    return true;
  });
  // Resolves the P2 "waiting" page on the topic that opened it.
  await run.page('page-load-passed-while-waiting', (now) => scalingResolvePage(run.input.incidentKey, run.input.ref, now, 'P2', ['nothing: the load passed while the scale-out waited'], run.start));
  return { outcome: 'no-change', finalDesired: run.start.desired };
}

/** 1. Check Current Capacity (and, for a CPU alarm, the alarm's live state). */
async function checkCurrentCapacity(deps: ScaleEcsDeps, input: ScaleEcsInput, suffix = ''): Promise<ScaleRun & { alarm?: AlarmReading }> {
  const { recorder, ops, policy } = deps;
  const { trigger } = input;
  const start = await deps.workflow.step(`check-current-capacity${suffix}`, async () => {
    const [capacity, alarm] = await Promise.all([ops.readCapacity(), trigger.kind === 'cpu-alarm' ? ops.readAlarms([trigger.alarmName]) : Promise.resolve(undefined)]);
    const bounds = scalingBounds(capacity, policy);
    recorder.record({ kind: 'signal', summary: `capacity: ${describeCapacity(capacity)}`, detail: { ...capacity } });
    recorder.record({ kind: 'signal', summary: `bounds ${bounds.min}..${bounds.max} from ${bounds.source}` });
    if (alarm) recorder.record({ kind: 'signal', summary: `${alarm.name} is ${alarm.state} since ${new Date(alarm.since).toISOString()}` });
    return { capacity, bounds, alarm, now: deps.clock.now() };
  });
  return {
    deps,
    input,
    page: pagePoster(deps),
    bounds: start.bounds,
    before: { desired: start.capacity.desired, autoScalingMin: start.capacity.autoScaling?.minCapacity },
    start: start.capacity,
    seen: triggerLines(trigger),
    alarm: start.alarm,
  };
}

/**
 * Re-read live state before acting: an ALARM delivered late (retries, a backlog) whose alarm is OK again is
 * history. INSUFFICIENT_DATA is not a recovery: the ALARM event is the latest evidence.
 */
async function alarmAlreadyRecovered(run: ScaleRun, alarm: AlarmReading): Promise<ScaleEcsResult> {
  const { deps } = run;
  await deps.workflow.step('alarm-already-recovered', async () => {
    deps.recorder.record({ kind: 'decision', summary: `AlarmRecovered: ${alarm.name} is ${alarm.state} again since ${new Date(alarm.since).toISOString()}; the ALARM has passed, nothing to scale` });
    deps.incident.set({ status: 'ignored' });
    return true;
  });
  return { outcome: 'no-change', finalDesired: run.start.desired };
}

/** 2. Scale Up: how far, within the bounds and the step limit. */
async function decideScaleOut(run: ScaleRun, suffix = ''): Promise<ScaleOutDecision> {
  const { deps, input: { trigger } } = run;
  return deps.workflow.step(`decide-scale-out${suffix}`, async () => {
    const reason = trigger.kind === 'cpu-alarm' ? `${trigger.alarmName} in ALARM` : `scale requested by ${quoteUntrusted(trigger.requestedBy, 120)}`;
    const d = planScaleOut(run.start, run.bounds, deps.policy, { reason, requestedCount: trigger.kind === 'scale-requested' ? trigger.requestedCount : undefined });
    recordDecision(deps.recorder, d);
    return d;
  });
}

/**
 * 2. Scale Up: the change, then its page. Refused by another runbook's hold that lifts by itself
 * (a lock, a rollback rolling the service) while `waitBudgetSeconds` remain: page P2 once and wait
 * for it. Any other refusal: paged, escalated, no episode.
 */
async function scaleUp(run: ScaleRun, decision: ScaleOutPlan, suffix: string, waitBudgetSeconds: number): Promise<{ episode?: ScaleEpisode } | { waitSeconds: number }> {
  const { deps, input, page, seen } = run;
  const { ref } = input;
  const first = await scaleOut(deps, input, decision, `scale-up${suffix}`);
  const wait = holderWait(first, waitBudgetSeconds);
  if (wait !== undefined && first.refusal) {
    if (suffix === '') {
      const refusal = first.refusal;
      await page('page-scale-up-waiting', (now) =>
        scalingPage({
          incidentKey: input.incidentKey, ref, at: now, severity: 'P2',
          title: `Scale-out of ${ref.service} waiting: ${refusal.reason}`,
          seen, capacity: run.start, refused: [{ action: `scale out ${decision.from} -> ${decision.to}`, verdict: refusal }],
          nextStep: `The autopilot retries when the hold ends (at most ${waitBudgetSeconds}s). If the load cannot wait, check the holder's incident, then scale by hand (runbook 3 step 2): ${setDesiredCountCommand(ref, decision.to)}`,
        }),
      );
    }
    return { waitSeconds: wait };
  }
  if (first.status === 'refused') {
    await page('page-scale-up-refused', (now) =>
      scalingPage({
        incidentKey: input.incidentKey, ref, at: now, severity: 'P2',
        title: `Scale-out of ${ref.service} refused: ${first.refusal?.reason ?? 'guardrail'}`,
        seen, capacity: run.start, refused: first.refusal ? [{ action: `scale out ${decision.from} -> ${decision.to}`, verdict: first.refusal }] : [],
        nextStep: `If the load is real, scale by hand (runbook 3 step 2): ${setDesiredCountCommand(ref, decision.to)}`,
      }),
    );
    await markEscalated(deps);
    return {};
  }
  const episode: ScaleEpisode = {
    ...run,
    scaledOut: first.status,
    current: first.capacity ?? run.start,
    lastScaleOutAt: first.at,
    boundPaged: decision.capped,
    done: [first.status === 'dry-run' ? `DRY-RUN: would have scaled ${decision.from} -> ${decision.to}` : `scaled out ${decision.from} -> ${decision.to}${decision.change.autoScalingMin !== undefined ? ` (auto scaling min pinned at ${decision.change.autoScalingMin})` : ''}`],
  };
  await page('page-scaled-out', (now) =>
    scalingPage({
      incidentKey: input.incidentKey, ref, at: now,
      severity: decision.capped ? 'P2' : 'P4',
      // Dry-run / shadow: nothing ran, so the title says what would have been done (issue 16).
      title:
        first.status === 'dry-run'
          ? `${ref.service}: would scale out ${decision.from} -> ${decision.to}${decision.capped ? ` (its max)` : ''}; nothing was changed`
          : decision.capped ? `${ref.service} scaled to its max of ${decision.to}: load may exceed capacity` : `${ref.service} scaled out ${decision.from} -> ${decision.to}`,
      seen: [...seen, ...decision.verdicts.map((v) => `${v.guardrail}: ${v.reason}`)], capacity: episode.current, done: episode.done,
      nextStep: decision.capped
        ? `The service is at its configured max; raise guardrails.scaling.maxTasks / the target's MaxCapacity or shed load. Watch: ${checkCapacityCommand(ref)}`
        : `None needed; the autopilot scales back in after ${deps.policy.stabilisationSeconds}s of OK. Watch: ${checkCapacityCommand(ref)}`,
    }),
  );
  return { episode };
}

/**
 * How long to wait for a hold that lifts by itself (holdLiftsAt: another execution's lock, a
 * rollback rolling the service), re-checked at least every minute and at most 5 minutes apart.
 * Undefined: hand over now (any other refusal, or no wait left).
 */
function holderWait(step: ScaleStepResult, budgetSeconds: number): number | undefined {
  if (step.status !== 'refused' || step.liftsAt === undefined || budgetSeconds <= 0) return undefined;
  const seconds = Math.ceil((step.liftsAt - step.at) / 1000) + 1;
  return Math.min(budgetSeconds, Math.max(60, Math.min(seconds, 300)));
}

/** 3. Verify Health after an executed scale-out: mitigated, or paged; then the service lock goes back. */
async function verifyScaleOutHealth(ep: ScaleEpisode, desired: number): Promise<void> {
  const { deps, input: { incidentKey, ref } } = ep;
  const healthy = await verifyHealth(deps, 'verify-health', desired);
  if (healthy.ok) {
    await deps.workflow.step('mark-mitigated', async () => {
      deps.incident.set({ status: 'mitigated' });
      // An episode's first healthy scale-out is its mitigation time.
      deps.incident.setIfUnset({ mitigatedAt: deps.clock.now() });
      return true;
    });
  } else {
    await ep.page('page-unhealthy', (now) =>
      scalingPage({
        incidentKey, ref, at: now, severity: 'P2',
        title: `${ref.service} not healthy after scale-out: ${healthy.capacity.running}/${desired} tasks running or targets unhealthy`,
        seen: ep.seen, capacity: healthy.capacity, done: ep.done,
        nextStep: `Runbook 3 step 3: aws ecs list-tasks --cluster ${ref.cluster} --service-name ${ref.service} --desired-status STOPPED --region ${ref.region}, then aws elbv2 describe-target-health --target-group-arn <service target group> --region ${ref.region}`,
      }),
    );
  }
  ep.current = healthy.capacity;
  // The scale-out is verified (or paged): the service is free for other runbooks during the long monitoring.
  await releaseServiceLock(deps, 'release-service-lock');
}

/** Wait for stabilisation, then Scale Down stepwise; a round may scale out again while the alarm holds. */
async function stabiliseThenScaleDown(ep: ScaleEpisode): Promise<ScaleEcsResult> {
  const { deps } = ep;
  const rounds = deps.maxMonitorRounds ?? TUNABLES.scaling.maxMonitorRounds;
  let nextWait = deps.policy.cooldownSeconds;
  for (let round = 1; round <= rounds; round++) {
    await deps.workflow.wait(`stabilise-${round}`, nextWait);
    const obs = await checkAlarm(ep, round);
    ep.current = obs.capacity;
    const paused = servicePaused(obs.capacity);
    if (paused) return stopForPausedService(ep, round, obs, paused);
    const end = stillInAlarm(ep, obs) ? await scaleUpAgain(ep, round, obs) : await scaleDown(ep, round, obs);
    if ('outcome' in end) return end;
    nextWait = end.waitSeconds;
  }
  return giveUp(ep, rounds);
}

async function checkAlarm(ep: ScaleEpisode, round: number): Promise<Observation> {
  const { deps, input } = ep;
  return deps.workflow.step(`check-alarm-${round}`, async () => {
    const [capacity, reading] = await Promise.all([deps.ops.readCapacity(), deps.ops.readAlarms(input.gateAlarms)]);
    const now = deps.clock.now();
    deps.recorder.record({ kind: 'signal', summary: `${reading.name}: ${reading.state} since ${new Date(reading.since).toISOString()}; desired ${capacity.desired}, running ${capacity.running}` });
    return { capacity, alarm: reading, now };
  });
}

/**
 * Paused by another runbook since our change (a failover stops the primary region's service):
 * the episode is over. No scale-in, no auto scaling minimum restored: either would start the
 * service against the failed primary. Paged once, handed to the human who owns the failback.
 */
async function stopForPausedService(ep: ScaleEpisode, round: number, obs: Observation, paused: Verdict): Promise<ScaleEcsResult> {
  const { deps, input: { incidentKey, ref }, before } = ep;
  const pinned = obs.capacity.autoScaling?.minCapacity;
  await ep.page(`page-frozen-${round}`, (now) =>
    scalingPage({
      incidentKey, ref, at: now, severity: 'P3',
      title: `Scaling of ${ref.service} stopped: the service was paused by another runbook`,
      seen: [paused.reason], capacity: obs.capacity, done: ep.done,
      refused: [{ action: 'scale in / restore the auto scaling minimum', verdict: paused }],
      nextStep: before.autoScalingMin !== undefined && pinned !== before.autoScalingMin
        ? `After the failback, when the service runs again: ${restoreAutoScalingMinCommand(ref, before.autoScalingMin)} (MinCapacity is still ${pinned ?? 'unknown'})`
        : `Nothing to undo; the service stays paused until the failback. ${checkCapacityCommand(ref)}`,
    }),
  );
  await deps.workflow.step('mark-escalated', async () => { deps.incident.addRefusal(paused.reason); deps.incident.set({ status: 'escalated' }); return true; });
  return { outcome: 'refused', finalDesired: obs.capacity.desired };
}

/**
 * Continuously in ALARM for a full cooldown after our last scale-out: one more bounded step (CPU
 * alarms only). An alarm that went OK and came back (flapping) is marginal load: hold, do not climb.
 */
function stillInAlarm(ep: ScaleEpisode, obs: Observation): boolean {
  return (
    obs.alarm.state === 'ALARM' &&
    ep.input.trigger.kind === 'cpu-alarm' &&
    obs.alarm.since <= ep.lastScaleOutAt &&
    obs.now - ep.lastScaleOutAt >= ep.deps.policy.cooldownSeconds * 1000
  );
}

/** 2. Scale Up, again: one more bounded step, or a page (once) that the service is at its max. */
async function scaleUpAgain(ep: ScaleEpisode, round: number, obs: Observation): Promise<RoundEnd> {
  const { deps, input } = ep;
  const again = await deps.workflow.step(`decide-scale-out-${round}`, async () => {
    const d = planScaleOut(obs.capacity, ep.bounds, deps.policy, { reason: `${obs.alarm.name} still ALARM ${Math.round((obs.now - ep.lastScaleOutAt) / 1000)}s after the last scale-out` });
    recordDecision(deps.recorder, d);
    return d;
  });
  if (again.kind === 'scale-out') {
    const r = await scaleOut(deps, input, again, `scale-up-${round}`);
    await releaseServiceLock(deps, `release-service-lock-${round}`);
    if (r.status === 'refused') await pageScaleUpRefused(ep, round, obs, again, r);
    else await recordScaledOutAgain(ep, round, obs, again, r);
  } else if (again.kind === 'at-bound' && ep.boundPaged) {
    // Paged once already: later rounds update the incident record, not the pager (no P2 every round).
    await deps.workflow.step(`at-bound-still-${round}`, async () => {
      deps.recorder.record({ kind: 'note', summary: `still at the max of ${again.from} and ${obs.alarm.name} still ALARM (round ${round}); already paged` });
      return true;
    });
  } else if (again.kind === 'at-bound') {
    ep.boundPaged = true;
    const { incidentKey, ref } = input;
    await ep.page(`page-at-bound-${round}`, (now) =>
      scalingPage({
        incidentKey, ref, at: now, severity: 'P2',
        title: `${ref.service} at its max of ${again.from} and ${obs.alarm.name} still ALARM`,
        seen: [`${obs.alarm.name} still ALARM`], capacity: obs.capacity, done: ep.done,
        refused: again.verdicts.filter((v) => !v.pass).map((v) => ({ action: 'scale out', verdict: v })),
        nextStep: `Capacity is at the bound: find the cause (runbook 4) or raise the bound. ${checkCapacityCommand(ref)}`,
      }),
    );
  }
  return { waitSeconds: deps.policy.cooldownSeconds };
}

async function pageScaleUpRefused(ep: ScaleEpisode, round: number, obs: Observation, again: ScaleOutPlan, r: ScaleStepResult): Promise<void> {
  const { incidentKey, ref } = ep.input;
  await ep.page(`page-scale-up-refused-${round}`, (now) =>
    scalingPage({
      incidentKey, ref, at: now, severity: 'P2',
      title: `Further scale-out of ${ref.service} refused: ${r.refusal?.reason ?? 'guardrail'}`,
      seen: [`${obs.alarm.name} still ALARM`], capacity: obs.capacity,
      refused: r.refusal ? [{ action: `scale out ${again.from} -> ${again.to}`, verdict: r.refusal }] : [],
      nextStep: `Scale by hand if needed: ${setDesiredCountCommand(ref, again.to)}`,
    }),
  );
}

async function recordScaledOutAgain(ep: ScaleEpisode, round: number, obs: Observation, again: ScaleOutPlan, r: ScaleStepResult): Promise<void> {
  const { incidentKey, ref } = ep.input;
  ep.lastScaleOutAt = r.at;
  if (r.capacity) ep.current = r.capacity;
  ep.done.push(`scaled out ${again.from} -> ${again.to} (alarm still ALARM)`);
  if (!again.capped || ep.boundPaged) return;
  ep.boundPaged = true;
  await ep.page(`page-capped-${round}`, (now) =>
    scalingPage({
      incidentKey, ref, at: now, severity: 'P2',
      title: `${ref.service} scaled to its max of ${again.to}: load may exceed capacity`,
      seen: [`${obs.alarm.name} still ALARM`, ...again.verdicts.map((v) => `${v.guardrail}: ${v.reason}`)], capacity: ep.current, done: ep.done,
      nextStep: `The service is at its configured max; raise the bound or shed load. Watch: ${checkCapacityCommand(ref)}`,
    }),
  );
}

/** Scale Down: one step towards the floor once the alarm has been OK for the stabilisation period. */
async function scaleDown(ep: ScaleEpisode, round: number, obs: Observation): Promise<RoundEnd> {
  const { deps, input: { incidentKey, ref } } = ep;
  const cooldown = { waitSeconds: deps.policy.cooldownSeconds };
  const plan = await deps.workflow.step(`decide-scale-in-${round}`, async () => {
    const d = planScaleIn({ capacity: obs.capacity, bounds: ep.bounds, before: ep.before, alarm: obs.alarm, policy: deps.policy, now: obs.now });
    deps.recorder.record({ kind: 'decision', summary: d.why, verdict: d.kind === 'hold' || d.kind === 'wait' ? d.verdict : undefined });
    return d;
  });
  if (plan.kind === 'done') {
    await ep.page('page-resolved', (now) => scalingResolvePage(incidentKey, ref, now, 'P4', ep.done, obs.capacity));
    await deps.workflow.step('mark-resolved', async () => { deps.incident.set({ status: 'resolved', resolvedAt: deps.clock.now() }); return true; });
    return { outcome: ep.done.length > 0 && ep.scaledOut === 'executed' ? 'scaled-and-restored' : 'nothing-to-restore', finalDesired: obs.capacity.desired };
  }
  if (plan.kind === 'hold') return cooldown;
  if (plan.kind === 'wait') return { waitSeconds: Math.max(1, plan.seconds) };

  const r = await scaleIn(deps, ref, plan.change, plan.why, plan.verdicts, `scale-down-${round}`);
  await releaseServiceLock(deps, `release-service-lock-down-${round}`);
  if (r.status === 'refused' && r.refusal && (PACING_GUARDRAILS.has(r.refusal.guardrail) || isBusyArbiter(r.refusal))) {
    // Scaling in late is safe: wait for the cooldown / hourly budget / the other runbook's lock to free up and try again.
    await deps.workflow.step(`scale-down-deferred-${round}`, async () => {
      deps.recorder.record({ kind: 'decision', summary: `scale in ${plan.from} -> ${plan.to} deferred: ${r.refusal?.reason}` });
      return true;
    });
    return cooldown;
  }
  if (r.status === 'refused') return scaleDownRefused(ep, round, obs, plan, r);
  if (r.capacity) ep.current = r.capacity;
  ep.done.push(r.status === 'dry-run' ? `DRY-RUN: would have ${plan.why}` : plan.why);
  return cooldown;
}

async function scaleDownRefused(ep: ScaleEpisode, round: number, obs: Observation, plan: ScaleInPlan, r: ScaleStepResult): Promise<ScaleEcsResult> {
  const { deps, input: { incidentKey, ref }, bounds, before } = ep;
  const restoreMin = before.autoScalingMin;
  await ep.page(`page-scale-in-refused-${round}`, (now) =>
    scalingPage({
      incidentKey, ref, at: now, severity: 'P3',
      title: `Scale-in of ${ref.service} refused: ${r.refusal?.reason ?? 'guardrail'}; capacity left at ${obs.capacity.desired}`,
      seen: [`${obs.alarm.name} OK since ${new Date(obs.alarm.since).toISOString()}`], capacity: obs.capacity, done: ep.done,
      refused: r.refusal ? [{ action: `scale in ${plan.from} -> ${plan.to}`, verdict: r.refusal }] : [],
      nextStep:
        restoreMin !== undefined
          ? `Scale in by hand when safe: ${restoreAutoScalingMinCommand(ref, restoreMin)} && ${setDesiredCountCommand(ref, Math.max(bounds.min, before.desired))}`
          : `Scale in by hand when safe (runbook 3 "Scale Down"): ${setDesiredCountCommand(ref, Math.max(bounds.min, before.desired))}`,
    }),
  );
  await markEscalated(deps);
  return { outcome: 'scale-in-refused', finalDesired: obs.capacity.desired };
}

/** Out of monitoring rounds with capacity still raised: scale-in goes to a human. */
async function giveUp(ep: ScaleEpisode, rounds: number): Promise<ScaleEcsResult> {
  const { deps, input: { incidentKey, ref }, bounds, before, current } = ep;
  await ep.page('page-gave-up', (now) =>
    scalingPage({
      incidentKey, ref, at: now, severity: 'P3',
      title: `${ref.service} still at ${current.desired} tasks after ${rounds} monitoring rounds; scale-in handed to a human`,
      seen: ep.seen, capacity: current, done: ep.done,
      nextStep: before.autoScalingMin !== undefined
        ? `When the load has passed: ${restoreAutoScalingMinCommand(ref, before.autoScalingMin)} && ${setDesiredCountCommand(ref, Math.max(bounds.min, before.desired))}`
        : `When the load has passed: ${setDesiredCountCommand(ref, Math.max(bounds.min, before.desired))}`,
    }),
  );
  await markEscalated(deps);
  return { outcome: 'gave-up', finalDesired: current.desired };
}

async function markEscalated(deps: ScaleEcsDeps): Promise<void> {
  await deps.workflow.step('mark-escalated', async () => { deps.incident.set({ status: 'escalated' }); return true; });
}
