/**
 * RDS events that put backups (the RPO) at risk: restore-from-backup pages P3 with the
 * details and does nothing else. The intake checks again what the rule already filtered:
 * a misrouted or forged delivery about another database must not page anyone.
 */
import type { AutopilotConfig } from '../config';
import { BACKUP_AT_RISK_INSTANCE_EVENT_IDS, BACKUP_AT_RISK_SNAPSHOT_EVENT_IDS } from './event-rules';

export type BackupEvent =
  | { kind: 'rds-instance'; eventId: string; dbInstanceId: string }
  | { kind: 'rds-snapshot'; eventId: string; snapshotId: string };

/** What the event means for our backups, or undefined when it is not ours to page about. */
export function backupProblem(config: AutopilotConfig, event: BackupEvent): string | undefined {
  if (event.kind === 'rds-instance') {
    const ours = [config.database.primaryInstanceId, config.database.replicaInstanceId].includes(event.dbInstanceId);
    return ours ? BACKUP_AT_RISK_INSTANCE_EVENT_IDS[event.eventId] : undefined;
  }
  return BACKUP_AT_RISK_SNAPSHOT_EVENT_IDS[event.eventId];
}
