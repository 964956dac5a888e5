/**
 * Which signals start a database failover (runbook 1, "Primary RDS instance is down or degraded").
 *
 * A trigger only opens the confirmation window; nothing is promoted on one event. RDS
 * delivers events best-effort (../shared/reference/RDS_EVENT_IDS.md [C]), so the configured
 * database-down alarms must start the same workflow on their own.
 *
 * Deliberately NOT triggers:
 * - RDS-EVENT-0013/0015/0049 (Multi-AZ failover): RDS is healing the primary itself; a
 *   cross-region promotion racing it would split the database. An unfinished Multi-AZ
 *   failover still shows up through the database-down alarms.
 * - RDS-EVENT-0087 (stopped): an operator's action, not a failure.
 * - RDS-EVENT-0418 (KMS key warning): 0419 follows when the instance actually becomes inaccessible.
 * - RDS-EVENT-0022 / 0222: MySQL only (the primary is PostgreSQL).
 * - RDS-EVENT-0045/0057 (replication stopped): about the replica, not the primary; the
 *   replica gate reads replication state itself.
 * domain/failover/event-rules.ts builds the deployed rule's EventID list from this one.
 */
import { alarmNameMatches, type AutopilotConfig } from '../config';
import { alarmBindingVerdict, isConfiguredAlarm } from '../alarm-binding';
import type { AlarmDetail } from '../../events/types';

export interface FailoverTriggerId {
  eventId: string;
  category: string;
  meaning: string;
}

/** RDS DB instance events that mean the primary is failing or unreachable. */
export const FAILOVER_TRIGGER_EVENTS: readonly FailoverTriggerId[] = [
  { eventId: 'RDS-EVENT-0004', category: 'availability', meaning: 'DB instance shutdown' },
  { eventId: 'RDS-EVENT-0007', category: 'low storage', meaning: 'allocated storage exhausted' },
  { eventId: 'RDS-EVENT-0031', category: 'failure', meaning: 'instance put into a failed state (storage issue or incompatible configuration)' },
  { eventId: 'RDS-EVENT-0035', category: 'failure', meaning: 'instance put into a failed state (invalid parameters)' },
  { eventId: 'RDS-EVENT-0036', category: 'failure', meaning: 'instance in incompatible-network state' },
  { eventId: 'RDS-EVENT-0221', category: 'availability', meaning: 'storage-full threshold reached, database shut down' },
  { eventId: 'RDS-EVENT-0419', category: 'availability', meaning: 'KMS key inaccessible, instance placed into an inaccessible state' },
];

export const FAILOVER_TRIGGER_EVENT_IDS: readonly string[] = FAILOVER_TRIGGER_EVENTS.map((e) => e.eventId);

export function isFailoverTriggerEvent(eventId: string): boolean {
  return FAILOVER_TRIGGER_EVENT_IDS.includes(eventId);
}

/** An RDS instance event starts the runbook only for the configured primary and a trigger ID. */
export function rdsEventTriggersFailover(config: AutopilotConfig, dbInstanceId: string, eventId: string): boolean {
  return dbInstanceId === config.database.primaryInstanceId && isFailoverTriggerEvent(eventId);
}

/** An alarm starts the runbook when it is one of the database-down alarms and entered ALARM. */
export function alarmTriggersFailover(config: AutopilotConfig, alarmName: string, state: string): boolean {
  return state === 'ALARM' && alarmNameMatches(config.alarms.databaseDown, alarmName);
}

/**
 * The alarm event itself: a configured database-down alarm (exact name or ARN, from the event's
 * `resources`) in ALARM that measures the primary (domain/alarm-binding.ts). The reason it does
 * not trigger, when it does not.
 */
export function alarmEventTriggersFailover(config: AutopilotConfig, detail: AlarmDetail, resources: readonly string[]): { triggers: true } | { triggers: false; reason: string } {
  if (!isConfiguredAlarm(config.alarms.databaseDown, detail.alarmName, resources)) return { triggers: false, reason: `${detail.alarmName} is not a configured database-down alarm (${config.alarms.databaseDown.join(', ')})` };
  if (detail.state.value !== 'ALARM') return { triggers: false, reason: `${detail.alarmName} is ${detail.state.value}` };
  const bound = alarmBindingVerdict(detail, 'databaseDown', config);
  return bound.pass ? { triggers: true } : { triggers: false, reason: bound.reason };
}
