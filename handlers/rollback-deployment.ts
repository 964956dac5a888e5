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
import { flushingWorkflow, makeAct, makePage, pageIfWorkflowFails, releaseHeldLocks, withEventClaim } from '../adapters/runtime/wiring';
import { runbookStepOf, serviceResource, stoppedMidwayNextStep } from '../domain/rollback/pages';
import type { Workflow } from '../domain/ports';
import type { IncidentSession } from '../adapters/runtime/incident-session';
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
  // The intake starts this execution with DurableExecutionName = the incident key: the lock
  // owner is this execution, so no other execution re-enters the locks it holds.
  const executionName = input.incidentKey;
  // Remember the step in progress: a step out of retries is paged with where it stopped.
  let currentStep = 'start';
  const flushing = flushingWorkflow(durableWorkflow(ctx, rt.clock), session);
  const wf: Workflow = {
    step: (name, fn) => ((currentStep = name), flushing.step(name, fn)),
    wait: (name, seconds) => ((currentStep = name), flushing.wait(name, seconds)),
    waitForApproval: (name, timeout, submit) => ((currentStep = name), flushing.waitForApproval(name, timeout, submit)),
  };
  // The service lock is held from the first mutation through the rollout and its verification.
  const act = makeAct(rt.actuator, session, { owner: executionName, holdLocks: true });
  const releaseLocks = (stepName: string) => wf.step(stepName, () => releaseHeldLocks(rt.store, session, executionName));
  // A step out of retries must not end in silence: a rollback stopped midway is critical.
  const failure = { severity: 'P1' as const, resource: serviceResource(rt.config), nextStep: stoppedMidwayNextStep(rt.config) };
  let result: RollbackResult;
  try {
    result = await pageIfWorkflowFails(wf, session, makePage(rt.pager, rt.clock, session), failure, () =>
      stoppedAt(() => currentStep, session, () => runRollbackDeployment(
        {
          config: rt.config,
          workflow: wf,
          ops: operations(rt),
          act,
          pager: rt.pager,
          clock: rt.clock,
          recorder: { record: (entry) => session.record({ runbook: 'rollback-deployment', ...entry }) },
          incident,
          renewLocks: () => renewHeldLocks(rt, session, executionName),
          markOwnChange: (ref) => rt.store.markOwnChange(ref, input.incidentKey, rt.clock.now()),
          recentActions: (scope, since) => rt.store.recentActions(scope, since),
          approvalCommands: (callbackId) => approvalCommands(callbackId, rt.config.primaryRegion),
        },
        input,
      )),
    );
  } catch (err) {
    // Stopped midway (already paged): give the lock back so the human, and other runbooks, are
    // not blocked until it expires. If the store is what failed, the lock's TTL ends it.
    await releaseLocks('release-locks-after-failure').catch(() => undefined);
    throw err;
  }
  // Every path ends after the rollout and its verification (or a refusal/page): the active phase is over.
  // A release that fails does not undo a finished rollback: the lock then ends at its TTL.
  await releaseLocks('release-locks').catch((err: unknown) => session.record({ kind: 'error', runbook: 'rollback-deployment', summary: `could not release the held locks (they expire after ${rt.config.guardrails.lockTtlSeconds}s): ${String(err)}` }));
  await session.flush();
  return result;
}

/** Same owner re-acquires each held lock, extending it by lockTtlSeconds; a lock lost to another owner is recorded. */
async function renewHeldLocks(rt: Runtime, session: IncidentSession, owner: string): Promise<void> {
  for (const resource of [...(session.incident.heldLocks ?? [])]) {
    const renewed = await rt.store.acquireLock(resource, owner, rt.clock.now(), rt.config.guardrails.lockTtlSeconds);
    if (renewed.acquired) continue;
    // Expired and taken: it is not ours to renew or release any more (a later act re-checks it).
    session.record({ kind: 'error', runbook: 'rollback-deployment', summary: `lost the lock on ${resource} to ${renewed.heldBy.owner}` });
    session.incident.heldLocks = (session.incident.heldLocks ?? []).filter((r) => r !== resource);
  }
}

/** Records which step (and runbook step) failed before the failure page is built from the timeline. */
async function stoppedAt<T>(step: () => string, session: IncidentSession, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    session.record({ kind: 'error', runbook: 'rollback-deployment', summary: `stopped in step "${step()}" (${runbookStepOf(step())})` });
    throw err;
  }
}

export function buildHandler(getRuntime: () => Runtime) {
  return intakeHandler('rollback-deployment', getRuntime, rollbackDeploymentIntake);
}

export function buildWorkflow(getRuntime: () => Runtime) {
  return withDurableExecution(async (input: RollbackInput, ctx: DurableContext) => rollbackDeploymentWorkflow(input, ctx, getRuntime()));
}

export const handler = buildHandler(productionRuntime);
export const workflow = buildWorkflow(productionRuntime);
