/**
 * Runbook 1: what its intake and its workflow both need. A module of its own, so the
 * workflow's bundle does not carry the intake (event parsing, triggers, middy).
 */
import { incidentKey } from '../../domain/incident';
import type { Runtime } from '../../adapters/runtime/runtime-types';

const RUNBOOK = 'database-failover' as const;
/**
 * Triggers within one bucket start (or join) one execution even when no incident record
 * exists yet (two events racing). A later trigger joins through the open incident record.
 */
const EPISODE_BUCKET_SECONDS = 900;

export function primaryTitle(rt: Runtime): string {
  return `Primary database ${rt.config.database.primaryInstanceId} down or unreachable`;
}

/** Execution name of an episode: the incident key plus the bucket its detection fell in. */
export function failoverExecutionName(key: string, detectedAt: number): string {
  const bucket = Math.floor(detectedAt / (EPISODE_BUCKET_SECONDS * 1000));
  return incidentKey(RUNBOOK, `${key.replace(/^database-failover-/, '')}-${bucket}`);
}
