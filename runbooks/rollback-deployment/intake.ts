/**
 * Runbook 2, "Rollback Deployment": the intake, run by the shared pipeline (pipeline/intake.ts).
 * Admit: is it a rollback trigger for our service (domain/rollback/intake), claimed per event id.
 * Handle: name the deployment (a hand-off names none: the PRIMARY one now) -> loop guard (a
 * deployment the autopilot started never starts a rollback) -> open the incident of this bad
 * deployment -> start its workflow, named after the incident so the ECS failure and the 5XX
 * hand-off for one deployment join one execution.
 */
import type { RollbackInput, RollbackTrigger } from '../../domain/rollback/decide';
import { rollbackIncidentKey, rollbackIntake } from '../../domain/rollback/intake';
import { runIntake, type IntakeResult, type RunbookIntake } from '../../pipeline/intake';
import type { Runtime } from '../../adapters/runtime/runtime-types';
import { operations, title } from './shared';

export { operations, title };

interface Admitted {
  trigger: RollbackTrigger;
  summary: string;
}

export const rollbackDeploymentIntakeDefinition: RunbookIntake<Admitted> = {
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
  async handle({ trigger: named, summary }, event, rt) {
    const trigger = await withDeployment(named, rt);
    // Loop guard: our own rollback deployment failing (or erroring) never starts another rollback.
    if (trigger.deploymentId && (await rt.store.isOwnChange(trigger.deploymentId))) {
      return { status: 'ignored', reason: `deployment ${trigger.deploymentId} was started by the autopilot itself (loop guard): no rollback of a rollback` };
    }
    const now = rt.clock.now();
    const key = rollbackIncidentKey(rt.config, trigger.deploymentId);
    const session = await rt.openSession({ key, runbook: 'rollback-deployment', title: title(rt), severity: 'P1', detectedAt: now });
    session.record({ kind: 'event', runbook: 'rollback-deployment', summary, detail: { eventId: event.id, trigger } });
    const input: RollbackInput = { incidentKey: key, eventId: event.id, detectedAt: now, trigger };
    const started = await rt.startWorkflow('rollback-deployment', key, input);
    session.record({
      kind: 'note',
      runbook: 'rollback-deployment',
      summary: started === 'started' ? `started rollback workflow ${key}` : `joined the rollback workflow ${key} already handling this deployment`,
    });
    await session.flush();
    return { status: started === 'started' ? 'started-workflow' : 'joined-workflow', incidentKey: key };
  },
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
