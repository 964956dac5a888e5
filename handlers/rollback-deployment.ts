/**
 * Runbook 2, "Rollback Deployment": the intake (EventBridge target). The durable workflow is its
 * own entry module, handlers/rollback-deployment-workflow.ts: this bundle never loads the durable SDK.
 *
 * Intake: parse -> is it a rollback trigger for our service (domain/rollback/intake) ->
 * loop guard (a deployment the autopilot started never starts a rollback) -> dedupe the
 * event -> open the incident of this bad deployment -> start its workflow, named after the
 * incident so the ECS failure and the 5XX hand-off for one deployment join one execution.
 */
import type { RollbackInput } from '../domain/rollback/decide';
import { rollbackIncidentKey, rollbackIntake } from '../domain/rollback/intake';
import { parseEvent } from '../events';
import { withEventClaim } from '../adapters/runtime/wiring';
import { rejectedBy, type IntakeResult } from '../pipeline/intake';
import { intakeHandler } from '../pipeline/intake-handler';
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { operations, title } from './rollback-deployment-shared';

export { operations, title };

/** Claims of an event id are remembered this long (EventBridge retries for up to 24 h). */
const DEDUPE_TTL_SECONDS = 24 * 3600;

export async function rollbackDeploymentIntake(event: unknown, rt: Runtime): Promise<IntakeResult> {
  const now = rt.clock.now();
  const parsed = parseEvent(event, { config: rt.config, now });
  if (!parsed.ok) return rejectedBy(parsed.rejection);
  const intake = rollbackIntake(parsed.event, rt.config);
  if (intake.kind === 'ignore') return { status: 'ignored', reason: intake.reason };

  // A hand-off or an operator names no deployment: the one to roll back is the PRIMARY one now.
  let trigger = intake.trigger;
  if (trigger.kind === 'rollback-requested' && !trigger.deploymentId) {
    const service = await operations(rt).describeService();
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    if (primary) trigger = { ...trigger, deploymentId: primary.id };
  }
  // Loop guard: our own rollback deployment failing (or erroring) never starts another rollback.
  if (trigger.deploymentId && (await rt.store.isOwnChange(trigger.deploymentId))) {
    return { status: 'ignored', reason: `deployment ${trigger.deploymentId} was started by the autopilot itself (loop guard): no rollback of a rollback` };
  }
  // The claim is given back when anything after it fails, so Lambda's retry of this event runs.
  const claimed = await withEventClaim(rt.store, `rollback-deployment#event#${parsed.event.id}`, now, DEDUPE_TTL_SECONDS, async (): Promise<IntakeResult> => {
    const key = rollbackIncidentKey(rt.config, trigger.deploymentId);
    const session = await rt.openSession({ key, runbook: 'rollback-deployment', title: title(rt), severity: 'P1', detectedAt: now });
    session.record({ kind: 'event', runbook: 'rollback-deployment', summary: intake.summary, detail: { eventId: parsed.event.id, trigger } });
    const input: RollbackInput = { incidentKey: key, eventId: parsed.event.id, detectedAt: now, trigger };
    const started = await rt.startWorkflow('rollback-deployment', key, input);
    session.record({
      kind: 'note',
      runbook: 'rollback-deployment',
      summary: started === 'started' ? `started rollback workflow ${key}` : `joined the rollback workflow ${key} already handling this deployment`,
    });
    await session.flush();
    return { status: started === 'started' ? 'started-workflow' : 'joined-workflow', incidentKey: key };
  });
  if (claimed.duplicate) return { status: 'ignored', reason: `duplicate delivery of event ${parsed.event.id}` };
  return claimed.result;
}

export function buildHandler(getRuntime: () => Runtime) {
  return intakeHandler('rollback-deployment', getRuntime, rollbackDeploymentIntake);
}

export const handler = buildHandler(productionRuntime);
