/**
 * Runbook 2, "Rollback Deployment": the durable workflow Lambda. Wiring only: the workflow is
 * runbooks/rollback-deployment/workflow.ts. Its own entry module, so the intake's bundle
 * (handlers/rollback-deployment.ts) never loads the durable execution SDK.
 */
import { withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';
import type { RollbackInput } from '../domain/rollback/decide';
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { rollbackDeploymentWorkflow } from '../runbooks/rollback-deployment/workflow';

export function buildWorkflow(getRuntime: () => Runtime) {
  return withDurableExecution(async (input: RollbackInput, ctx: DurableContext) => rollbackDeploymentWorkflow(input, ctx, getRuntime()));
}

/** The deployed durable function (serverless `handler:` handlers/rollback-deployment-workflow.handler). */
export const handler = buildWorkflow(productionRuntime);
