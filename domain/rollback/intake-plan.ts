/**
 * Runbook 2, "Rollback Deployment": the intake's decision, pure. The trigger (its deployment
 * named: a hand-off names none, the facts name the PRIMARY one) + whether the autopilot made
 * that deployment itself + the deployment's incident record -> one plan: ignore our own change
 * (loop guard: no rollback of a rollback), or start / join the workflow of that bad deployment,
 * named after its incident so the ECS failure and the 5XX hand-off for one deployment join one
 * execution.
 */
import type { GuardrailName } from '../guardrails';
import { incidentKey, type IncidentRecord } from '../incident';
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

/**
 * Refusals new evidence or time can overturn: the live state did not prove a bad deployment yet
 * (an early request, before the 5XX alarm's breaching minutes), or another runbook held the
 * service. A refusal of the revision itself (not rollback-safe, no known-good revision) or of a
 * window (one rollback per service per window) stands for the deployment and is not reopened.
 */
const REOPENED_BY_NEW_EVIDENCE: readonly GuardrailName[] = ['LiveStateAgrees', 'ResourceLock', 'Arbiter'];

/**
 * The last episode for this deployment ended without changing anything, refused only by what new
 * evidence can overturn: a later trigger opens a new episode (its own execution) instead of
 * joining the finished one, where it would do nothing.
 */
export function reopensOnNewEvidence(loaded: IncidentRecord): boolean {
  if (loaded.status === 'open' || loaded.actionsTaken.length > 0) return false;
  const refusing = loaded.timeline.filter((e) => e.kind === 'guardrail' && e.verdict && !e.verdict.pass).map((e) => e.verdict!.guardrail);
  return refusing.length > 0 && refusing.every((g) => REOPENED_BY_NEW_EVIDENCE.includes(g));
}

export function rollbackIntakePlan({ summary }: RollbackAdmitted, { trigger, ownChange, loaded }: RollbackIntakeFacts, { config, now, event }: DecisionContext): IntakePlan {
  // Loop guard: our own rollback deployment failing (or erroring) never starts another rollback.
  if (trigger.deploymentId && ownChange) {
    return { kind: 'ignore', reason: `deployment ${trigger.deploymentId} was started by the autopilot itself (loop guard): no rollback of a rollback` };
  }
  const key = rollbackIncidentKey(config, trigger.deploymentId);
  const input: RollbackInput = { incidentKey: key, eventId: event.id, detectedAt: now, trigger };
  const init = { key, runbook: 'rollback-deployment' as const, title: rollbackIncidentTitle(config), severity: 'P1' as const, detectedAt: now };
  const event_ = { kind: 'event' as const, runbook: 'rollback-deployment' as const, summary, detail: { eventId: event.id, trigger } };
  if (loaded && reopensOnNewEvidence(loaded)) {
    // Named apart from the finished execution (and stored: a later trigger of this episode joins it).
    const executionName = incidentKey('rollback-deployment', `${key.replace(/^rollback-deployment-/, '')}-${Math.floor(now / 1000)}`);
    return {
      kind: 'start',
      record: { kind: 'new-episode', init: { ...init, executionName } },
      entries: [
        event_,
        { kind: 'note', runbook: 'rollback-deployment', summary: `the last episode for this deployment was refused without a change (${loaded.refusals.length} refusal(s)); new evidence: starting rollback workflow ${executionName}, live state judged again` },
      ],
      joining: false,
      workflow: { executionName, input },
    };
  }
  // A record for this deployment means its workflow was started: this event joins it.
  const joining = loaded !== undefined;
  const executionName = loaded?.executionName ?? key;
  return {
    kind: 'start',
    record: { kind: 'continue', init, loaded },
    entries: [
      event_,
      { kind: 'note', runbook: 'rollback-deployment', summary: joining ? `joining the rollback workflow ${executionName} already handling this deployment` : `starting rollback workflow ${key}` },
    ],
    joining,
    workflow: { executionName, input },
  };
}
