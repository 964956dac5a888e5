/**
 * Runbook 1, "Database Failover": the intake Lambda (EventBridge target). Wiring only: the
 * runbook's intake is runbooks/database-failover/intake.ts, its workflow the entry module
 * handlers/database-failover-workflow.ts (this bundle never loads the durable SDK).
 */
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { intakeHandler } from '../pipeline/intake-handler';
import { databaseFailoverIntake } from '../runbooks/database-failover/intake';

export { databaseFailoverIntake };

export function buildHandler(getRuntime: () => Runtime) {
  return intakeHandler('database-failover', getRuntime, databaseFailoverIntake);
}

export const handler = buildHandler(productionRuntime);
