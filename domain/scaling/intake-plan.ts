/**
 * Runbook 3, "Scale ECS Tasks": the intake's decision, pure. Event + the alarm as it reads now
 * + the service's incident record + (for a new CPU episode) the 5XX signals -> one plan:
 * ignore a recovered or already-handled ALARM, page instead of scaling into a pool exhaustion
 * or a down dependency, or start / join the service's scaling episode.
 */
import { TUNABLES, type AutopilotConfig } from '../config';
import type { IncidentRecord } from '../incident';
import type { DecisionContext, IntakePlan, PlannedEntry } from '../intake-plan';
import type { FiveXxSignals } from '../investigation/signals';
import { signalSummary } from '../investigation/respond';
import { alarmRecovered, type AlarmReading } from './decide';
import { scalingDiagnosisVerdict } from './diagnosis';
import { coveredByLastEpisode, episodeExecutionName, episodeIsActive, type ScaleIntake } from './intake';
import { checkCapacityCommand, scalingPage } from './pages';
import type { ScaleEcsInput } from './workflow';

/** What a human does next when scaling would not help, by the cause the diagnosis found. */
const NEXT_STEP_BY_CAUSE: Record<string, string> = {
  'dependency-down': 'Runbook 4 "Dependency Failure": restore the dependency (runbook 1 for the database); scaling will not help.',
  'bad-deployment':
    'Runbook 2 "Rollback Deployment": roll the service back to its previous task definition (`aws ecs update-service --task-definition <previous> --force-new-deployment`); scale only if the load stays high on the old revision.',
  'connection-pool-exhausted': 'Runbook 4 "Database Connection Pool Exhausted": check pool_size / max_overflow and long-running queries; do not add tasks.',
};

export type ScaleStart = Extract<ScaleIntake, { kind: 'start' }> & { key: string };

export interface ScaleIntakeFacts {
  /** The CPU alarm as it reads now (a CPU alarm trigger only). */
  liveAlarm?: AlarmReading;
  /** The service's incident record as stored (one key per service). */
  loaded?: IncidentRecord;
  /** The 5XX investigation's signals: read only when diagnosisNeeded says the decision uses them. */
  signals?: FiveXxSignals;
}

/** Longest a scaling episode can run: an incident still open after this is a dead episode, not one to join. */
export function maxScalingEpisodeSeconds(config: AutopilotConfig): number {
  const s = config.guardrails.scaling;
  return TUNABLES.scaling.maxMonitorRounds * Math.max(s.cooldownSeconds, s.stabilisationSeconds) + 3600;
}

function joinsRunningEpisode(loaded: IncidentRecord | undefined, now: number, config: AutopilotConfig): boolean {
  return loaded !== undefined && episodeIsActive(loaded, now, maxScalingEpisodeSeconds(config));
}

/**
 * Diagnosis before scaling (issue 13 item 4): a CPU alarm that opens a new episode reads the same
 * pool and dependency signals as the 5XX investigation. A 'Scale Requested' hand-off was
 * diagnosed by the investigation that sent it; a joining event was diagnosed by its episode.
 */
export function diagnosisNeeded(start: ScaleStart, loaded: IncidentRecord | undefined, now: number, config: AutopilotConfig): boolean {
  return start.trigger.kind === 'cpu-alarm' && !joinsRunningEpisode(loaded, now, config) && !(loaded && coveredByLastEpisode(loaded, start.trigger.stateChangedAt));
}

export function scaleIntakePlan(start: ScaleStart, facts: ScaleIntakeFacts, { config, now, event }: DecisionContext): IntakePlan {
  const { trigger, ref, key } = start;
  // A delivery that arrives after the alarm recovered (retries, a backlog) starts nothing.
  if (trigger.kind === 'cpu-alarm' && facts.liveAlarm && alarmRecovered(facts.liveAlarm, trigger)) {
    return { kind: 'ignore', incidentKey: key, reason: `${facts.liveAlarm.name} is already OK again since ${new Date(facts.liveAlarm.since).toISOString()}: the ALARM has passed` };
  }
  const { loaded } = facts;
  const joining = joinsRunningEpisode(loaded, now, config);
  if (trigger.kind === 'cpu-alarm' && loaded && !joining && coveredByLastEpisode(loaded, trigger.stateChangedAt)) {
    return { kind: 'ignore', incidentKey: key, reason: `${trigger.alarmName} ALARM of ${new Date(trigger.stateChangedAt).toISOString()} was handled by the episode that ended ${new Date(loaded.resolvedAt ?? 0).toISOString()}` };
  }
  const init = { key, runbook: 'scale-ecs' as const, title: `High load on ${ref.cluster}/${ref.service}`, severity: 'P3' as const, detectedAt: now };
  // A new episode gets a new record on the same incident key (one PagerDuty alert per service).
  const record = joining && loaded ? { kind: 'continue' as const, init, loaded } : { kind: 'new-episode' as const, init };
  const entries: PlannedEntry[] = [{ kind: 'event', runbook: 'scale-ecs', summary: start.summary, detail: { eventId: event.id, dedupeKey: start.dedupeKey } }];

  if (diagnosisNeeded(start, loaded, now, config) && trigger.kind === 'cpu-alarm') {
    // The facts were read for this decision: none means a reader skipped what the decision needs.
    if (!facts.signals) throw new Error('scale-ecs intake: a new CPU episode is decided only with the diagnosis signals read');
    const signals = facts.signals;
    const verdict = scalingDiagnosisVerdict(signals);
    for (const line of signalSummary(signals)) entries.push({ kind: 'signal', runbook: 'scale-ecs', summary: line });
    entries.push({ kind: 'guardrail', runbook: 'scale-ecs', summary: `${verdict.guardrail}: ${verdict.pass ? 'pass' : 'REFUSE'} - ${verdict.reason}`, verdict });
    if (!verdict.pass) {
      // Scaling into pool exhaustion or a down dependency makes it worse: P2 with the evidence, no workflow.
      const page = scalingPage({
        incidentKey: key,
        ref,
        at: now,
        severity: 'P2',
        title: `${ref.service} CPU alarm: not scaling, ${String(verdict.evidence?.cause ?? 'cause found')}`,
        seen: [`${trigger.alarmName} ALARM: ${trigger.reason}`, ...signalSummary(signals)],
        refused: [{ action: 'scale out', verdict }],
        nextStep: NEXT_STEP_BY_CAUSE[String(verdict.evidence?.cause)] ?? NEXT_STEP_BY_CAUSE['connection-pool-exhausted']!,
      });
      return { kind: 'page', record, entries, refusals: [verdict.reason], patch: { status: 'escalated', rootCauseGuess: verdict.reason }, page, reason: verdict.reason };
    }
  }

  const episodeDetectedAt = record.kind === 'continue' ? record.loaded.detectedAt : now;
  const executionName = episodeExecutionName(ref, episodeDetectedAt);
  entries.push({
    kind: 'note',
    runbook: 'scale-ecs',
    summary: joining ? `joining the running scaling workflow ${executionName}: it re-reads the alarm before any further change` : `starting scaling workflow ${executionName}`,
  });
  const input: ScaleEcsInput = { incidentKey: key, ref, trigger, gateAlarms: start.gateAlarms, detectedAt: episodeDetectedAt };
  return {
    kind: 'start',
    record,
    entries,
    joining,
    workflow: { executionName, input },
    startFailurePage: scalingPage({
      incidentKey: key,
      ref,
      at: now,
      severity: 'P2',
      title: `Could not start the scaling workflow for ${ref.service}`,
      seen: [start.summary],
      nextStep: `Scale by hand if the load is real (runbook 3): ${checkCapacityCommand(ref)}`,
    }),
  };
}
