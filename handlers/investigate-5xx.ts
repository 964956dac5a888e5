/**
 * Runbook 4, "Investigate High 5XX Error Rate": the intake Lambda (EventBridge target). Wiring only: the
 * runbook's intake is runbooks/investigate-5xx/intake.ts, it has no durable workflow.
 */
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
// Hands off to scale-ecs and rollback-deployment through EventBridge (PutEvents).
import '../adapters/aws/handoff';
import { intakeHandler } from '../pipeline/intake-handler';
import { investigate5xxIntake } from '../runbooks/investigate-5xx/intake';

export { investigate5xxIntake };

export function buildHandler(getRuntime: () => Runtime) {
  return intakeHandler('investigate-5xx', getRuntime, investigate5xxIntake);
}

export const handler = buildHandler(productionRuntime);
