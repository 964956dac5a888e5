/**
 * Failover episodes at the intake, pure: does a trigger join the running episode, start a new
 * one, or belong to one that is over? (Issue 13 item 5: real-world orders.)
 *
 * - Open and not stale: join (the running workflow re-reads everything itself).
 * - The last episode failed over: the old primary is out of service on purpose; for
 *   minSecondsBetweenFailovers no trigger about it starts anything or rewrites the record (no
 *   second P1, no mitigated -> escalated). Failing back is a human's decision.
 * - An event that happened before the last episode ended is a late copy (EventBridge retries,
 *   a backlog, a duplicate RDS event inside the allowed age): that episode already judged it.
 * - Newer evidence after an episode that ended without a failover (refused, recovered): a new
 *   episode, so a primary still down is judged again on the new evidence.
 */
import { TUNABLES, type AutopilotConfig } from '../config';
import { incidentKey, type IncidentRecord } from '../incident';

export type FailoverEpisodeDecision =
  | { kind: 'join' }
  | { kind: 'new'; reopens: boolean; reason: string }
  | { kind: 'ignore'; reason: string };

export function failoverEpisode(args: {
  previous: IncidentRecord | undefined;
  /** When the event says its change happened (envelope time), epoch ms. */
  eventTime: number;
  now: number;
  maxEpisodeSeconds: number;
  minSecondsBetweenFailovers: number;
}): FailoverEpisodeDecision {
  const { previous, eventTime, now } = args;
  if (!previous) return { kind: 'new', reopens: false, reason: 'no earlier episode' };
  const stale = now - previous.detectedAt > args.maxEpisodeSeconds * 1000;
  if (previous.status === 'open' && !stale) return { kind: 'join' };
  if (previous.mitigatedAt !== undefined && now - previous.mitigatedAt < args.minSecondsBetweenFailovers * 1000) {
    return {
      kind: 'ignore',
      reason: `the primary was failed over at ${new Date(previous.mitigatedAt).toISOString()} (episode detected ${new Date(previous.detectedAt).toISOString()}); it stays out of service and this trigger starts nothing (failing back is a human's decision)`,
    };
  }
  const endedAt = previous.resolvedAt ?? previous.mitigatedAt ?? previous.timeline.reduce((m, e) => Math.max(m, e.at), previous.detectedAt);
  if (!stale && eventTime <= endedAt) {
    return { kind: 'ignore', reason: `late copy: the event of ${new Date(eventTime).toISOString()} predates the end of the episode that ended ${new Date(endedAt).toISOString()} (${previous.status}); that episode judged it` };
  }
  return { kind: 'new', reopens: true, reason: `new evidence after the ${previous.status} episode detected ${new Date(previous.detectedAt).toISOString()}: judged again` };
}

/** The title of the primary's failover incident (its intake opens it, its workflow may). */
export function failoverIncidentTitle(config: AutopilotConfig): string {
  return `Primary database ${config.database.primaryInstanceId} down or unreachable`;
}

/**
 * Execution name of an episode: the incident key plus the bucket its detection fell in.
 * Triggers within one bucket start (or join) one execution even when no incident record
 * exists yet (two events racing); a later trigger joins through the open incident record.
 */
export function failoverExecutionName(key: string, detectedAt: number): string {
  const bucket = Math.floor(detectedAt / (TUNABLES.failover.episodeBucketSeconds * 1000));
  return incidentKey('database-failover', `${key.replace(/^database-failover-/, '')}-${bucket}`);
}
