/**
 * Runbook 5, "Restore from Backup": the durable workflow Lambda. Wiring only: the workflow is
 * runbooks/restore-from-backup/workflow.ts. Its own entry module, so the intake's bundle
 * (handlers/restore-from-backup.ts) never loads the durable execution SDK.
 */
import { withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';
import type { RestoreWorkflowInput } from '../runbooks/restore-from-backup/intake';
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { runRestoreWorkflow } from '../runbooks/restore-from-backup/workflow';

export function buildWorkflow(getRuntime: () => Runtime) {
  return withDurableExecution(async (input: RestoreWorkflowInput, ctx: DurableContext) => runRestoreWorkflow(input, ctx, getRuntime()));
}

/** The deployed durable function (serverless `handler:` handlers/restore-from-backup-workflow.handler). */
export const handler = buildWorkflow(productionRuntime);
