/**
 * Runbook 3, "Scale ECS Tasks": the durable workflow Lambda. Wiring only: the workflow is
 * runbooks/scale-ecs/workflow.ts. Its own entry module, so the intake's bundle
 * (handlers/scale-ecs.ts) never loads the durable execution SDK.
 */
import { withDurableExecution, type DurableContext } from '@aws/durable-execution-sdk-js';
import type { ScaleEcsInput } from '../domain/scaling/workflow';
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { scaleEcsWorkflow } from '../runbooks/scale-ecs/workflow';

export function buildWorkflow(getRuntime: () => Runtime) {
  return withDurableExecution(async (input: ScaleEcsInput, ctx: DurableContext) => scaleEcsWorkflow(input, ctx, getRuntime()));
}

/** The deployed durable function (serverless `handler:` handlers/scale-ecs-workflow.handler). */
export const handler = buildWorkflow(productionRuntime);
