/**
 * Runbook 2, "Rollback Deployment": the intake's decision, pure. The trigger (its deployment
 * named: a hand-off names none, the facts name the PRIMARY one) + whether the autopilot made
 * that deployment itself + the deployment's incident record -> one plan: ignore our own change
 * (loop guard: no rollback of a rollback), or start / join the workflow of that bad deployment,
 * named after its incident so the ECS failure and the 5XX hand-off for one deployment join one
 * execution.
 */
import type { IncidentRecord } from '../incident';
import type { DecisionContext, IntakePlan } from '../intake-plan';
import type { RollbackInput, RollbackTrigger } from './decide';
import { rollbackIncidentKey } from './intake';
import { rollbackIncidentTitle } from './pages';

export interface RollbackAdmitted {
  trigger: RollbackTrigger;
  summary: string;
}

export interface RollbackIntakeFacts {
  /** The trigger with its deployment: the event's, or for a hand-off or an operator the PRIMARY one now. */
  trigger: RollbackTrigger;
  /** The autopilot started that deployment itself (a rollback, a restart). */
  ownChange: boolean;
  /** That deployment's incident record, as stored. */
  loaded: IncidentRecord | undefined;
}

export function rollbackIntakePlan({ summary }: RollbackAdmitted, { trigger, ownChange, loaded }: RollbackIntakeFacts, { config, now, event }: DecisionContext): IntakePlan {
  // Loop guard: our own rollback deployment failing (or erroring) never starts another rollback.
  if (trigger.deploymentId && ownChange) {
    return { kind: 'ignore', reason: `deployment ${trigger.deploymentId} was started by the autopilot itself (loop guard): no rollback of a rollback` };
  }
  const key = rollbackIncidentKey(config, trigger.deploymentId);
  const input: RollbackInput = { incidentKey: key, eventId: event.id, detectedAt: now, trigger };
  // A record for this deployment means its workflow was started: this event joins it.
  const joining = loaded !== undefined;
  return {
    kind: 'start',
    record: { kind: 'continue', init: { key, runbook: 'rollback-deployment', title: rollbackIncidentTitle(config), severity: 'P1', detectedAt: now }, loaded },
    entries: [
      { kind: 'event', runbook: 'rollback-deployment', summary, detail: { eventId: event.id, trigger } },
      { kind: 'note', runbook: 'rollback-deployment', summary: joining ? `joining the rollback workflow ${key} already handling this deployment` : `starting rollback workflow ${key}` },
    ],
    joining,
    workflow: { executionName: key, input },
  };
}
