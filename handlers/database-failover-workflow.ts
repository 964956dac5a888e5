/**
 * Runbook 1, "Database Failover": the durable workflow Lambda. Wiring only: the workflow is
 * runbooks/database-failover/workflow.ts. Its own entry module, so the intake's bundle
 * (handlers/database-failover.ts) never loads the durable execution SDK.
 */
import { withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';
import type { FailoverInput } from '../domain/failover/workflow';
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { databaseFailoverWorkflow, type FailoverWorkflowOptions } from '../runbooks/database-failover/workflow';

export function buildWorkflow(getRuntime: () => Runtime, options: FailoverWorkflowOptions = {}) {
  return withDurableExecution(async (input: FailoverInput, ctx: DurableContext) => databaseFailoverWorkflow(input, ctx, getRuntime(), options));
}

/** The deployed durable function (serverless `handler:` handlers/database-failover-workflow.handler). */
export const handler = buildWorkflow(productionRuntime);
