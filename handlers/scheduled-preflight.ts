/**
 * The scheduled readiness check (issue 16 item 3): the target of the stage's schedule rule
 * (infra/preflight.ts; config deployment.preflightSchedule, daily by default). Wiring only:
 * what it checks, stores, publishes and pages is pipeline/scheduled-preflight.ts.
 */
import { preflightStackFromEnv, productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { buildScheduledPreflightHandler, type PreflightStack } from '../pipeline/scheduled-preflight';

export function buildHandler(getRuntime: () => Runtime, getStack: () => PreflightStack | undefined) {
  return buildScheduledPreflightHandler(getRuntime, getStack);
}

/** The deployed function (serverless `handler:` handlers/scheduled-preflight.handler). */
export const handler = buildHandler(productionRuntime, () => preflightStackFromEnv(process.env));
