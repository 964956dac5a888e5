/**
 * Runbook 3, "Scale ECS Tasks": the intake Lambda (EventBridge target). Wiring only: the
 * runbook's intake is runbooks/scale-ecs/intake.ts, its workflow the entry module
 * handlers/scale-ecs-workflow.ts (this bundle never loads the durable SDK).
 */
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { intakeHandler } from '../pipeline/intake-handler';
import { scaleEcsIntake } from '../runbooks/scale-ecs/intake';

export { scaleEcsIntake };

export function buildHandler(getRuntime: () => Runtime) {
  return intakeHandler('scale-ecs', getRuntime, scaleEcsIntake);
}

export const handler = buildHandler(productionRuntime);
