/**
 * Runbook 2, "Rollback Deployment": intake (EventBridge target) + durable workflow.
 *
 * Intake: parse -> is it a rollback trigger for our service (domain/rollback/intake) ->
 * loop guard (a deployment the autopilot started never starts a rollback) -> dedupe the
 * event -> open the incident of this bad deployment -> start its workflow, named after the
 * incident so the ECS failure and the 5XX hand-off for one deployment join one execution.
 * Workflow: domain/rollback/workflow (known-good revision, roll back, verify, page).
 */
import { withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';
import type { RollbackInput } from '../domain/rollback/decide';
import { rollbackIncidentKey, rollbackIntake } from '../domain/rollback/intake';
import { runRollbackDeployment, type RollbackIncident, type RollbackResult } from '../domain/rollback/workflow';
import { parseEvent } from '../events';
import { AwsRollbackOperations } from '../adapters/aws/rollback';
import { approvalCommands, durableWorkflow } from '../adapters/durable';
import { flushingWorkflow, makeAct } from '../adapters/runtime/wiring';
import { intakeHandler, productionRuntime, rejectedBy, type IntakeResult } from './shared/runtime';
import type { Runtime } from './shared/runtime-types';

/** Claims of an event id are remembered this long (EventBridge retries for up to 24 h). */
const DEDUPE_TTL_SECONDS = 24 * 3600;

function operations(rt: Runtime): AwsRollbackOperations {
  return new AwsRollbackOperations(rt.aws.in(rt.config.service.region), rt.config);
}

function title(rt: Runtime): string {
  return `Bad deployment of ${rt.config.service.clusterName}/${rt.config.service.serviceName}`;
}

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
  if (!(await rt.store.claimOnce(`rollback-deployment#event#${parsed.event.id}`, now, DEDUPE_TTL_SECONDS))) {
    return { status: 'ignored', reason: `duplicate delivery of event ${parsed.event.id}` };
  }

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
}

export async function rollbackDeploymentWorkflow(input: RollbackInput, ctx: DurableContext, rt: Runtime): Promise<RollbackResult> {
  const session = await rt.openSession({ key: input.incidentKey, runbook: 'rollback-deployment', title: title(rt), severity: 'P1', detectedAt: input.detectedAt });
  const incident: RollbackIncident = {
    conclude: (patch) => {
      session.incident.status = patch.status;
      if (patch.mitigatedAt !== undefined) session.incident.mitigatedAt ??= patch.mitigatedAt;
      if (patch.resolvedAt !== undefined) session.incident.resolvedAt = patch.resolvedAt;
      if (patch.rootCauseGuess) session.incident.rootCauseGuess = patch.rootCauseGuess;
    },
    refused: (summary) => {
      session.incident.refusals.push(summary);
    },
    mitigationStarted: (at) => {
      session.incident.startedAt ??= at;
    },
  };
  const result = await runRollbackDeployment(
    {
      config: rt.config,
      workflow: flushingWorkflow(durableWorkflow(ctx, rt.clock), session),
      ops: operations(rt),
      act: makeAct(rt.actuator, session),
      pager: rt.pager,
      clock: rt.clock,
      recorder: { record: (entry) => session.record({ runbook: 'rollback-deployment', ...entry }) },
      incident,
      markOwnChange: (ref) => rt.store.markOwnChange(ref, input.incidentKey, rt.clock.now()),
      recentActions: (scope, since) => rt.store.recentActions(scope, since),
      approvalCommands: (callbackId) => approvalCommands(callbackId, rt.config.primaryRegion),
    },
    input,
  );
  await session.flush();
  return result;
}

export function buildHandler(getRuntime: () => Runtime) {
  return intakeHandler('rollback-deployment', getRuntime, rollbackDeploymentIntake);
}

export function buildWorkflow(getRuntime: () => Runtime) {
  return withDurableExecution(async (input: RollbackInput, ctx: DurableContext) => rollbackDeploymentWorkflow(input, ctx, getRuntime()));
}

export const handler = buildHandler(productionRuntime);
export const workflow = buildWorkflow(productionRuntime);
