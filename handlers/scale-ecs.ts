/**
 * Runbook 3, "Scale ECS Tasks": intake (EventBridge target) + durable workflow.
 *
 * Intake: parse -> which trigger (domain/scaling/intake) -> dedupe the ALARM period
 * (claimOnce) -> open or join the service's scaling episode -> start its workflow, named
 * per episode so duplicates and a flapping alarm join the running one.
 * Workflow: domain/scaling/workflow (scale out now, back in after stabilisation).
 */
import { StepError, withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';
import { openIncident } from '../domain/incident';
import { coveredByLastEpisode, episodeExecutionName, episodeIsActive, scaleIntake, scalingIncidentKey, type ScaleIntake } from '../domain/scaling/intake';
import { alarmRecovered } from '../domain/scaling/decide';
import { checkCapacityCommand, scalingPage } from '../domain/scaling/pages';
import { runScaleEcs, type ScaleEcsDeps, type ScaleEcsInput, type ScaleEcsResult, type ScalingIncident } from '../domain/scaling/workflow';
import { parseEvent } from '../events';
import type { AutopilotEvent } from '../events/types';
import { AwsScalingOperations } from '../adapters/aws/scaling';
import { durableWorkflow } from '../adapters/durable';
import { IncidentSession } from '../adapters/runtime/incident-session';
import { flushingWorkflow, makeAct, releaseHeldLocks, withEventClaim } from '../adapters/runtime/wiring';
import { intakeHandler, logEntrySink, productionRuntime, rejectedBy, type IntakeResult } from './shared/runtime';
import type { Runtime } from './shared/runtime-types';

/** Monitoring rounds of one episode (each a cooldown or the rest of the stabilisation apart). */
export const MAX_MONITOR_ROUNDS = 48;
/** Claims of an ALARM period are remembered this long (EventBridge retries for up to 24 h). */
const DEDUPE_TTL_SECONDS = 24 * 3600;

function maxEpisodeSeconds(rt: Runtime): number {
  const s = rt.config.guardrails.scaling;
  return MAX_MONITOR_ROUNDS * Math.max(s.cooldownSeconds, s.stabilisationSeconds) + 3600;
}

export async function scaleEcsIntake(event: unknown, rt: Runtime): Promise<IntakeResult> {
  const now = rt.clock.now();
  const parsed = parseEvent(event, { config: rt.config, now });
  if (!parsed.ok) return rejectedBy(parsed.rejection);
  const intake = scaleIntake(parsed.event, rt.config);
  if (intake.kind === 'ignore') return { status: 'ignored', reason: intake.reason };

  const key = scalingIncidentKey(intake.ref);
  // The claim is given back when anything below throws: Lambda's retry of this event must
  // start the episode, not be dropped as a duplicate of an intake that never finished.
  const claimed = await withEventClaim(rt.store, intake.dedupeKey, now, DEDUPE_TTL_SECONDS, () => startOrJoinEpisode(rt, parsed.event, intake, key, now));
  if (claimed.duplicate) return { status: 'ignored', incidentKey: key, reason: `duplicate of an event already handled (${intake.dedupeKey})` };
  return claimed.result;
}

async function startOrJoinEpisode(rt: Runtime, event: AutopilotEvent, intake: Extract<ScaleIntake, { kind: 'start' }>, key: string, now: number): Promise<IntakeResult> {
  if (intake.trigger.kind === 'cpu-alarm') {
    // Re-read the alarm: a delivery that arrives after the alarm recovered (retries, a backlog) starts nothing.
    const live = await new AwsScalingOperations(rt.aws, intake.ref).readAlarms([intake.trigger.alarmName]);
    if (alarmRecovered(live, intake.trigger)) {
      return { status: 'ignored', incidentKey: key, reason: `${live.name} is already OK again since ${new Date(live.since).toISOString()}: the ALARM has passed` };
    }
  }
  const init = { key, runbook: 'scale-ecs' as const, title: `High load on ${intake.ref.cluster}/${intake.ref.service}`, severity: 'P3' as const, detectedAt: now };
  const existing = await rt.store.loadIncident(key);
  const joining = existing !== undefined && episodeIsActive(existing, now, maxEpisodeSeconds(rt));
  if (intake.trigger.kind === 'cpu-alarm' && existing && !joining && coveredByLastEpisode(existing, intake.trigger.stateChangedAt)) {
    return { status: 'ignored', incidentKey: key, reason: `${intake.trigger.alarmName} ALARM of ${new Date(intake.trigger.stateChangedAt).toISOString()} was handled by the episode that ended ${new Date(existing.resolvedAt ?? 0).toISOString()}` };
  }
  rt.logger.appendKeys({ correlation_id: key });
  // A new episode gets a new record on the same incident key (one PagerDuty alert per service).
  const session = new IncidentSession(joining && existing ? existing : openIncident(init), rt.clock, rt.store, [logEntrySink(rt.logger), ...rt.sinks]);
  session.record({ kind: 'event', runbook: 'scale-ecs', summary: intake.summary, detail: { eventId: event.id, dedupeKey: intake.dedupeKey } });
  const executionName = episodeExecutionName(intake.ref, session.incident.detectedAt);
  session.record({
    kind: 'note',
    runbook: 'scale-ecs',
    summary: joining ? `joining the running scaling workflow ${executionName}: it re-reads the alarm before any further change` : `starting scaling workflow ${executionName}`,
  });
  // Only a new episode's record is written here, before its workflow starts; a running workflow owns
  // its record, so a joining event is logged, not saved.
  if (!joining) await session.flush();
  const input: ScaleEcsInput = { incidentKey: key, ref: intake.ref, trigger: intake.trigger, gateAlarms: intake.gateAlarms };
  let started: 'started' | 'joined';
  try {
    started = await rt.startWorkflow('scale-ecs', executionName, input);
  } catch (err) {
    // Said now: Lambda retries the event (its claim is given back), but the retry may fail the same way.
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    await rt.pager.send(
      scalingPage({
        incidentKey: key,
        ref: intake.ref,
        at: rt.clock.now(),
        severity: 'P2',
        title: `Could not start the scaling workflow for ${intake.ref.service}`,
        seen: [intake.summary, `start failed: ${why}`],
        nextStep: `Scale by hand if the load is real (runbook 3): ${checkCapacityCommand(intake.ref)}`,
      }),
    );
    throw err;
  }
  return { status: started === 'started' ? 'started-workflow' : 'joined-workflow', incidentKey: key };
}

/** The configured service's target group, when the workflow scales that service. */
function targetGroupOf(rt: Runtime, input: ScaleEcsInput): string | undefined {
  const svc = rt.config.service;
  return input.ref.cluster === svc.clusterName && input.ref.service === svc.serviceName ? svc.targetGroupArn : undefined;
}

export async function scaleEcsWorkflow(input: ScaleEcsInput, ctx: DurableContext, rt: Runtime): Promise<ScaleEcsResult> {
  const session = await rt.openSession({
    key: input.incidentKey,
    runbook: 'scale-ecs',
    title: `High load on ${input.ref.cluster}/${input.ref.service}`,
    severity: 'P3',
    detectedAt: rt.clock.now(),
  });
  const incident: ScalingIncident = {
    record: (entry) => session.record({ runbook: 'scale-ecs', ...entry }),
    refused: (summary) => {
      session.incident.refusals.push(summary);
    },
    started: (at, rootCause) => {
      session.incident.startedAt ??= at;
      session.incident.rootCauseGuess ??= rootCause;
    },
    setStatus: (status, at) => {
      session.incident.status = status;
      if (status === 'mitigated') session.incident.mitigatedAt ??= at;
      if (status === 'resolved') session.incident.resolvedAt = at;
    },
  };
  const workflow = flushingWorkflow(durableWorkflow(ctx, rt.clock), session);
  // Lock owner: this episode's execution (the intake names it from the record's detectedAt), so
  // another execution on the same incident key does not re-enter the lock.
  const owner = episodeExecutionName(input.ref, session.incident.detectedAt);
  const deps: ScaleEcsDeps = {
    workflow,
    incident,
    ops: new AwsScalingOperations(rt.aws, input.ref, targetGroupOf(rt, input)),
    // The service lock is held from a change until the workflow has verified it (releaseLocks).
    act: makeAct(rt.actuator, session, { owner, holdLocks: true }),
    releaseLocks: () => releaseHeldLocks(rt.store, session, owner),
    pager: rt.pager,
    clock: rt.clock,
    policy: rt.config.guardrails.scaling,
    maxMonitorRounds: MAX_MONITOR_ROUNDS,
  };
  try {
    const result = await runScaleEcs(deps, input);
    await session.flush();
    return result;
  } catch (err) {
    // Only a step that failed after its retries (an AWS error) is paged here; the SDK's own
    // unrecoverable errors propagate untouched.
    if (!(err instanceof StepError)) throw err;
    const message = err.message;
    await workflow.step('page-workflow-failed', async () => {
      await rt.pager.send(
        scalingPage({
          incidentKey: input.incidentKey,
          ref: input.ref,
          at: rt.clock.now(),
          severity: 'P2',
          title: `Scaling ${input.ref.service} failed: ${message.slice(0, 120)}`,
          seen: [`trigger: ${input.trigger.reason}`],
          done: session.incident.actionsTaken,
          nextStep: `Check capacity and finish by hand (runbook 3): ${checkCapacityCommand(input.ref)}`,
        }),
      );
      session.record({ kind: 'error', runbook: 'scale-ecs', summary: `scaling workflow failed: ${message}` });
      session.incident.status = 'escalated';
      // Stopped mid-change: the service is handed to a human, so it must not stay locked until the lease expires.
      await releaseHeldLocks(rt.store, session, owner).catch((e: unknown) =>
        session.record({ kind: 'error', runbook: 'scale-ecs', summary: `could not give back the service lock (${e instanceof Error ? e.message : String(e)}); it expires after lockTtlSeconds` }),
      );
      return true;
    });
    await session.flush();
    return { outcome: 'failed', finalDesired: -1 };
  }
}

export function buildHandler(getRuntime: () => Runtime) {
  return intakeHandler('scale-ecs', getRuntime, scaleEcsIntake);
}

export function buildWorkflow(getRuntime: () => Runtime) {
  return withDurableExecution(async (input: ScaleEcsInput, ctx: DurableContext) => scaleEcsWorkflow(input, ctx, getRuntime()));
}

export const handler = buildHandler(productionRuntime);
export const workflow = buildWorkflow(productionRuntime);
