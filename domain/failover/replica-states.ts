/**
 * What the replica's DBInstanceStatus means for runbook 1 step 2 ("Check Read Replica Health":
 * can it be promoted now?) and step 4 ("Promote Read Replica" and its wait: is a promotion under
 * way, has it completed?). Pure over a ReplicaReading.
 *
 * What AWS documents (RDS User Guide and API Reference):
 * - "modifying": "The DB instance is being modified because of a customer request to modify the
 *   DB instance" ("Viewing Amazon RDS DB instance status", accessing-monitoring). A promotion is
 *   one such request, and so is an unrelated ModifyDBInstance: the status alone does not say which.
 * - "backing-up": "The DB instance is currently being backed up" (same table), and "a read
 *   replica cannot be promoted to a standalone instance when it is in the backing-up status"
 *   (API_PromoteReadReplica; USER_ReadRepl.Promote).
 * - A promotion reboots: "When you promote a read replica, replication is stopped and the read
 *   replica is rebooted. When the reboot is complete, the read replica is available as a new DB
 *   instance" (USER_ReadRepl.Promote). A standalone instance has no
 *   ReadReplicaSourceDBInstanceIdentifier.
 * - PromoteReadReplica's BackupRetentionPeriod "Setting this parameter to a positive number
 *   enables backups", and "When automated backups are turned on, your DB instance is taken
 *   offline and a backup is immediately created" (USER_WorkingWithAutomatedBackups.Enabling). A
 *   PostgreSQL read replica cannot have automated backups (USER_ReadRepl, "Can backups be
 *   performed on the replica?"), so the promotion that turns them on is followed by a backup:
 *   "backing-up" after the reboot, no longer a replica. (The older PromoteReadReplica reference:
 *   enabling backups before promoting "ensures that no backup is taken during the promotion".)
 * - PromoteReadReplica fails with InvalidDBInstanceState when "The DB instance isn't in a valid
 *   state" (API_PromoteReadReplica Errors; the older reference: "is not in the available state").
 * - No RDS event marks a read replica's promotion (USER_Events.Messages; RDS-EVENT-0026 is
 *   "Offline maintenance of the DB instance is taking place"): status and source are the evidence.
 *
 * So "modifying" (or "rebooting", "backing-up") while still a replica is a promotion under way
 * only when this incident asked for one (the Actuator records the promote-replica action before
 * its call). Without that request it is something else, said as such: never "under way", never
 * "ready".
 */
import type { ActionRecord } from '../guardrails';
import { FAILED_DB_STATUSES, PROMOTE_ACTION, failoverScope } from './gates';
import type { ReplicaReading } from './signals';

/** The only status PromoteReadReplica accepts. */
export const PROMOTABLE_STATUS = 'available';
/** The statuses a PromoteReadReplica passes through, in order (the backup only when it turned automated backups on). */
export const PROMOTION_STATUSES: readonly string[] = ['modifying', 'rebooting', 'backing-up'];

/** Error names meaning RDS refused a PromoteReadReplica for the instance's state (retrying will not help). */
export const PROMOTE_REFUSED_ERRORS: readonly string[] = ['InvalidDBInstanceStateFault', 'InvalidDBInstanceState', 'ReplicaNotPromotable'];

const AWS_MEANING: Record<string, string> = {
  modifying: "RDS: being modified at a customer's request",
  'backing-up': 'RDS: being backed up; a read replica cannot be promoted while backing-up',
  rebooting: 'RDS: being rebooted',
};

/** What AWS says the status means, with the pending changes RDS listed; undefined when there is nothing to add. */
function meaningOf(r: ReplicaReading): string | undefined {
  const status = r.status ?? 'absent';
  const parts = [AWS_MEANING[status] ?? (FAILED_DB_STATUSES.includes(status) ? 'it cannot serve until someone acts' : undefined)];
  if (r.pendingModifications && r.pendingModifications.length > 0) parts.push(`pending: ${r.pendingModifications.join(', ')}`);
  const text = parts.filter((p): p is string => p !== undefined).join('; ');
  return text === '' ? undefined : text;
}

function statusWithMeaning(r: ReplicaReading): string {
  const meaning = meaningOf(r);
  return `${r.status ?? 'absent'}${meaning ? ` (${meaning})` : ''}`;
}

/**
 * Step 2, why the replica is not promotable now: the state named with what AWS says it means.
 * Only called for a reading that is not 'available' or not readable.
 */
export function replicaNotPromotableReason(r: ReplicaReading, waitCommand: string): string {
  if (r.describeError !== undefined) return `unreadable (${r.describeError})`;
  const status = r.status ?? 'absent';
  const state = statusWithMeaning(r);
  if (!r.sourceIdentifier) {
    return PROMOTION_STATUSES.includes(status)
      ? `${state} and no longer a replica: a promotion this failover did not request may be under way; decide by hand`
      : `${state} and no longer a replica`;
  }
  if (status === 'modifying') {
    return `${state} and still a replica: this failover requested no promotion, so this is not a promotion under way, and not ready either: PromoteReadReplica needs it available. Wait for it (${waitCommand}), check it again, then promote`;
  }
  if (status === 'backing-up') return `${state}: not a promotion (this failover requested none) and not promotable until available. Wait for it (${waitCommand}), then promote`;
  if (FAILED_DB_STATUSES.includes(status)) return state;
  return `${state}: PromoteReadReplica needs it available`;
}

/** This incident's promote-replica request, if the Actuator recorded one (before its call) that was not dropped at the last moment. */
export function promotionRequested(actions: readonly ActionRecord[], incidentKey: string, primaryInstanceId: string): ActionRecord | undefined {
  const scope = failoverScope(primaryInstanceId);
  return actions.filter((a) => a.action === PROMOTE_ACTION && a.scope === scope && a.incidentKey === incidentKey && a.outcome !== 'not-run').sort((a, b) => b.at - a.at)[0];
}

export type PromoteDecision =
  | { kind: 'promote' }
  | { kind: 'under-way'; note: string }
  /** The describe failed: nothing can be decided on it; the step retries (a transient API error) and stops once out of retries. */
  | { kind: 'unreadable'; error: string }
  | { kind: 'stop'; reason: string };

/**
 * Step 4, on the live reading just before PromoteReadReplica (a step retried after a crash finds
 * its earlier attempt's work here). `requested`: this incident's recorded promote-replica, when the
 * replica is in a promotion's state and still a replica (the only case that needs it).
 */
export function promoteDecision(live: ReplicaReading, requested: ActionRecord | undefined): PromoteDecision {
  const id = live.instanceId;
  if (live.describeError !== undefined) return { kind: 'unreadable', error: `cannot read replica ${id} (${live.describeError}) before promoting it` };
  const status = live.status ?? 'unknown';
  if (!live.sourceIdentifier) {
    return {
      kind: 'under-way',
      note: `replica ${id} is ${status}, no longer a replica: promoted already (${requested ? `this incident's PromoteReadReplica at ${new Date(requested.at).toISOString()}` : 'by an earlier attempt of this step, or by someone else'}), not promoting again`,
    };
  }
  if (status === PROMOTABLE_STATUS) return { kind: 'promote' };
  if (requested && PROMOTION_STATUSES.includes(status)) {
    return { kind: 'under-way', note: `replica ${id} is ${status} and still a replica after this incident's PromoteReadReplica at ${new Date(requested.at).toISOString()}: promotion already under way, not promoting again` };
  }
  const why = requested
    ? `after this incident's PromoteReadReplica at ${new Date(requested.at).toISOString()}, a state a promotion does not pass through (${PROMOTION_STATUSES.join(', ')}); decide by hand`
    : status === 'modifying'
      ? 'a modification this failover did not request: not a promotion under way, and PromoteReadReplica needs it available'
      : status === 'backing-up'
        ? 'RDS cannot promote a read replica while it is backing-up'
        : 'PromoteReadReplica needs it available';
  const meaning = meaningOf(live);
  return { kind: 'stop', reason: `replica ${id} is ${status} and still a replica${meaning ? ` (${meaning})` : ''}: not promoting it (${why})` };
}

export type PromotionProgress =
  | { kind: 'completed'; endpoint: { address: string; port: number } }
  /** `phase` for the timeline; `rebooting`: past the point of no return (steps 5 and 6 may start). */
  | { kind: 'in-progress'; phase: string; rebooting: boolean }
  | { kind: 'stop'; reason: string };

/**
 * Step 4's wait, after PromoteReadReplica was called: completed once available, no longer a
 * replica and with an endpoint. A promotion's states (and 'available' still a replica, before the
 * promotion shows, or an unreadable describe) go on waiting, bounded by the promotion timeout; a
 * failed state stops at once; any other state is not one a promotion passes through: it cannot be
 * judged, so the wait stops naming it (fail closed) instead of waiting out the timeout.
 */
export function promotionProgress(live: ReplicaReading): PromotionProgress {
  const id = live.instanceId;
  if (live.describeError !== undefined || live.status === undefined) return { kind: 'in-progress', phase: `${id} is ${live.describeError ?? 'unknown'}`, rebooting: false };
  const status = live.status;
  const replica = live.sourceIdentifier ? ' (still a replica)' : '';
  if (status === PROMOTABLE_STATUS && !live.sourceIdentifier && live.endpoint) return { kind: 'completed', endpoint: live.endpoint };
  if (FAILED_DB_STATUSES.includes(status)) return { kind: 'stop', reason: `${id} went to ${status} during the promotion` };
  if (status === 'backing-up' && !live.sourceIdentifier) {
    return { kind: 'in-progress', phase: `${id} is backing-up, no longer a replica (the first automated backup the promotion turned on)`, rebooting: false };
  }
  if (PROMOTION_STATUSES.includes(status) || status === PROMOTABLE_STATUS) return { kind: 'in-progress', phase: `${id} is ${status}${replica}`, rebooting: status === 'rebooting' };
  return {
    kind: 'stop',
    reason: `${id} is ${status}${replica} during the promotion: not a state a promotion passes through (${PROMOTION_STATUSES.join(', ')}, then available), so it cannot be judged; decide by hand`,
  };
}
