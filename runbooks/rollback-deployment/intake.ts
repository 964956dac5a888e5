/**
 * Runbook 2, "Rollback Deployment": the intake, run by the shared pipeline (pipeline/intake.ts).
 * Admit: is it a rollback trigger for our service (domain/rollback/intake), claimed per event id.
 * Facts: the deployment (a hand-off names none: the PRIMARY one now), whether the autopilot made
 * it, its incident record. Decide (domain/rollback/intake-plan, pure): loop guard, then start or
 * join the workflow of that bad deployment.
 */
import type { RollbackTrigger } from '../../domain/rollback/decide';
import { rollbackIncidentKey, rollbackIntake } from '../../domain/rollback/intake';
import { rollbackIntakePlan, type RollbackAdmitted, type RollbackIntakeFacts } from '../../domain/rollback/intake-plan';
import { runIntake, type IntakeResult, type RunbookIntake } from '../../pipeline/intake';
import type { Runtime } from '../../adapters/runtime/runtime-types';
import { operations, title } from './shared';

export { operations, title };

export const rollbackDeploymentIntakeDefinition: RunbookIntake<RollbackAdmitted, RollbackIntakeFacts> = {
  runbook: 'rollback-deployment',
  admit(event, rt) {
    const intake = rollbackIntake(event, rt.config);
    if (intake.kind === 'ignore') return { kind: 'ignore', result: { status: 'ignored', reason: intake.reason } };
    return {
      kind: 'admit',
      admitted: { trigger: intake.trigger, summary: intake.summary },
      claim: { key: `rollback-deployment#event#${event.id}`, duplicate: { status: 'ignored', reason: `duplicate delivery of event ${event.id}` } },
    };
  },
  async readFacts({ trigger: named }, _event, rt) {
    const trigger = await withDeployment(named, rt);
    const ownChange = trigger.deploymentId !== undefined && (await rt.store.isOwnChange(trigger.deploymentId));
    // Our own change is ignored: its record is not read.
    const loaded = ownChange ? undefined : await rt.store.loadIncident(rollbackIncidentKey(rt.config, trigger.deploymentId));
    return { trigger, ownChange, loaded };
  },
  decide: rollbackIntakePlan,
};

/** A hand-off or an operator names no deployment: the one to roll back is the PRIMARY one now. */
async function withDeployment(trigger: RollbackTrigger, rt: Runtime): Promise<RollbackTrigger> {
  if (trigger.kind !== 'rollback-requested' || trigger.deploymentId) return trigger;
  const service = await operations(rt).describeService();
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  return primary ? { ...trigger, deploymentId: primary.id } : trigger;
}

export function rollbackDeploymentIntake(event: unknown, rt: Runtime): Promise<IntakeResult> {
  return runIntake(rollbackDeploymentIntakeDefinition, event, rt);
}
