/**
 * Runbook 1, "Database Failover": the intake, run by the shared pipeline (pipeline/intake.ts).
 * Admit: is it a trigger (domain/failover/intake-plan failoverTriggerOf: an RDS event ID meaning
 * the primary is failing, or a database-down alarm in ALARM), claimed per event id.
 * Facts: the primary's incident record. Decide (domain/failover/intake-plan, pure): ignore, join
 * the running episode or start a new one (domain/failover/episodes).
 */
import { incidentKey } from '../../domain/incident';
import { failoverIntakePlan, failoverTriggerOf, type FailoverAdmitted, type FailoverIntakeFacts } from '../../domain/failover/intake-plan';
import { runIntake, type IntakeResult, type RunbookIntake } from '../../pipeline/intake';
import type { Runtime } from '../../adapters/runtime/runtime-types';
import { failoverExecutionName, primaryTitle } from './shared';

export { failoverExecutionName, primaryTitle };

const RUNBOOK = 'database-failover' as const;

export const databaseFailoverIntakeDefinition: RunbookIntake<FailoverAdmitted, FailoverIntakeFacts> = {
  runbook: RUNBOOK,
  admit(event, rt) {
    const { trigger, whyNot } = failoverTriggerOf(event, rt.config);
    if (!trigger) return { kind: 'ignore', result: { status: 'ignored', reason: whyNot ?? `${event.kind} event is not a failover trigger` } };
    const key = incidentKey(RUNBOOK, rt.config.database.primaryInstanceId);
    // The alarm does not re-fire while in ALARM: a failed intake's retry must start the workflow, not be a duplicate.
    return { kind: 'admit', admitted: { key, trigger }, claim: { key: `event:${RUNBOOK}:${event.id}`, incidentKey: key, duplicate: { status: 'ignored', incidentKey: key, reason: `duplicate delivery of event ${event.id}` } } };
  },
  readFacts: async ({ key }, _event, rt) => ({ loaded: await rt.store.loadIncident(key) }),
  decide: failoverIntakePlan,
};

export function databaseFailoverIntake(raw: unknown, rt: Runtime): Promise<IntakeResult> {
  return runIntake(databaseFailoverIntakeDefinition, raw, rt);
}
