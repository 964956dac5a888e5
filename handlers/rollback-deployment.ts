/**
 * Runbook 2, "Rollback Deployment": the intake Lambda (EventBridge target). Wiring only: the
 * runbook's intake is runbooks/rollback-deployment/intake.ts, its workflow the entry module
 * handlers/rollback-deployment-workflow.ts (this bundle never loads the durable SDK).
 */
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { intakeHandler } from '../pipeline/intake-handler';
import { rollbackDeploymentIntake } from '../runbooks/rollback-deployment/intake';

export { rollbackDeploymentIntake };

export function buildHandler(getRuntime: () => Runtime) {
  return intakeHandler('rollback-deployment', getRuntime, rollbackDeploymentIntake);
}

export const handler = buildHandler(productionRuntime);
