/**
 * loadConfig(stage): the autopilot configuration for one stage.
 *
 * defaultConfig (domain/config.ts, the runbook's own values) deep-merged with
 * config/<stage>.json when that file exists. Objects merge key by key; arrays and scalars
 * in the stage file replace the default. The result is checked against the shape of
 * defaultConfig, so a typo or a wrong type fails here, naming the field, instead of at
 * 3 a.m. inside a handler. A pure file read: no AWS, no environment.
 *
 * serverless.yml (through infra/), the CLI and the tests all call this, so the deployed
 * patterns, IAM scopes and AUTOPILOT_CONFIG come from the same object.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNBOOKS, defaultConfig, type AutopilotConfig, type Severity } from '../domain/config';
import { stackTopicArns } from './stack-topics';
import { isRunbookMode, RUNBOOK_MODES } from '../domain/modes';

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    detail: string,
    readonly source: string,
  ) {
    super(`invalid configuration (${source}): ${field}: ${detail}`);
    this.name = 'ConfigError';
  }
}

const STAGE_NAME = /^[a-z][a-z0-9-]{0,15}$/;
const SEVERITIES: readonly Severity[] = ['P1', 'P2', 'P3', 'P4'];

/** Directory holding <stage>.json files: this file's own directory. */
export const CONFIG_DIR = __dirname;

export function loadConfig(stage = 'dev', configDir: string = CONFIG_DIR): AutopilotConfig {
  if (!STAGE_NAME.test(stage)) {
    throw new ConfigError('stage', `"${stage}" is not a stage name (lower case letters, digits, '-', at most 16)`, 'argument');
  }
  const file = join(configDir, `${stage}.json`);
  const source = existsSync(file) ? file : 'defaults';
  let overrides: unknown = {};
  if (existsSync(file)) {
    try {
      overrides = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError('(file)', `not valid JSON: ${err instanceof Error ? err.message : String(err)}`, file);
    }
  }
  if (!isPlainObject(overrides)) throw new ConfigError('(root)', 'must be a JSON object', source);

  const merged = deepMerge(defaultConfig, overrides, '', source);
  // The stage is the one asked for, whatever the file says: names and topic ARNs carry it.
  const config = { ...(merged as unknown as AutopilotConfig), stage };
  // A stage that does not say where it is deployed runs in its primary region (the standby names us-west-2).
  const deploymentSet = isPlainObject(overrides.deployment) && overrides.deployment.region !== undefined;
  if (!deploymentSet) config.deployment = { ...config.deployment, region: config.primaryRegion };
  // Topics the stage file does not name are the stack's own, named after the stage (config/stack-topics.ts).
  if (!isPlainObject(overrides.paging) || overrides.paging.topics === undefined) config.paging = { ...config.paging, topics: stackTopicArns(config) };
  validateConfig(config, source);
  return config;
}

/**
 * The configuration a deployed function received (AUTOPILOT_CONFIG): merged over the
 * defaults and validated like a stage file, so a partial or mistyped value fails loudly at
 * cold start instead of turning a guardrail into NaN at 3 a.m.
 */
export function configFromValue(value: unknown, source: string): AutopilotConfig {
  if (!isPlainObject(value)) throw new ConfigError('(root)', 'must be a JSON object', source);
  const config = deepMerge(defaultConfig, value, '', source) as unknown as AutopilotConfig;
  validateConfig(config, source);
  return config;
}

/** Stage file values replace defaults; objects merge; unknown keys are errors (typos must not pass). */
function deepMerge(base: unknown, override: unknown, path: string, source: string): unknown {
  if (override === undefined) return base;
  if (isPlainObject(base)) {
    if (!isPlainObject(override)) throw new ConfigError(path || '(root)', `must be an object, got ${describe(override)}`, source);
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      const field = path ? `${path}.${key}` : key;
      if (!(key in base)) throw new ConfigError(field, 'unknown field', source);
      out[key] = deepMerge(base[key], value, field, source);
    }
    return out;
  }
  if (Array.isArray(base)) {
    if (!Array.isArray(override)) throw new ConfigError(path, `must be an array, got ${describe(override)}`, source);
    return override;
  }
  if (typeof override !== typeof base) {
    throw new ConfigError(path, `must be a ${typeof base}, got ${describe(override)}`, source);
  }
  return override;
}

/** Checks beyond the types: values a deploy or a decision would trip on. */
export function validateConfig(config: AutopilotConfig, source = 'config'): void {
  const fail = (field: string, detail: string): never => {
    throw new ConfigError(field, detail, source);
  };
  const nonEmpty = (field: string, value: string) => {
    if (value.trim() === '') fail(field, 'must not be empty');
  };
  const positive = (field: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) fail(field, `must be a positive number, got ${value}`);
  };
  const arnOf = (field: string, value: string, service: string) => {
    if (!new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:.+`).test(value)) fail(field, `must be an ${service} ARN, got "${value}"`);
  };
  const region = (field: string, value: string) => {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(value)) fail(field, `must be an AWS region, got "${value}"`);
  };

  if (config.accountIds.length === 0) fail('accountIds', 'must list at least one account');
  config.accountIds.forEach((id, i) => {
    if (typeof id !== 'string' || !/^\d{12}$/.test(id)) fail(`accountIds[${i}]`, `must be a 12-digit account id, got ${describe(id)}`);
  });
  region('deployment.region', config.deployment.region);
  if (config.deployment.region !== config.primaryRegion && config.deployment.region !== config.secondaryRegion) {
    fail('deployment.region', `must be the primary (${config.primaryRegion}) or the secondary region (${config.secondaryRegion}), got "${config.deployment.region}"`);
  }
  if (config.deployment.runbooks.length === 0) fail('deployment.runbooks', 'must list at least one runbook');
  config.deployment.runbooks.forEach((r, i) => {
    if (!(RUNBOOKS as readonly string[]).includes(r)) fail(`deployment.runbooks[${i}]`, `"${String(r)}" is not a runbook (${RUNBOOKS.join(', ')})`);
  });
  if (config.deployment.region !== config.primaryRegion && config.deployment.runbooks.some((r) => r !== 'database-failover')) {
    fail('deployment.runbooks', `a stage outside the primary region runs only database-failover (the standby failover); got ${config.deployment.runbooks.join(', ')}`);
  }
  const schedule = config.deployment.preflightSchedule;
  if (schedule !== undefined && scheduleProblem(schedule) !== undefined) fail('deployment.preflightSchedule', scheduleProblem(schedule)!);
  region('primaryRegion', config.primaryRegion);
  region('secondaryRegion', config.secondaryRegion);
  region('service.region', config.service.region);
  region('secondaryService.region', config.secondaryService.region);
  region('database.replicaRegion', config.database.replicaRegion);
  positive('maxEventAgeSeconds', config.maxEventAgeSeconds);

  for (const key of ['clusterName', 'serviceName', 'taskFamily', 'containerName', 'logGroupName'] as const) {
    nonEmpty(`service.${key}`, config.service[key]);
  }
  for (const key of ['clusterName', 'serviceName', 'taskFamily', 'containerName'] as const) {
    nonEmpty(`secondaryService.${key}`, config.secondaryService[key]);
  }
  // The roles the task definitions carry: an IAM role ARN, or '' for none (the PassRole grant covers exactly these).
  for (const svc of ['service', 'secondaryService'] as const) {
    for (const key of ['taskRoleArn', 'executionRoleArn'] as const) {
      const value = config[svc][key];
      if (value !== '' && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(value)) fail(`${svc}.${key}`, `must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) or "" for none, got "${value}"`);
    }
  }
  arnOf('service.targetGroupArn', config.service.targetGroupArn, 'elasticloadbalancing');
  // Blue/green is optional (issue 16): all three empty turns it off; otherwise each must be an ARN.
  const blueGreen = [config.service.listenerArn, config.service.blueTargetGroupArn, config.service.greenTargetGroupArn];
  if (blueGreen.some((v) => v !== '')) {
    arnOf('service.listenerArn', config.service.listenerArn, 'elasticloadbalancing');
    arnOf('service.blueTargetGroupArn', config.service.blueTargetGroupArn, 'elasticloadbalancing');
    arnOf('service.greenTargetGroupArn', config.service.greenTargetGroupArn, 'elasticloadbalancing');
  }
  if (!/^https:\/\//.test(config.service.healthCheckUrl)) fail('service.healthCheckUrl', 'must be an https URL');

  nonEmpty('database.primaryInstanceId', config.database.primaryInstanceId);
  nonEmpty('database.replicaInstanceId', config.database.replicaInstanceId);
  nonEmpty('database.subnetGroupName', config.database.subnetGroupName);
  positive('database.maxConnections', config.database.maxConnections);
  if (config.database.backupRetentionDays < 1 || config.database.backupRetentionDays > 35) {
    fail('database.backupRetentionDays', 'must be between 1 and 35 (RDS limit)');
  }
  if (!/^Z[A-Z0-9]+$/.test(config.dns.hostedZoneId)) fail('dns.hostedZoneId', `must be a Route53 zone id, got "${config.dns.hostedZoneId}"`);
  nonEmpty('dns.recordName', config.dns.recordName);
  // CodeDeploy is optional (issue 16): both names empty turns it off; one without the other is a mistake.
  if (config.codeDeploy.applicationName !== '' || config.codeDeploy.deploymentGroupName !== '') {
    nonEmpty('codeDeploy.applicationName', config.codeDeploy.applicationName);
    nonEmpty('codeDeploy.deploymentGroupName', config.codeDeploy.deploymentGroupName);
  }
  config.dependencies.s3Buckets.forEach((b, i) => {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b)) fail(`dependencies.s3Buckets[${i}]`, `must be a bucket name, got "${b}"`);
  });

  for (const key of ['fiveXx', 'cpu', 'databaseDown'] as const) {
    const names = config.alarms[key];
    if (names.length === 0) fail(`alarms.${key}`, 'must list at least one alarm name or ARN');
    names.forEach((n, i) => {
      // Exact identities only: a prefix matched an alarm of another service (issue 13).
      if (n === '' || n.includes('*') || (n.startsWith('arn:') && !/^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/.test(n))) {
        fail(`alarms.${key}[${i}]`, `"${n}" must be an exact alarm name or alarm ARN (prefixes are not accepted)`);
      }
    });
  }

  const s = config.guardrails.scaling;
  if (s.minTasks < 1) fail('guardrails.scaling.minTasks', 'must be at least 1');
  if (s.maxTasks < s.minTasks) fail('guardrails.scaling.maxTasks', `must be >= minTasks (${s.minTasks})`);
  positive('guardrails.scaling.maxStepUp', s.maxStepUp);
  positive('guardrails.lockTtlSeconds', config.guardrails.lockTtlSeconds);
  positive('guardrails.circuitBreaker.maxActions', config.guardrails.circuitBreaker.maxActions);
  positive('guardrails.circuitBreaker.windowSeconds', config.guardrails.circuitBreaker.windowSeconds);
  positive('guardrails.failover.confirmChecks', config.guardrails.failover.confirmChecks);
  positive('guardrails.failover.maxReplicaLagSeconds', config.guardrails.failover.maxReplicaLagSeconds);

  validateLimits(config, fail);
  const chat = config.paging.chat;
  if ((chat.slackWorkspaceId === '') !== (chat.slackChannelId === '')) fail(chat.slackWorkspaceId === '' ? 'paging.chat.slackWorkspaceId' : 'paging.chat.slackChannelId', 'set both Slack ids (AWS Chatbot) or neither');
  if (chat.slackWorkspaceId !== '' && !/^[0-9A-Z]{1,255}$/.test(chat.slackWorkspaceId)) fail('paging.chat.slackWorkspaceId', `must be a Slack team id (e.g. T07EA123LEP), got "${chat.slackWorkspaceId}"`);
  if (chat.slackChannelId !== '' && !/^[A-Za-z0-9]+$/.test(chat.slackChannelId)) fail('paging.chat.slackChannelId', `must be a Slack channel id (e.g. C07EZ1ABC23), got "${chat.slackChannelId}"`);

  for (const [runbook, mode] of Object.entries(config.modes)) {
    if (!isRunbookMode(mode)) fail(`modes.${runbook}`, `must be one of ${RUNBOOK_MODES.join(' | ')}, got ${describe(mode)}`);
  }

  for (const severity of SEVERITIES) {
    const arn = config.paging.topics[severity];
    if (typeof arn !== 'string') fail(`paging.topics.${severity}`, 'is missing');
    arnOf(`paging.topics.${severity}`, arn, 'sns');
    if (!arn.includes(config.stage)) fail(`paging.topics.${severity}`, `must carry the stage name "${config.stage}" (one topic set per stage), got "${arn}"`);
  }
}

/**
 * Hard limits (issue 14 item 6): counts are integers, windows are non-negative whole seconds,
 * and every count that drives a mutation has a ceiling, so a stage file cannot turn a
 * guardrail into a formality (a breaker of 1e9, 1,000 tasks, a negative scale-down step that
 * grows the service past its maximum).
 */
export const LIMITS = {
  /** ECS tasks the autopilot may ask for (runbook: max 10). */
  maxTasks: 100,
  /** Automatic actions / mutating calls per breaker window. */
  breakerMaxActions: 200,
  breakerMaxMutations: 20_000,
  s3MaxObjectsPerRun: 10_000,
  /** EventBridge keeps retrying for at most 24 h. */
  maxEventAgeSeconds: 86_400,
  /** A week: no guardrail window or wait is longer. */
  windowSeconds: 7 * 86_400,
  /** Durable executions wait at most a year; approvals here at most a week. */
  approvalSeconds: 7 * 86_400,
  confirmChecks: 20,
  actionsPerHour: 60,
  maxConnections: 100_000,
} as const;

function validateLimits(config: AutopilotConfig, fail: (field: string, detail: string) => never): void {
  const integer = (field: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value)) fail(field, `must be a whole number, got ${value}`);
    if (value < min || value > max) fail(field, `must be between ${min} and ${max}, got ${value}`);
  };
  /** Whole seconds, 0 allowed (no wait), at most a week unless said otherwise. */
  const window = (field: string, value: number, max: number = LIMITS.windowSeconds, min = 0) => integer(field, value, min, max);
  const g = config.guardrails;
  const s = g.scaling;

  integer('maxEventAgeSeconds', config.maxEventAgeSeconds, 1, LIMITS.maxEventAgeSeconds);
  integer('database.port', config.database.port, 1, 65_535);
  integer('database.maxConnections', config.database.maxConnections, 1, LIMITS.maxConnections);
  integer('database.backupRetentionDays', config.database.backupRetentionDays, 1, 35);

  integer('guardrails.scaling.minTasks', s.minTasks, 1, LIMITS.maxTasks);
  integer('guardrails.scaling.maxTasks', s.maxTasks, s.minTasks, LIMITS.maxTasks);
  integer('guardrails.scaling.maxStepUp', s.maxStepUp, 1, s.maxTasks);
  integer('guardrails.scaling.scaleDownStep', s.scaleDownStep, 1, s.maxTasks);
  integer('guardrails.scaling.actionsPerHour', s.actionsPerHour, 1, LIMITS.actionsPerHour);
  window('guardrails.scaling.cooldownSeconds', s.cooldownSeconds);
  window('guardrails.scaling.stabilisationSeconds', s.stabilisationSeconds);
  window('guardrails.scaling.restartCooldownSeconds', s.restartCooldownSeconds);
  integer('secondaryService.desiredCount', config.secondaryService.desiredCount, 1, LIMITS.maxTasks);

  window('guardrails.lockTtlSeconds', g.lockTtlSeconds, LIMITS.windowSeconds, 1);
  integer('guardrails.circuitBreaker.maxActions', g.circuitBreaker.maxActions, 1, LIMITS.breakerMaxActions);
  window('guardrails.circuitBreaker.windowSeconds', g.circuitBreaker.windowSeconds, LIMITS.windowSeconds, 1);
  integer('guardrails.circuitBreaker.maxMutations', g.circuitBreaker.maxMutations, g.circuitBreaker.maxActions, LIMITS.breakerMaxMutations);

  const f = g.failover;
  integer('guardrails.failover.confirmChecks', f.confirmChecks, 1, LIMITS.confirmChecks);
  window('guardrails.failover.confirmIntervalSeconds', f.confirmIntervalSeconds);
  window('guardrails.failover.maxReplicaLagSeconds', f.maxReplicaLagSeconds, 86_400, 1);
  window('guardrails.failover.minSecondsBetweenFailovers', f.minSecondsBetweenFailovers);
  window('guardrails.failover.approvalTimeoutSeconds', f.approvalTimeoutSeconds, LIMITS.approvalSeconds, 1);
  window('guardrails.failover.promotionTimeoutSeconds', f.promotionTimeoutSeconds, LIMITS.windowSeconds, 1);
  window('guardrails.failover.serviceStableTimeoutSeconds', f.serviceStableTimeoutSeconds, LIMITS.windowSeconds, 1);

  const r = g.rollback;
  window('guardrails.rollback.windowSeconds', r.windowSeconds);
  window('guardrails.rollback.rolloutTimeoutSeconds', r.rolloutTimeoutSeconds, LIMITS.windowSeconds, 1);
  window('guardrails.rollback.alarmOkTimeoutSeconds', r.alarmOkTimeoutSeconds, LIMITS.windowSeconds, 1);
  window('guardrails.rollback.stableForSeconds', r.stableForSeconds);
  window('guardrails.rollback.approvalTimeoutSeconds', r.approvalTimeoutSeconds, LIMITS.approvalSeconds, 1);

  const rs = g.restore;
  window('guardrails.restore.approvalTimeoutSeconds', rs.approvalTimeoutSeconds, LIMITS.approvalSeconds, 1);
  window('guardrails.restore.restoreTimeoutSeconds', rs.restoreTimeoutSeconds, LIMITS.windowSeconds, 1);
  integer('guardrails.restore.s3MaxObjectsPerRun', rs.s3MaxObjectsPerRun, 1, LIMITS.s3MaxObjectsPerRun);
  // One S3 page's copies count as that many mutations: a breaker below the per-run bound could never let a full page through.
  if (g.circuitBreaker.maxMutations < rs.s3MaxObjectsPerRun) {
    fail('guardrails.circuitBreaker.maxMutations', `must be at least guardrails.restore.s3MaxObjectsPerRun (${rs.s3MaxObjectsPerRun}), got ${g.circuitBreaker.maxMutations}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Why an EventBridge schedule expression is invalid, or undefined when it is valid:
 * `rate(value unit)` with a positive value, the unit singular for 1 and plural above
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html), or
 * `cron(...)` with its six fields
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
 */
export function scheduleProblem(expression: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const plural = rate[2]!.endsWith('s');
    if (value < 1) return `a rate must be a positive number, got "${expression}"`;
    if ((value === 1) === plural) return `the unit is singular for 1 and plural above (rate(1 day), rate(2 days)), got "${expression}"`;
    return undefined;
  }
  if (/^cron\(\S+( \S+){5}\)$/.test(expression)) return undefined;
  return `must be an EventBridge schedule expression, rate(1 day) or cron(0 6 * * ? *), got "${expression}"`;
}
