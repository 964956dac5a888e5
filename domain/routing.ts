/**
 * Which events reach which runbook: the EventBridge rules, built from configuration.
 *
 * One source of truth. infra/ deploys eventRules(config) as the rules (one EventBridge rule
 * per RuleSpec, target = the runbook's intake function), and `autopilot route` evaluates
 * the same specs with matchesPattern, so what is deployed and what the CLI says cannot
 * drift. Rules are deliberately narrow: every pattern names the account(s), the exact
 * resource (alarm names, DB instance ARN, service ARN, CodeDeploy group) and the exact
 * states or event IDs a runbook acts on. Anything else never invokes a handler.
 *
 * Pure: no AWS SDK, no environment, no clock.
 */
import { FAILOVER_TRIGGER_EVENTS } from './failover/triggers';
import { AUTOPILOT_DETAIL_TYPES, AWS_EVENT_TYPES } from '../events/types';
import { AUTOPILOT_EVENT_SOURCE } from '../handlers/shared/contract';
import type { AutopilotConfig, RunbookId } from './config';
import { codeDeployConfigured } from './features';

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

// ---- Event IDs (../shared/reference/RDS_EVENT_IDS.md) -------------------------------------

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

/** Alarm states the alarm rules deliver: ALARM starts work, OK resolves pages and allows scale-in. */
export const ROUTED_ALARM_STATES = ['ALARM', 'OK'] as const;

// ---- Rules ------------------------------------------------------------------------

/** Config alarms (exact names or ARNs) as EventBridge matchers on the alarm name: exact values only. */
function alarmNameMatchers(names: readonly string[]): PatternMatcher[] {
  return names.map((n) => (n.startsWith('arn:') && n.includes(':alarm:') ? n.slice(n.indexOf(':alarm:') + ':alarm:'.length) : n));
}

function alarmPattern(accounts: string[], names: readonly string[]): EventPattern {
  return {
    account: accounts,
    source: [AWS_EVENT_TYPES.alarm.source],
    'detail-type': [AWS_EVENT_TYPES.alarm.detailType],
    detail: { alarmName: alarmNameMatchers(names), state: { value: [...ROUTED_ALARM_STATES] } },
  };
}

function autopilotPattern(accounts: string[], detailType: string, detail: EventPattern): EventPattern {
  return { account: accounts, source: [AUTOPILOT_EVENT_SOURCE], 'detail-type': [detailType], detail };
}

/** What every runbook's rules are built from: the config and the resources it names in our accounts. */
interface RuleContext {
  config: AutopilotConfig;
  accounts: string[];
  primaryDbArns: string[];
  /** ECS deployment events name the service only in `resources` (long ARN format: cluster/service). */
  serviceArns: string[];
  /** Our service, as the autopilot's own hand-offs name it. */
  ourService: EventPattern;
}

/**
 * The deployed EventBridge rules, one or more per runbook. A runbook gets a second rule
 * when one pattern cannot say both things (different sources); a rule whose list would be
 * empty (no alarms configured) is left out, since EventBridge refuses empty matchers.
 */
export function eventRules(config: AutopilotConfig): RuleSpec[] {
  const accounts = [...config.accountIds];
  const { service, database } = config;
  const ctx: RuleContext = {
    config,
    accounts,
    primaryDbArns: accounts.map((a) => `arn:aws:rds:${config.primaryRegion}:${a}:db:${database.primaryInstanceId}`),
    serviceArns: accounts.map((a) => `arn:aws:ecs:${service.region}:${a}:service/${service.clusterName}/${service.serviceName}`),
    ourService: { cluster: [service.clusterName], service: [service.serviceName] },
  };
  return [...investigate5xxRules(ctx), ...scaleEcsRules(ctx), ...databaseFailoverRules(ctx), ...rollbackDeploymentRules(ctx), ...restoreFromBackupRules(ctx)];
}

/** The rule for a runbook's alarms; none when no alarm is configured. */
function alarmRule(ctx: RuleContext, runbook: RunbookId, name: string, description: string, names: readonly string[]): RuleSpec[] {
  return names.length > 0 ? [{ runbook, bus: 'default', name, description, pattern: alarmPattern(ctx.accounts, names) }] : [];
}

/**
 * investigate-5xx: the 5XX alarms only. It reads stopped tasks, logs and metrics itself,
 * so ECS Task State Change events are not routed to it (they would only add noise).
 */
function investigate5xxRules(ctx: RuleContext): RuleSpec[] {
  return alarmRule(ctx, 'investigate-5xx', 'investigate-5xx-alarm', '5XX alarms (ALARM starts an investigation, OK resolves its page)', ctx.config.alarms.fiveXx);
}

/**
 * scale-ecs: CPU alarms (ALARM scales out, OK starts the scale-in stabilisation) and
 * scale requests handed over by investigate-5xx, for our service only.
 */
function scaleEcsRules(ctx: RuleContext): RuleSpec[] {
  const { service } = ctx.config;
  return [
    ...alarmRule(ctx, 'scale-ecs', 'scale-ecs-cpu-alarm', 'CPU alarms on the ECS service (ALARM scales out, OK allows scale-in)', ctx.config.alarms.cpu),
    {
      runbook: 'scale-ecs',
      bus: 'private',
      name: 'scale-ecs-requested',
      description: `'${AUTOPILOT_DETAIL_TYPES.scaleRequested}' hand-offs for ${service.clusterName}/${service.serviceName}`,
      pattern: autopilotPattern(ctx.accounts, AUTOPILOT_DETAIL_TYPES.scaleRequested, ctx.ourService),
    },
  ];
}

/** database-failover: the database-down alarms, and RDS events saying the primary is failing. */
function databaseFailoverRules(ctx: RuleContext): RuleSpec[] {
  const { database } = ctx.config;
  return [
    ...alarmRule(ctx, 'database-failover', 'failover-db-down-alarm', 'Database-down alarms (ALARM starts the confirm checks, OK resolves)', ctx.config.alarms.databaseDown),
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

/**
 * rollback-deployment: a failed ECS deployment (circuit breaker), a failed CodeDeploy
 * blue/green deployment, and rollback requests (operators, or investigate-5xx's hand-off).
 */
function rollbackDeploymentRules(ctx: RuleContext): RuleSpec[] {
  const { config, accounts } = ctx;
  const { service, codeDeploy } = config;
  const rules: RuleSpec[] = [];
  rules.push({
    runbook: 'rollback-deployment',
    bus: 'default',
    name: 'rollback-ecs-deployment-failed',
    description: `SERVICE_DEPLOYMENT_FAILED on ${service.clusterName}/${service.serviceName}`,
    pattern: {
      account: accounts,
      source: [AWS_EVENT_TYPES.ecsDeployment.source],
      'detail-type': [AWS_EVENT_TYPES.ecsDeployment.detailType],
      resources: ctx.serviceArns,
      detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
    },
  });
  // Only where the adopter has CodeDeploy (issue 16: empty codeDeploy names turn it off).
  if (codeDeployConfigured(config)) rules.push({
    runbook: 'rollback-deployment',
    bus: 'default',
    name: 'rollback-codedeploy-failure',
    description: `CodeDeploy FAILURE in ${codeDeploy.applicationName}/${codeDeploy.deploymentGroupName}`,
    pattern: {
      account: accounts,
      source: [AWS_EVENT_TYPES.codeDeploy.source],
      'detail-type': [AWS_EVENT_TYPES.codeDeploy.detailType],
      detail: { state: ['FAILURE'], application: [codeDeploy.applicationName], deploymentGroup: [codeDeploy.deploymentGroupName] },
    },
  });
  rules.push({
    runbook: 'rollback-deployment',
    bus: 'private',
    name: 'rollback-requested',
    description: `'${AUTOPILOT_DETAIL_TYPES.rollbackRequested}' for ${service.clusterName}/${service.serviceName}`,
    pattern: autopilotPattern(accounts, AUTOPILOT_DETAIL_TYPES.rollbackRequested, ctx.ourService),
  });
  return rules;
}

/**
 * restore-from-backup: operator requests (a restore is never started by an AWS event), and
 * backup-at-risk RDS events, which only page P3.
 */
function restoreFromBackupRules(ctx: RuleContext): RuleSpec[] {
  const { config, accounts } = ctx;
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

/** The rules on `bus` that deliver this (raw) event, in declaration order. */
export function matchingRules(config: AutopilotConfig, event: unknown, bus: EventBusId = 'default'): RuleSpec[] {
  return eventRules(config).filter((rule) => rule.bus === bus && matchesPattern(rule.pattern, event));
}

/** The runbooks whose handlers receive this (raw) event put on `bus`; empty when no rule there delivers it. */
export function routeEvent(config: AutopilotConfig, event: unknown, bus: EventBusId = 'default'): RunbookId[] {
  const runbooks = matchingRules(config, event, bus).map((rule) => rule.runbook);
  return [...new Set(runbooks)];
}
