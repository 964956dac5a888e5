/**
 * Runbook 3, "Scale ECS Tasks": the intake, run by the shared pipeline (pipeline/intake.ts).
 * Admit: which trigger (domain/scaling/intake), claimed per ALARM period.
 * Handle: re-read the alarm -> open or join the service's scaling episode -> diagnose before
 * scaling -> start its workflow, named per episode so duplicates and a flapping alarm join it.
 */
import { openIncident } from '../../domain/incident';
import { coveredByLastEpisode, episodeExecutionName, episodeIsActive, scaleIntake, scalingIncidentKey, type ScaleIntake } from '../../domain/scaling/intake';
import { alarmRecovered } from '../../domain/scaling/decide';
import { checkCapacityCommand, scalingPage } from '../../domain/scaling/pages';
import type { ScaleEcsInput, ScaleTrigger } from '../../domain/scaling/workflow';
import { scalingDiagnosisVerdict } from '../../domain/scaling/diagnosis';
import type { ServiceRef } from '../../domain/scaling/pages';
import { signalSummary } from '../../domain/investigation/respond';
import { AwsInvestigationOperations } from '../../adapters/aws/investigation';
import type { AutopilotEvent } from '../../events/types';
import { AwsScalingOperations } from '../../adapters/aws/scaling';
import type { IncidentSession } from '../../adapters/runtime/incident-session';
import { runIntake, type IntakeResult, type RunbookIntake } from '../../pipeline/intake';
import type { Runtime } from '../../adapters/runtime/runtime-types';
import { MAX_MONITOR_ROUNDS } from './shared';

export { MAX_MONITOR_ROUNDS };

function maxEpisodeSeconds(rt: Runtime): number {
  const s = rt.config.guardrails.scaling;
  return MAX_MONITOR_ROUNDS * Math.max(s.cooldownSeconds, s.stabilisationSeconds) + 3600;
}

type Admitted = Extract<ScaleIntake, { kind: 'start' }> & { key: string };

export const scaleEcsIntakeDefinition: RunbookIntake<Admitted> = {
  runbook: 'scale-ecs',
  admit(event, rt) {
    const intake = scaleIntake(event, rt.config);
    if (intake.kind === 'ignore') return { kind: 'ignore', result: { status: 'ignored', reason: intake.reason } };
    const key = scalingIncidentKey(intake.ref);
    // One claim per ALARM period: a duplicate or a re-delivery of the same period does nothing.
    return {
      kind: 'admit',
      admitted: { ...intake, key },
      claim: { key: intake.dedupeKey, incidentKey: key, duplicate: { status: 'ignored', incidentKey: key, reason: `duplicate of an event already handled (${intake.dedupeKey})` } },
    };
  },
  handle: (admitted, event, rt) => startOrJoinEpisode(rt, event, admitted, admitted.key, rt.clock.now()),
};

export function scaleEcsIntake(event: unknown, rt: Runtime): Promise<IntakeResult> {
  return runIntake(scaleEcsIntakeDefinition, event, rt);
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
  const session = rt.sessionOf(joining && existing ? existing : openIncident(init));
  session.record({ kind: 'event', runbook: 'scale-ecs', summary: intake.summary, detail: { eventId: event.id, dedupeKey: intake.dedupeKey } });
  if (!joining && intake.trigger.kind === 'cpu-alarm') {
    const refused = await diagnoseBeforeScaling(rt, session, intake.trigger, intake.ref, key, now);
    if (refused) return refused;
  }
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

/**
 * Diagnosis before scaling (issue 13 item 4): the CPU path reads the same pool and dependency
 * signals as the 5XX investigation. Scaling into pool exhaustion or a down dependency makes it
 * worse: P2 with the evidence, no workflow. A 'Scale Requested' hand-off was diagnosed by the
 * investigation that sent it.
 */
async function diagnoseBeforeScaling(rt: Runtime, session: IncidentSession, trigger: Extract<ScaleTrigger, { kind: 'cpu-alarm' }>, ref: ServiceRef, key: string, now: number): Promise<IntakeResult | undefined> {
  const signals = await new AwsInvestigationOperations(rt.aws, rt.config).gatherSignals({ name: trigger.alarmName, stateChangedAt: trigger.stateChangedAt, reason: trigger.reason }, now);
  for (const line of signalSummary(signals)) session.record({ kind: 'signal', runbook: 'scale-ecs', summary: line });
  const verdict = scalingDiagnosisVerdict(signals);
  session.record({ kind: 'guardrail', runbook: 'scale-ecs', summary: `${verdict.guardrail}: ${verdict.pass ? 'pass' : 'REFUSE'} - ${verdict.reason}`, verdict });
  if (verdict.pass) return undefined;
  session.incident.refusals.push(verdict.reason);
  session.incident.status = 'escalated';
  session.incident.rootCauseGuess = verdict.reason;
  const page = scalingPage({
    incidentKey: key,
    ref,
    at: rt.clock.now(),
    severity: 'P2',
    title: `${ref.service} CPU alarm: not scaling, ${String(verdict.evidence?.cause ?? 'cause found')}`,
    seen: [`${trigger.alarmName} ALARM: ${trigger.reason}`, ...signalSummary(signals)],
    refused: [{ action: 'scale out', verdict }],
    nextStep: verdict.evidence?.cause === 'dependency-down' ? 'Runbook 4 "Dependency Failure": restore the dependency (runbook 1 for the database); scaling will not help.' : 'Runbook 4 "Database Connection Pool Exhausted": check pool_size / max_overflow and long-running queries; do not add tasks.',
  });
  await rt.pager.send(page);
  session.record({ kind: 'page', runbook: 'scale-ecs', severity: 'P2', summary: `P2 trigger: ${page.title}` });
  await session.flush();
  return { status: 'paged', incidentKey: key, reason: verdict.reason };
}
