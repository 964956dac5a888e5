/**
 * Which events reach which runbook, generated from the registry: the deployed EventBridge
 * rules are the registry entries' triggers (runbooks/registry.ts; each runbook's builder in
 * domain/<runbook>/event-rules.ts), flattened.
 *
 * One source of truth. infra/ deploys eventRules(config) as the rules (one EventBridge rule
 * per RuleSpec, target = the runbook's intake function; infra/autopilot-plugin.cjs loads this
 * module at package time), and `autopilot route` and the drill evaluate the same specs with
 * matchesPattern (domain/event-patterns.ts), so what is deployed and what the CLI says cannot
 * drift. A runbook added to the registry is routed by its triggers, nothing else to edit.
 *
 * Pure: no AWS SDK, no environment, no clock (the registry imports only pure modules and the
 * handler contract).
 */
import type { AutopilotConfig, RunbookId } from '../domain/config';
import { rulesMatching, runbooksOf, type EventBusId, type RuleSpec } from '../domain/event-patterns';
import { RUNBOOK_REGISTRY } from './registry';

/**
 * The order the runbooks' rules are deployed and matched in: the order they had before the
 * rules moved into the registry, so the packaged template (its rules and their order) and
 * `autopilot route --rules` did not change. Order carries no meaning for EventBridge (every
 * matching rule delivers); routeEvent reports runbooks in it. An entry missing here is
 * still routed, after these.
 */
export const RULE_ORDER: readonly RunbookId[] = ['investigate-5xx', 'scale-ecs', 'database-failover', 'rollback-deployment', 'restore-from-backup'];

function orderedRunbooks(): RunbookId[] {
  const ids = Object.keys(RUNBOOK_REGISTRY) as RunbookId[];
  return [...RULE_ORDER.filter((id) => ids.includes(id)), ...ids.filter((id) => !RULE_ORDER.includes(id))];
}

/**
 * The deployed EventBridge rules: every registry entry's triggers, in RULE_ORDER. A runbook
 * has a second rule when one pattern cannot say both things (different sources); a rule
 * whose list would be empty (no alarms configured) is left out by its builder, since
 * EventBridge refuses empty matchers.
 */
export function eventRules(config: AutopilotConfig): RuleSpec[] {
  return orderedRunbooks().flatMap((id) =>
    RUNBOOK_REGISTRY[id].triggers(config).map((rule) => {
      // A rule delivers to the runbook it names: one declared in another entry would route events there unseen.
      if (rule.runbook !== id) throw new Error(`${id}'s triggers declare rule ${rule.name} for ${rule.runbook}`);
      return rule;
    }),
  );
}

/** The rules on `bus` that deliver this (raw) event, in declaration order. */
export function matchingRules(config: AutopilotConfig, event: unknown, bus: EventBusId = 'default'): RuleSpec[] {
  return rulesMatching(eventRules(config), event, bus);
}

/** The runbooks whose handlers receive this (raw) event put on `bus`; empty when no rule there delivers it. */
export function routeEvent(config: AutopilotConfig, event: unknown, bus: EventBusId = 'default'): RunbookId[] {
  return runbooksOf(matchingRules(config, event, bus));
}
