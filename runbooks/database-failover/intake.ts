/**
 * Runbook 1, "Database Failover": the intake, run by the shared pipeline (pipeline/intake.ts).
 * Admit: is it a trigger (domain/failover/triggers: an RDS event ID meaning the primary is
 * failing, or a database-down alarm in ALARM), claimed per event id.
 * Handle: open or join the primary's episode (domain/failover/episodes) -> start the workflow
 * named after the episode, so duplicates and concurrent triggers join one execution.
 */
import { incidentKey, openIncident } from '../../domain/incident';
import { maxConfirmationChecks } from '../../domain/failover/gates';
import { failoverEpisode } from '../../domain/failover/episodes';
import { alarmEventTriggersFailover, rdsEventTriggersFailover } from '../../domain/failover/triggers';
import type { FailoverInput } from '../../domain/failover/workflow';
import type { AutopilotEvent } from '../../events';
import { runIntake, type IntakeResult, type RunbookIntake } from '../../pipeline/intake';
import type { Runtime } from '../../adapters/runtime/runtime-types';
import { failoverExecutionName, primaryTitle } from './shared';

export { failoverExecutionName, primaryTitle };

const RUNBOOK = 'database-failover' as const;

/** Longest an execution can run: an incident still 'open' after this is a dead episode, not one to join. */
export function maxEpisodeSeconds(rt: Runtime): number {
  const f = rt.config.guardrails.failover;
  const confirm = maxConfirmationChecks(f.confirmChecks) * f.confirmIntervalSeconds;
  const approval = f.requireApproval ? f.approvalTimeoutSeconds : 0;
  return confirm + approval + f.promotionTimeoutSeconds + f.serviceStableTimeoutSeconds + 3600;
}

function triggerOrWhyNot(event: AutopilotEvent, rt: Runtime): { trigger?: string; whyNot?: string } {
  if (event.kind === 'alarm') {
    const d = event.detail;
    const verdict = alarmEventTriggersFailover(rt.config, d, event.resources);
    return verdict.triggers ? { trigger: `alarm ${d.alarmName} ALARM: ${d.state.reason}` } : { whyNot: verdict.reason };
  }
  return { trigger: rdsTriggerOf(event, rt) };
}

function rdsTriggerOf(event: AutopilotEvent, rt: Runtime): string | undefined {
  if (event.kind === 'rds-instance') {
    const d = event.detail;
    return rdsEventTriggersFailover(rt.config, d.dbInstanceId, d.eventId) ? `${d.eventId} on ${d.dbInstanceId}: ${d.message}` : undefined;
  }
  return undefined;
}

interface Admitted {
  key: string;
  trigger: string;
}

export const databaseFailoverIntakeDefinition: RunbookIntake<Admitted> = {
  runbook: RUNBOOK,
  admit(event, rt) {
    const { trigger, whyNot } = triggerOrWhyNot(event, rt);
    if (!trigger) return { kind: 'ignore', result: { status: 'ignored', reason: whyNot ?? `${event.kind} event is not a failover trigger for ${rt.config.database.primaryInstanceId}` } };
    const key = incidentKey(RUNBOOK, rt.config.database.primaryInstanceId);
    // The alarm does not re-fire while in ALARM: a failed intake's retry must start the workflow, not be a duplicate.
    return { kind: 'admit', admitted: { key, trigger }, claim: { key: `event:${RUNBOOK}:${event.id}`, incidentKey: key, duplicate: { status: 'ignored', incidentKey: key, reason: `duplicate delivery of event ${event.id}` } } };
  },
  handle: ({ key, trigger }, event, rt) => startOrJoin(rt, key, trigger, event, rt.clock.now()),
};

export function databaseFailoverIntake(raw: unknown, rt: Runtime): Promise<IntakeResult> {
  return runIntake(databaseFailoverIntakeDefinition, raw, rt);
}

async function startOrJoin(rt: Runtime, key: string, trigger: string, event: AutopilotEvent, now: number): Promise<IntakeResult> {
  const init = { key, runbook: RUNBOOK, title: primaryTitle(rt), severity: 'P1' as const, detectedAt: now };
  let session = await rt.openSession(init);
  const previous = session.incident.timeline.length > 0 || session.incident.status !== 'open' ? session.incident : undefined;
  const episode = failoverEpisode({ previous, eventTime: event.time, now, maxEpisodeSeconds: maxEpisodeSeconds(rt), minSecondsBetweenFailovers: rt.config.guardrails.failover.minSecondsBetweenFailovers });
  // A finished episode's record is never rewritten by a late copy or a trigger after a failover.
  if (episode.kind === 'ignore') return { status: 'ignored', incidentKey: key, reason: episode.reason };
  let executionName = failoverExecutionName(key, session.incident.detectedAt);
  if (episode.kind === 'new' && previous) {
    // The last episode on this primary finished: a new one, under the same key (one PagerDuty alert).
    const lastName = executionName;
    session = rt.sessionOf(openIncident(init), session.mode);
    executionName = failoverExecutionName(key, now);
    // Reopened in the same bucket as the finished execution: a name of its own, or it would join that one.
    if (executionName === lastName) executionName = incidentKey(RUNBOOK, `${key.replace(/^database-failover-/, '')}-${Math.floor(now / 1000)}`);
    session.record({ kind: 'note', runbook: RUNBOOK, summary: episode.reason });
  }
  session.record({ kind: 'event', runbook: RUNBOOK, summary: `trigger: ${trigger}`, detail: { eventId: event.id, kind: event.kind } });

  const input: FailoverInput = { incidentKey: key, primaryInstanceId: rt.config.database.primaryInstanceId, detectedAt: session.incident.detectedAt, trigger, executionName };
  await session.flush();
  const started = await rt.startWorkflow(RUNBOOK, executionName, input);
  session.record({
    kind: 'note',
    runbook: RUNBOOK,
    summary: started === 'started' ? `started failover workflow ${executionName} (confirmation checks first)` : `joined the running failover workflow ${executionName}`,
  });
  await session.flush();
  return { status: started === 'started' ? 'started-workflow' : 'joined-workflow', incidentKey: key };
}
