/**
 * Runbook 5, "Restore from Backup": the intake Lambda (EventBridge target). Wiring only: the
 * runbook's intake is runbooks/restore-from-backup/intake.ts, its workflow the entry module
 * handlers/restore-from-backup-workflow.ts (this bundle never loads the durable SDK).
 */
import { productionRuntime } from '../adapters/runtime/environment';
import type { Runtime } from '../adapters/runtime/runtime-types';
import { intakeHandler } from '../pipeline/intake-handler';
import { handleRestoreEvent } from '../runbooks/restore-from-backup/intake';

export { handleRestoreEvent };

export function buildHandler(getRuntime: () => Runtime) {
  return intakeHandler('restore-from-backup', getRuntime, handleRestoreEvent);
}

export const handler = buildHandler(productionRuntime);
