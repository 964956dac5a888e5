/**
 * Runbook 2: what its intake and its workflow both need. A module of its own, so the
 * workflow's bundle does not carry the intake (event parsing, triggers, middy).
 */
import { rollbackIncidentTitle } from '../../domain/rollback/pages';
import { AwsRollbackOperations } from '../../adapters/aws/rollback';
import type { Runtime } from '../../adapters/runtime/runtime-types';

export function operations(rt: Runtime): AwsRollbackOperations {
  return new AwsRollbackOperations(rt.aws.in(rt.config.service.region), rt.config);
}

export function title(rt: Runtime): string {
  return rollbackIncidentTitle(rt.config);
}
