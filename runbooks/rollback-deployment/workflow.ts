/**
 * Runbook 2, "Rollback Deployment": the durable workflow, run in the workflow shell
 * (pipeline/workflow-shell.ts), deployed by handlers/rollback-deployment-workflow.ts.
 * Workflow: domain/rollback/workflow (known-good revision, roll back, verify, page).
 */
import type { DurableContext } from '@aws/durable-execution-sdk-js';
import type { RollbackInput } from '../../domain/rollback/decide';
import { runRollbackDeployment, type RollbackResult } from '../../domain/rollback/workflow';
import { approvalCommands } from '../../adapters/durable';
import { runbookStepOf, serviceResource, stoppedMidwayNextStep } from '../../domain/rollback/pages';
import type { Runtime } from '../../adapters/runtime/runtime-types';
import { openWorkflowShell } from '../../pipeline/workflow-shell';
import { operations, title } from './shared';

export async function rollbackDeploymentWorkflow(input: RollbackInput, ctx: DurableContext, rt: Runtime): Promise<RollbackResult> {
  // The intake starts this execution with DurableExecutionName = the incident key: the lock
  // owner is this execution, so no other execution re-enters the locks it holds.
  const shell = await openWorkflowShell(rt, ctx, { runbook: 'rollback-deployment', incidentKey: input.incidentKey, title: title(rt), severity: 'P1', detectedAt: input.detectedAt }, () => input.incidentKey);
  const { session, workflow } = shell;
  // A step out of retries must not end in silence: a rollback stopped midway is critical.
  const failure = { severity: 'P1' as const, resource: serviceResource(rt.config), nextStep: stoppedMidwayNextStep(rt.config) };
  let result: RollbackResult;
  try {
    result = await shell.pageIfStopped(failure, () => runRollbackDeployment(
      {
        config: rt.config,
        workflow,
        ops: operations(rt),
        // The service lock is held from the first mutation through the rollout and its verification.
        act: shell.holdingAct(),
        pager: shell.pager,
        clock: rt.clock,
        recorder: { record: (entry) => session.record({ runbook: 'rollback-deployment', ...entry }) },
        incident: session.ledger(),
        renewLocks: () => shell.renewLocks(),
        markOwnChange: (ref) => rt.store.markOwnChange(ref, input.incidentKey, rt.clock.now()),
        recentActions: (scope, since) => rt.store.recentActions(scope, since),
        approvalCommands: (callbackId) => approvalCommands(callbackId, rt.config.primaryRegion),
      },
      input,
    ), runbookStepOf);
  } catch (err) {
    // Stopped midway (already paged): give the lock back so the human, and other runbooks, are
    // not blocked until it expires. If the store is what failed, the lock's TTL ends it.
    await shell.releaseLocks('release-locks-after-failure').catch(() => undefined);
    throw err;
  }
  // Every path ends after the rollout and its verification (or a refusal/page): the active phase is over.
  // A release that fails does not undo a finished rollback: the lock then ends at its TTL.
  await shell.releaseLocks().catch((err: unknown) => session.record({ kind: 'error', runbook: 'rollback-deployment', summary: `could not release the held locks (they expire after ${rt.config.guardrails.lockTtlSeconds}s): ${String(err)}` }));
  await session.flush();
  return result;
}
