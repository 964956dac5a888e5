/**
 * Runbook 2, "Rollback Deployment": the durable workflow (its own entry module, so the intake's
 * bundle, handlers/rollback-deployment.ts, does not load the durable execution SDK).
 * Workflow: domain/rollback/workflow (known-good revision, roll back, verify, page).
 */
import { withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';
import type { RollbackInput } from '../domain/rollback/decide';
import { runRollbackDeployment, type RollbackIncident, type RollbackResult } from '../domain/rollback/workflow';
import { approvalCommands, durableWorkflow } from '../adapters/durable';
import { flushingWorkflow, makeAct, makePage, pageIfWorkflowFails, releaseHeldLocks } from '../adapters/runtime/wiring';
import { runbookStepOf, serviceResource, stoppedMidwayNextStep } from '../domain/rollback/pages';
import type { Workflow } from '../domain/ports';
import type { IncidentSession } from '../adapters/runtime/incident-session';
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { operations, title } from './rollback-deployment-shared';

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

export function buildWorkflow(getRuntime: () => Runtime) {
  return withDurableExecution(async (input: RollbackInput, ctx: DurableContext) => rollbackDeploymentWorkflow(input, ctx, getRuntime()));
}

/** The deployed durable function (serverless `handler:` handlers/rollback-deployment-workflow.handler). */
export const handler = buildWorkflow(productionRuntime);
