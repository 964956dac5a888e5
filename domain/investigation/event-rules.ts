/**
 * investigate-5xx's triggers: the EventBridge rules that deliver its events (its registry
 * entry's `triggers`, runbooks/registry.ts; deployed and routed by runbooks/routing.ts).
 *
 * Pure: no AWS SDK, no environment, no clock.
 */
import type { AutopilotConfig } from '../config';
import { alarmRule, ruleContext, type RuleSpec } from '../event-patterns';

/**
 * investigate-5xx: the 5XX alarms only. It reads stopped tasks, logs and metrics itself,
 * so ECS Task State Change events are not routed to it (they would only add noise).
 */
export function investigate5xxRules(config: AutopilotConfig): RuleSpec[] {
  const ctx = ruleContext(config);
  return alarmRule(ctx, 'investigate-5xx', 'investigate-5xx-alarm', '5XX alarms (ALARM starts an investigation, OK resolves its page)', config.alarms.fiveXx);
}
