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
import { alarmTriggersFailover, rdsEventTriggersFailover } from '../domain/failover/triggers';
import type { FailoverInput } from '../domain/failover/workflow';
import { parseEvent, type AutopilotEvent } from '../events';
import { IncidentSession } from '../adapters/runtime/incident-session';
import { withEventClaim } from '../adapters/runtime/wiring';
import { intakeHandler, logEntrySink, productionRuntime, rejectedBy, type IntakeResult } from './shared/runtime';
import type { Runtime } from './shared/runtime-types';
import { failoverExecutionName, primaryTitle } from './database-failover-shared';

export { failoverExecutionName, primaryTitle };

const RUNBOOK = 'database-failover' as const;
/** Event ids are remembered this long (EventBridge retries for up to 24 h). */
const DEDUPE_TTL_SECONDS = 24 * 3600;

/** Longest an execution can run: an incident still 'open' after this is a dead episode, not one to join. */
export function maxEpisodeSeconds(rt: Runtime): number {
  const f = rt.config.guardrails.failover;
  const confirm = f.confirmChecks * f.confirmIntervalSeconds;
  const approval = f.requireApproval ? f.approvalTimeoutSeconds : 0;
  return confirm + approval + f.promotionTimeoutSeconds + f.serviceStableTimeoutSeconds + 3600;
}

/** One line naming the trigger, or undefined when the event is not one. */
function triggerOf(event: AutopilotEvent, rt: Runtime): string | undefined {
  if (event.kind === 'rds-instance') {
    const d = event.detail;
    return rdsEventTriggersFailover(rt.config, d.dbInstanceId, d.eventId) ? `${d.eventId} on ${d.dbInstanceId}: ${d.message}` : undefined;
  }
  if (event.kind === 'alarm') {
    const d = event.detail;
    return alarmTriggersFailover(rt.config, d.alarmName, d.state.value) ? `alarm ${d.alarmName} ALARM: ${d.state.reason}` : undefined;
  }
  return undefined;
}

export async function databaseFailoverIntake(raw: unknown, rt: Runtime): Promise<IntakeResult> {
  const now = rt.clock.now();
  const parsed = parseEvent(raw, { config: rt.config, now });
  if (!parsed.ok) return rejectedBy(parsed.rejection);
  const event = parsed.event;
  const trigger = triggerOf(event, rt);
  if (!trigger) return { status: 'ignored', reason: `${event.kind} event is not a failover trigger for ${rt.config.database.primaryInstanceId}` };

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
  const stale = now - session.incident.detectedAt > maxEpisodeSeconds(rt) * 1000;
  if (session.incident.status !== 'open' || stale) {
    // The last episode on this primary finished: a new one, under the same key (one PagerDuty alert).
    session = new IncidentSession(openIncident(init), rt.clock, rt.store, [logEntrySink(rt.logger), ...rt.sinks]);
  }
  session.record({ kind: 'event', runbook: RUNBOOK, summary: `trigger: ${trigger}`, detail: { eventId: event.id, kind: event.kind } });

  const executionName = failoverExecutionName(key, session.incident.detectedAt);
  const input: FailoverInput = { incidentKey: key, primaryInstanceId: rt.config.database.primaryInstanceId, detectedAt: session.incident.detectedAt, trigger };
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
