/**
 * Runbook 3, "Scale ECS Tasks": the intake, run by the shared pipeline (pipeline/intake.ts).
 * Admit: which trigger (domain/scaling/intake), claimed per ALARM period.
 * Facts: the alarm as it reads now, the service's incident record, and for a CPU alarm that
 * opens a new episode the 5XX signals (diagnosis before scaling).
 * Decide (domain/scaling/intake-plan, pure): ignore, page instead of scaling, or start / join
 * the episode's workflow, named per episode so duplicates and a flapping alarm join it.
 */
import { scaleIntake, scalingIncidentKey } from '../../domain/scaling/intake';
import { diagnosisNeeded, scaleIntakePlan, type ScaleIntakeFacts, type ScaleStart } from '../../domain/scaling/intake-plan';
import { alarmRecovered } from '../../domain/scaling/decide';
import { AwsInvestigationOperations } from '../../adapters/aws/investigation';
import { AwsScalingOperations } from '../../adapters/aws/scaling';
import { runIntake, type IntakeResult, type RunbookIntake } from '../../pipeline/intake';
import type { Runtime } from '../../adapters/runtime/runtime-types';
import { MAX_MONITOR_ROUNDS } from './shared';

export { MAX_MONITOR_ROUNDS };

export const scaleEcsIntakeDefinition: RunbookIntake<ScaleStart, ScaleIntakeFacts> = {
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
  readFacts: readScaleFacts,
  decide: scaleIntakePlan,
};

export function scaleEcsIntake(event: unknown, rt: Runtime): Promise<IntakeResult> {
  return runIntake(scaleEcsIntakeDefinition, event, rt);
}

/** Reads in the decision's order, and stops where the decision will not look further. */
async function readScaleFacts(start: ScaleStart, _event: unknown, rt: Runtime): Promise<ScaleIntakeFacts> {
  const { trigger, ref, key } = start;
  const facts: ScaleIntakeFacts = {};
  if (trigger.kind === 'cpu-alarm') {
    facts.liveAlarm = await new AwsScalingOperations(rt.aws, ref).readAlarms([trigger.alarmName]);
    if (alarmRecovered(facts.liveAlarm, trigger)) return facts;
  }
  facts.loaded = await rt.store.loadIncident(key);
  const now = rt.clock.now();
  if (trigger.kind === 'cpu-alarm' && diagnosisNeeded(start, facts.loaded, now, rt.config)) {
    facts.signals = await new AwsInvestigationOperations(rt.aws, rt.config).gatherSignals({ name: trigger.alarmName, stateChangedAt: trigger.stateChangedAt, reason: trigger.reason }, now);
  }
  return facts;
}
