/**
 * database-failover's triggers: the EventBridge rules that deliver its events (its registry
 * entry's `triggers`, runbooks/registry.ts; deployed and routed by runbooks/routing.ts).
 * Which signals start a failover, and why others do not, is decided in ./triggers.ts; the
 * rules deliver those.
 *
 * Pure: no AWS SDK, no environment, no clock.
 */
import { AWS_EVENT_TYPES } from '../../events/types';
import type { AutopilotConfig } from '../config';
import { alarmRule, ruleContext, type RuleSpec } from '../event-patterns';
import { FAILOVER_TRIGGER_EVENTS } from './triggers';

/**
 * DB instance events that mean the primary is failing or unreachable: the triggers of
 * database-failover. The failover runbook still confirms with live checks before acting,
 * so an event is a reason to look, never a reason to promote.
 * Left out on purpose: 0087 (stopped by a user: intended), 0006/0088 (restarted/started),
 * 0015/0049 (Multi-AZ failover completed: RDS recovered on its own), 0022 (MySQL only),
 * 0089/0222 (low-storage warnings: the database is still serving).
 */
export const PRIMARY_FAILING_EVENT_IDS: Readonly<Record<string, string>> = Object.fromEntries(
  // One source of truth: the runbook decides which IDs start a failover (and why others do not).
  FAILOVER_TRIGGER_EVENTS.map((e) => [e.eventId, `${e.category}: ${e.meaning}`]),
);

/** database-failover: the database-down alarms, and RDS events saying the primary is failing. */
export function databaseFailoverRules(config: AutopilotConfig): RuleSpec[] {
  const ctx = ruleContext(config);
  const { database } = config;
  return [
    ...alarmRule(ctx, 'database-failover', 'failover-db-down-alarm', 'Database-down alarms (ALARM starts the confirm checks, OK resolves)', config.alarms.databaseDown),
    {
      runbook: 'database-failover',
      bus: 'default',
      name: 'failover-rds-primary-failing',
      description: `RDS events meaning ${database.primaryInstanceId} is failing or unreachable`,
      pattern: {
        account: ctx.accounts,
        source: [AWS_EVENT_TYPES.rdsInstance.source],
        'detail-type': [AWS_EVENT_TYPES.rdsInstance.detailType],
        resources: ctx.primaryDbArns,
        detail: { EventID: Object.keys(PRIMARY_FAILING_EVENT_IDS) },
      },
    },
  ];
}
