/**
 * Runbook 1, "Database Failover": the intake's decision, pure. The trigger + the primary's
 * incident record -> one plan: ignore a trigger the last episode already judged (or one that
 * arrives while the old primary is out of service on purpose), join the running episode, or
 * start a new one, named after the episode so duplicates and concurrent triggers join one
 * execution (domain/failover/episodes).
 */
import type { AutopilotConfig } from '../config';
import { incidentKey, type IncidentRecord } from '../incident';
import type { DecisionContext, IntakePlan, PlannedEntry, PlannedRecord } from '../intake-plan';
import type { AutopilotEvent } from '../../events/types';
import { failoverEpisode, failoverExecutionName, failoverIncidentTitle } from './episodes';
import { maxConfirmationChecks } from './gates';
import { alarmEventTriggersFailover, rdsEventTriggersFailover } from './triggers';
import type { FailoverInput } from './workflow';

const RUNBOOK = 'database-failover' as const;

export interface FailoverAdmitted {
  key: string;
  /** What triggered it, as the timeline says it. */
  trigger: string;
}

export interface FailoverIntakeFacts {
  /** The primary's incident record, as stored. */
  loaded: IncidentRecord | undefined;
}

/** The trigger an event is, or why it is none (an RDS event ID meaning the primary is failing, a database-down alarm in ALARM). */
export function failoverTriggerOf(event: AutopilotEvent, config: AutopilotConfig): { trigger?: string; whyNot?: string } {
  if (event.kind === 'alarm') {
    const d = event.detail;
    const verdict = alarmEventTriggersFailover(config, d, event.resources);
    return verdict.triggers ? { trigger: `alarm ${d.alarmName} ALARM: ${d.state.reason}` } : { whyNot: verdict.reason };
  }
  if (event.kind === 'rds-instance') {
    const d = event.detail;
    if (rdsEventTriggersFailover(config, d.dbInstanceId, d.eventId)) return { trigger: `${d.eventId} on ${d.dbInstanceId}: ${d.message}` };
  }
  return { whyNot: `${event.kind} event is not a failover trigger for ${config.database.primaryInstanceId}` };
}

/** Longest an execution can run: an incident still 'open' after this is a dead episode, not one to join. */
export function maxFailoverEpisodeSeconds(config: AutopilotConfig): number {
  const f = config.guardrails.failover;
  const confirm = maxConfirmationChecks(f.confirmChecks) * f.confirmIntervalSeconds;
  const approval = f.requireApproval ? f.approvalTimeoutSeconds : 0;
  return confirm + approval + f.promotionTimeoutSeconds + f.serviceStableTimeoutSeconds + 3600;
}

export function failoverIntakePlan({ key, trigger }: FailoverAdmitted, { loaded }: FailoverIntakeFacts, { config, now, event }: DecisionContext): IntakePlan {
  const init = { key, runbook: RUNBOOK, title: failoverIncidentTitle(config), severity: 'P1' as const, detectedAt: now };
  // A record that was opened and never written to is no earlier episode.
  const previous = loaded && (loaded.timeline.length > 0 || loaded.status !== 'open') ? loaded : undefined;
  const episode = failoverEpisode({ previous, eventTime: event.time, now, maxEpisodeSeconds: maxFailoverEpisodeSeconds(config), minSecondsBetweenFailovers: config.guardrails.failover.minSecondsBetweenFailovers });
  // A finished episode's record is never rewritten by a late copy or a trigger after a failover.
  if (episode.kind === 'ignore') return { kind: 'ignore', incidentKey: key, reason: episode.reason };

  const entries: PlannedEntry[] = [];
  let record: PlannedRecord = { kind: 'continue', init, loaded };
  let executionName = loaded?.executionName ?? failoverExecutionName(key, loaded?.detectedAt ?? now);
  if (episode.kind === 'new' && previous) {
    // The last episode on this primary finished: a new one, under the same key (one PagerDuty alert).
    const lastName = executionName;
    executionName = failoverExecutionName(key, now);
    // Reopened in the same bucket as the finished execution: a name of its own, or it would join that one.
    // Stored on the record: a later trigger of this episode cannot derive it from the bucket again.
    if (executionName === lastName) executionName = incidentKey(RUNBOOK, `${key.replace(/^database-failover-/, '')}-${Math.floor(now / 1000)}`);
    record = { kind: 'new-episode', init: { ...init, executionName } };
    entries.push({ kind: 'note', runbook: RUNBOOK, summary: episode.reason });
  }
  const joining = episode.kind === 'join';
  entries.push(
    { kind: 'event', runbook: RUNBOOK, summary: `trigger: ${trigger}`, detail: { eventId: event.id, kind: event.kind } },
    { kind: 'note', runbook: RUNBOOK, summary: joining ? `joining the running failover workflow ${executionName}` : `starting failover workflow ${executionName} (confirmation checks first)` },
  );
  const detectedAt = record.kind === 'continue' && record.loaded ? record.loaded.detectedAt : now;
  const input: FailoverInput = { incidentKey: key, primaryInstanceId: config.database.primaryInstanceId, detectedAt, trigger, executionName };
  return { kind: 'start', record, entries, joining, workflow: { executionName, input } };
}
