/**
 * Runbook 1: what its intake and its workflow both need. A module of its own, so the
 * workflow's bundle does not carry the intake (event parsing, triggers, middy).
 */
import { failoverExecutionName, failoverIncidentTitle } from '../../domain/failover/episodes';
import type { Runtime } from '../../adapters/runtime/runtime-types';

export { failoverExecutionName };

export function primaryTitle(rt: Runtime): string {
  return failoverIncidentTitle(rt.config);
}
