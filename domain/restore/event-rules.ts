/**
 * restore-from-backup's triggers: the EventBridge rules that deliver its events (its registry
 * entry's `triggers`, runbooks/registry.ts; deployed and routed by runbooks/routing.ts), and
 * the backup-at-risk event IDs they deliver (read back by ./backup-events.ts).
 *
 * Pure: no AWS SDK, no environment, no clock.
 */
import { AUTOPILOT_DETAIL_TYPES, AWS_EVENT_TYPES } from '../../events/types';
import type { AutopilotConfig } from '../config';
import { autopilotPattern, ruleContext, type RuleSpec } from '../event-patterns';

/**
 * DB instance events that put the backups (the RPO) at risk: restore-from-backup pages P3,
 * it never restores on these by itself. RDS has no explicit "automated backup failed" event,
 * so these are the indirect signals the reference lists.
 */
export const BACKUP_AT_RISK_INSTANCE_EVENT_IDS: Readonly<Record<string, string>> = {
  'RDS-EVENT-0028': 'configuration change: automated backups disabled',
  'RDS-EVENT-0031': 'failure: instance failed; RDS recommends a point-in-time restore',
};

/** Snapshot events that mean a backup copy failed (cross-region copies are our DR copies). */
export const BACKUP_AT_RISK_SNAPSHOT_EVENT_IDS: Readonly<Record<string, string>> = {
  'RDS-EVENT-0061': 'notification: cross-Region snapshot copy canceled',
  'RDS-EVENT-0159': 'notification: snapshot export task failed',
};

/**
 * restore-from-backup: operator requests (a restore is never started by an AWS event), and
 * backup-at-risk RDS events, which only page P3.
 */
export function restoreFromBackupRules(config: AutopilotConfig): RuleSpec[] {
  const ctx = ruleContext(config);
  const { accounts } = ctx;
  const { database } = config;
  const rules: RuleSpec[] = [];
  rules.push({
    runbook: 'restore-from-backup',
    bus: 'private',
    name: 'restore-db-requested',
    // The replica is included: after a failover it is the database in service.
    description: `'${AUTOPILOT_DETAIL_TYPES.restoreRequested}' for ${database.primaryInstanceId} or ${database.replicaInstanceId}`,
    pattern: autopilotPattern(accounts, AUTOPILOT_DETAIL_TYPES.restoreRequested, {
      dbInstanceId: [database.primaryInstanceId, database.replicaInstanceId],
    }),
  });
  if (config.dependencies.s3Buckets.length > 0) {
    rules.push({
      runbook: 'restore-from-backup',
      bus: 'private',
      name: 'restore-s3-requested',
      description: `'${AUTOPILOT_DETAIL_TYPES.s3RestoreRequested}' for ${config.dependencies.s3Buckets.join(', ')}`,
      pattern: autopilotPattern(accounts, AUTOPILOT_DETAIL_TYPES.s3RestoreRequested, { bucket: [...config.dependencies.s3Buckets] }),
    });
  }
  rules.push({
    runbook: 'restore-from-backup',
    bus: 'default',
    name: 'restore-rds-backup-at-risk',
    description: `RDS events putting the backups of ${database.primaryInstanceId} at risk (P3 page)`,
    pattern: {
      account: accounts,
      source: [AWS_EVENT_TYPES.rdsInstance.source],
      'detail-type': [AWS_EVENT_TYPES.rdsInstance.detailType],
      resources: ctx.primaryDbArns,
      detail: { EventID: Object.keys(BACKUP_AT_RISK_INSTANCE_EVENT_IDS) },
    },
  });
  rules.push({
    runbook: 'restore-from-backup',
    bus: 'default',
    name: 'restore-rds-snapshot-at-risk',
    // Snapshot names are free-form (manual snapshots need not start with the instance id),
    // so the ARN is pinned to our accounts and both regions (cross-region copies land in the secondary).
    description: 'RDS snapshot copy/export failures in our accounts and regions (P3 page)',
    pattern: {
      account: accounts,
      source: [AWS_EVENT_TYPES.rdsSnapshot.source],
      'detail-type': [AWS_EVENT_TYPES.rdsSnapshot.detailType],
      resources: accounts.flatMap((a) =>
        [config.primaryRegion, config.secondaryRegion].map((r) => ({ prefix: `arn:aws:rds:${r}:${a}:snapshot:` })),
      ),
      detail: { EventID: Object.keys(BACKUP_AT_RISK_SNAPSHOT_EVENT_IDS) },
    },
  });
  return rules;
}
