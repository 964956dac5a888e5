/**
 * scale-ecs's triggers: the EventBridge rules that deliver its events (its registry entry's
 * `triggers`, runbooks/registry.ts; deployed and routed by runbooks/routing.ts).
 *
 * Pure: no AWS SDK, no environment, no clock.
 */
import { AUTOPILOT_DETAIL_TYPES } from '../../events/types';
import type { AutopilotConfig } from '../config';
import { alarmRule, autopilotPattern, ruleContext, type RuleSpec } from '../event-patterns';

/**
 * scale-ecs: CPU alarms (ALARM scales out, OK starts the scale-in stabilisation) and
 * scale requests handed over by investigate-5xx, for our service only.
 */
export function scaleEcsRules(config: AutopilotConfig): RuleSpec[] {
  const ctx = ruleContext(config);
  const { service } = config;
  return [
    ...alarmRule(ctx, 'scale-ecs', 'scale-ecs-cpu-alarm', 'CPU alarms on the ECS service (ALARM scales out, OK allows scale-in)', config.alarms.cpu),
    {
      runbook: 'scale-ecs',
      bus: 'private',
      name: 'scale-ecs-requested',
      description: `'${AUTOPILOT_DETAIL_TYPES.scaleRequested}' hand-offs for ${service.clusterName}/${service.serviceName}`,
      pattern: autopilotPattern(ctx.accounts, AUTOPILOT_DETAIL_TYPES.scaleRequested, ctx.ourService),
    },
  ];
}
