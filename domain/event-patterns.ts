/**
 * The EventBridge rule language every runbook's triggers are written in: the pattern subset
 * we use, RuleSpec (one deployed rule), the builders the runbooks share (alarm and autopilot
 * patterns, the rule context built from configuration) and the matcher that evaluates a
 * pattern the way EventBridge does.
 *
 * Each runbook declares its own rules in domain/<runbook>/event-rules.ts and its registry entry
 * names them as its `triggers` (runbooks/registry.ts); runbooks/routing.ts assembles the
 * deployed set from the registry (eventRules) and routes events with it (matchingRules,
 * routeEvent), so infra/ deploys and `autopilot route` evaluates the very same specs. Rules are
 * deliberately narrow: every pattern names the account(s), the exact resource (alarm names,
 * DB instance ARN, service ARN, CodeDeploy group) and the exact states or event IDs a runbook
 * acts on. Anything else never invokes a handler.
 *
 * Pure: no AWS SDK, no environment, no clock.
 */
import { AWS_EVENT_TYPES } from '../events/types';
import { AUTOPILOT_EVENT_SOURCE } from '../handlers/shared/contract';
import type { AutopilotConfig, RunbookId } from './config';

// ---- Pattern language (the subset of EventBridge content filtering we use) ---------------
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html

type Scalar = string | number | boolean | null;

export type PatternMatcher =
  | Scalar
  | { prefix: string }
  | { suffix: string }
  | { 'equals-ignore-case': string }
  | { 'anything-but': Scalar | Scalar[] | { prefix: string } | { suffix: string } }
  | { exists: boolean }
  /** e.g. { numeric: ['>', 0, '<=', 5] } */
  | { numeric: Array<string | number> };

/** A field maps to a list of matchers (a leaf: any one may match) or to a nested pattern. */
export interface EventPattern {
  [field: string]: PatternMatcher[] | EventPattern;
}

/**
 * Which bus a rule lives on. AWS events arrive on the account's default bus; our own
 * requests and hand-offs only on the stack's private bus, whose resource policy admits
 * the investigate function's role and the operator-request function's role and nobody
 * else (infra/event-bus.ts). A `source: runbook-autopilot` event put on the default bus
 * matches no rule.
 */
export type EventBusId = 'default' | 'private';

export interface RuleSpec {
  runbook: RunbookId;
  bus: EventBusId;
  /**
   * EventBridge rule name, at most 32 characters: infra prefixes it with
   * 'runbook-autopilot-<stage>-' and EventBridge allows 64 in all.
   */
  name: string;
  description: string;
  pattern: EventPattern;
}

// ---- Shared builders ------------------------------------------------------------

/** Alarm states the alarm rules deliver: ALARM starts work, OK resolves pages and allows scale-in. */
export const ROUTED_ALARM_STATES = ['ALARM', 'OK'] as const;

/** Config alarms (exact names or ARNs) as EventBridge matchers on the alarm name: exact values only. */
function alarmNameMatchers(names: readonly string[]): PatternMatcher[] {
  return names.map((n) => (n.startsWith('arn:') && n.includes(':alarm:') ? n.slice(n.indexOf(':alarm:') + ':alarm:'.length) : n));
}

export function alarmPattern(accounts: string[], names: readonly string[]): EventPattern {
  return {
    account: accounts,
    source: [AWS_EVENT_TYPES.alarm.source],
    'detail-type': [AWS_EVENT_TYPES.alarm.detailType],
    detail: { alarmName: alarmNameMatchers(names), state: { value: [...ROUTED_ALARM_STATES] } },
  };
}

export function autopilotPattern(accounts: string[], detailType: string, detail: EventPattern): EventPattern {
  return { account: accounts, source: [AUTOPILOT_EVENT_SOURCE], 'detail-type': [detailType], detail };
}

/** What every runbook's rules are built from: the config and the resources it names in our accounts. */
export interface RuleContext {
  config: AutopilotConfig;
  accounts: string[];
  primaryDbArns: string[];
  /** ECS deployment events name the service only in `resources` (long ARN format: cluster/service). */
  serviceArns: string[];
  /** Our service, as the autopilot's own hand-offs name it. */
  ourService: EventPattern;
}

export function ruleContext(config: AutopilotConfig): RuleContext {
  const accounts = [...config.accountIds];
  const { service, database } = config;
  return {
    config,
    accounts,
    primaryDbArns: accounts.map((a) => `arn:aws:rds:${config.primaryRegion}:${a}:db:${database.primaryInstanceId}`),
    serviceArns: accounts.map((a) => `arn:aws:ecs:${service.region}:${a}:service/${service.clusterName}/${service.serviceName}`),
    ourService: { cluster: [service.clusterName], service: [service.serviceName] },
  };
}

/**
 * The rule for a runbook's alarms; none when no alarm is configured (EventBridge refuses
 * empty matchers: a rule whose list would be empty is left out).
 */
export function alarmRule(ctx: RuleContext, runbook: RunbookId, name: string, description: string, names: readonly string[]): RuleSpec[] {
  return names.length > 0 ? [{ runbook, bus: 'default', name, description, pattern: alarmPattern(ctx.accounts, names) }] : [];
}

// ---- Matching -----------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

const NUMERIC_OPS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function matchesNumeric(spec: Array<string | number>, value: Scalar): boolean {
  if (typeof value !== 'number' || spec.length === 0 || spec.length % 2 !== 0) return false;
  for (let i = 0; i < spec.length; i += 2) {
    const op = NUMERIC_OPS[String(spec[i])];
    const bound = spec[i + 1];
    if (!op || typeof bound !== 'number' || !op(value, bound)) return false;
  }
  return true;
}

function matchesAnythingBut(spec: Scalar | Scalar[] | { prefix: string } | { suffix: string }, value: Scalar): boolean {
  if (Array.isArray(spec)) return !spec.includes(value);
  if (isObject(spec)) {
    if (typeof value !== 'string') return false;
    if ('prefix' in spec) return !value.startsWith(spec.prefix);
    if ('suffix' in spec) return !value.endsWith(spec.suffix);
    return false;
  }
  return value !== spec;
}

/** One matcher against one present scalar value (exists is handled by the caller). */
function matchesValue(matcher: PatternMatcher, value: Scalar): boolean {
  if (isScalar(matcher)) return matcher === value;
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(matcher.prefix);
  if ('suffix' in matcher) return typeof value === 'string' && value.endsWith(matcher.suffix);
  if ('equals-ignore-case' in matcher) return typeof value === 'string' && value.toLowerCase() === matcher['equals-ignore-case'].toLowerCase();
  if ('anything-but' in matcher) return matchesAnythingBut(matcher['anything-but'], value);
  if ('numeric' in matcher) return matchesNumeric(matcher.numeric, value);
  return false;
}

/**
 * A leaf: the event's value (or, for an array, any of its elements) must satisfy one of
 * the matchers. A missing field (or an object where a value was expected) only satisfies
 * { exists: false }: exists works on leaves only, as EventBridge documents.
 */
function matchesLeaf(matchers: PatternMatcher[], value: unknown): boolean {
  const values: Scalar[] = (Array.isArray(value) ? value : [value]).filter(isScalar);
  const present = values.length > 0;
  return matchers.some((m) => (isObject(m) && 'exists' in m ? m.exists === present : values.some((v) => matchesValue(m, v))));
}

/**
 * EventBridge content filtering over the subset of operators above: every field of the
 * pattern must match (AND), any matcher in a field's list may match (OR), nested objects
 * recurse, and an array in the event matches when any element does.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([field, sub]) => {
    const value = Object.hasOwn(event, field) ? event[field] : undefined;
    if (Array.isArray(sub)) return matchesLeaf(sub, value);
    // A nested pattern over an array of objects matches when any element does; over a
    // missing field it is checked against nothing, so only { exists: false } leaves pass.
    const objects = Array.isArray(value) ? value.filter(isObject) : isObject(value) ? [value] : [];
    const candidates = objects.length > 0 ? objects : [{}];
    return candidates.some((candidate) => matchesPattern(sub, candidate));
  });
}

/** The rules among `rules` on `bus` that deliver this (raw) event, in their order. */
export function rulesMatching(rules: readonly RuleSpec[], event: unknown, bus: EventBusId = 'default'): RuleSpec[] {
  return rules.filter((rule) => rule.bus === bus && matchesPattern(rule.pattern, event));
}

/** The runbooks these (matching) rules deliver to, each once, in rule order. */
export function runbooksOf(rules: readonly RuleSpec[]): RunbookId[] {
  return [...new Set(rules.map((rule) => rule.runbook))];
}
