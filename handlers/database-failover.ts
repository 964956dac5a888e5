/**
 * Runbook 1, "Database Failover": the intake (EventBridge target). The durable workflow is its
 * own entry module, handlers/database-failover-workflow.ts: this bundle never loads the durable SDK.
 *
 * Intake: parse -> is it a trigger (domain/failover/triggers: an RDS event ID meaning the
 * primary is failing, or a database-down alarm in ALARM) -> dedupe the event id (the claim
 * is given back when the intake fails, so Lambda's retry runs) ->
 * open or join the primary's incident -> start the workflow named after the incident, so
 * duplicates and concurrent triggers join one execution.
 */
import { incidentKey, openIncident } from '../domain/incident';
import { maxConfirmationChecks } from '../domain/failover/gates';
import { failoverEpisode } from '../domain/failover/episodes';
import { alarmEventTriggersFailover, rdsEventTriggersFailover } from '../domain/failover/triggers';
import type { FailoverInput } from '../domain/failover/workflow';
import { parseEvent, type AutopilotEvent } from '../events';
import { IncidentSession } from '../adapters/runtime/incident-session';
import { withEventClaim } from '../adapters/runtime/wiring';
import { rejectedBy, type IntakeResult } from '../pipeline/intake';
import { intakeHandler } from '../pipeline/intake-handler';
import { productionRuntime } from '../adapters/runtime/environment';
import { logEntrySink } from '../adapters/runtime/logging';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { failoverExecutionName, primaryTitle } from './database-failover-shared';

export { failoverExecutionName, primaryTitle };

const RUNBOOK = 'database-failover' as const;
/** Event ids are remembered this long (EventBridge retries for up to 24 h). */
const DEDUPE_TTL_SECONDS = 24 * 3600;

/** Longest an execution can run: an incident still 'open' after this is a dead episode, not one to join. */
export function maxEpisodeSeconds(rt: Runtime): number {
  const f = rt.config.guardrails.failover;
  const confirm = maxConfirmationChecks(f.confirmChecks) * f.confirmIntervalSeconds;
  const approval = f.requireApproval ? f.approvalTimeoutSeconds : 0;
  return confirm + approval + f.promotionTimeoutSeconds + f.serviceStableTimeoutSeconds + 3600;
}

/** One line naming the trigger, or undefined when the event is not one. */
function triggerOf(event: AutopilotEvent, rt: Runtime): string | undefined {
  return triggerOrWhyNot(event, rt).trigger;
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

export async function databaseFailoverIntake(raw: unknown, rt: Runtime): Promise<IntakeResult> {
  const now = rt.clock.now();
  const parsed = parseEvent(raw, { config: rt.config, now });
  if (!parsed.ok) return rejectedBy(parsed.rejection);
  const event = parsed.event;
  const { trigger, whyNot } = triggerOrWhyNot(event, rt);
  if (!trigger) return { status: 'ignored', reason: whyNot ?? `${event.kind} event is not a failover trigger for ${rt.config.database.primaryInstanceId}` };

  const key = incidentKey(RUNBOOK, rt.config.database.primaryInstanceId);
  // The claim is given back if anything below throws: Lambda's retry of this event must start
  // the workflow, not be dropped as a duplicate (the alarm does not re-fire while in ALARM).
  const claimed = await withEventClaim(rt.store, `event:${RUNBOOK}:${event.id}`, now, DEDUPE_TTL_SECONDS, () => startOrJoin(rt, key, trigger, event, now), key);
  if (claimed.duplicate) return { status: 'ignored', incidentKey: key, reason: `duplicate delivery of event ${event.id}` };
  return claimed.result;
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
    session = new IncidentSession(openIncident(init), rt.clock, rt.store, [logEntrySink(rt.logger), ...rt.sinks]);
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

export function buildHandler(getRuntime: () => Runtime) {
  return intakeHandler(RUNBOOK, getRuntime, databaseFailoverIntake);
}

export const handler = buildHandler(productionRuntime);
