/**
 * The environment every function receives (names from ENV in handlers/shared/contract.ts).
 *
 * AUTOPILOT_CONFIG is the stage configuration with the paging topic ARNs replaced by the
 * topics this stack creates (Fn::Sub), so the code publishes exactly where the template
 * subscribed PagerDuty. WORKFLOW_ARNS are alias ARNs built from names (not Refs): a
 * workflow's own environment cannot reference its alias without a dependency cycle.
 *
 * Set through serverless.yml (before serverless compiles the functions) so that a
 * change of configuration changes the version hash and publishes a new version behind
 * the workflow alias.
 */
import { defaultConfig, type AutopilotConfig, type RunbookId, type Severity } from '../domain/config';
import { ENV } from '../handlers/shared/contract';
import { escapeSub, ref, sub, type CfnValue } from './cfn';
import { SERVICE, workflowAliasArnTemplate, type DeployedFunction } from './functions';
import { STATE_TABLE_ID, topicId } from './logical-ids';

/** Lambda's limit on the total size of a function's environment variables (keys + values). */
export const ENVIRONMENT_LIMIT_BYTES = 4096;
/** Longest value an unknown Ref can become. */
const SUBSTITUTED_REF_MAX = 120;
const PSEUDO_PARAMETER_MAX: Record<string, number> = { 'AWS::Partition': 10, 'AWS::Region': 14, 'AWS::AccountId': 12 };

export const POWERTOOLS_SERVICE_NAME = SERVICE;
export const EVENT_BUS_NAME = 'default';

/**
 * Environment shared by every function (provider.environment). WORKFLOW_ARNS is per
 * function (workflowEnvironment): each function only ever starts its own runbook's
 * workflow, and Lambda's 4 KB budget is mostly taken by AUTOPILOT_CONFIG.
 */
export function functionEnvironment(config: AutopilotConfig, logLevel = 'INFO'): Record<string, CfnValue> {
  return {
    [ENV.config]: configWithDeployedTopics(config),
    [ENV.table]: ref(STATE_TABLE_ID),
    [ENV.eventBus]: EVENT_BUS_NAME,
    POWERTOOLS_SERVICE_NAME,
    POWERTOOLS_LOG_LEVEL: logLevel,
  };
}

/** WORKFLOW_ARNS of one function: its runbook's workflow alias ARN, or {} when the runbook has none. */
export function workflowEnvironment(fn: DeployedFunction, fns: readonly DeployedFunction[]): Record<string, CfnValue> {
  const own = fns.filter((f) => f.runbook === fn.runbook);
  return { [ENV.workflowArns]: sub(JSON.stringify(workflowArnTemplates(own))) };
}

/** Fails the package when a function's environment could exceed Lambda's 4 KB once deployed. */
export function checkEnvironmentSize(config: AutopilotConfig, env: Record<string, CfnValue>, functionKey: string): void {
  const size = estimatedEnvironmentBytes(env, topicRefBounds(config));
  if (size > ENVIRONMENT_LIMIT_BYTES) {
    throw new Error(`environment of ${functionKey} would be up to ${size} bytes, over Lambda's ${ENVIRONMENT_LIMIT_BYTES}: shorten config/${config.stage}.json`);
  }
}

/** A topic Ref becomes arn:<partition>:sns:<region>:<account>:<name>; the name is known. */
function topicRefBounds(config: AutopilotConfig): Record<string, number> {
  const bounds: Record<string, number> = {};
  for (const severity of ['P1', 'P2', 'P3', 'P4'] as const) {
    const name = config.paging.topics[severity].split(':').pop() ?? '';
    bounds[topicId(severity)] = 'arn::sns:::'.length + PSEUDO_PARAMETER_MAX['AWS::Partition']! + PSEUDO_PARAMETER_MAX['AWS::Region']! + 12 + name.length;
  }
  bounds[STATE_TABLE_ID] = 255; // DynamoDB table name limit
  return bounds;
}

/** RunbookId -> alias ARN template (Fn::Sub syntax) for every runbook that has a workflow. */
export function workflowArnTemplates(fns: readonly DeployedFunction[]): Partial<Record<RunbookId, string>> {
  const out: Partial<Record<RunbookId, string>> = {};
  for (const fn of fns) if (fn.kind === 'workflow') out[fn.runbook] = workflowAliasArnTemplate(fn);
  return out;
}

/** The config JSON as an Fn::Sub whose topic ARNs are the Refs of the stack's own topics. */
export function configWithDeployedTopics(config: AutopilotConfig): CfnValue {
  const placeholders: Record<Severity, string> = { P1: '', P2: '', P3: '', P4: '' };
  const marked: AutopilotConfig = { ...config, paging: { ...config.paging, topics: { ...config.paging.topics } } };
  for (const severity of Object.keys(placeholders) as Severity[]) {
    placeholders[severity] = `@@TOPIC_${severity}@@`;
    marked.paging.topics[severity] = placeholders[severity];
  }
  let json = escapeSub(JSON.stringify(differingFromDefaults(marked)));
  for (const severity of Object.keys(placeholders) as Severity[]) {
    json = json.replace(placeholders[severity], `\${${topicId(severity)}}`);
  }
  return sub(json);
}

/** Top-level keys the runtime requires in AUTOPILOT_CONFIG (handlers/shared/runtime.ts parseConfig). */
const REQUIRED_CONFIG_KEYS = ['stage', 'accountIds', 'primaryRegion', 'service', 'database', 'guardrails', 'paging', 'alarms'];

/**
 * The config without the values equal to the built-in defaults: the function merges
 * AUTOPILOT_CONFIG over the same defaults (config/load.ts configFromValue, bundled with it),
 * so it runs with exactly this config, and Lambda's 4 KB environment is spent on what the
 * stage sets. Arrays are values (a merge replaces them), objects are compared key by key.
 */
export function differingFromDefaults(config: AutopilotConfig): Record<string, unknown> {
  const delta = (value: unknown, base: unknown): unknown => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || base === null || typeof base !== 'object' || Array.isArray(base)) {
      return JSON.stringify(value) === JSON.stringify(base) ? undefined : value;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const d = delta(v, (base as Record<string, unknown>)[k]);
      if (d !== undefined) out[k] = d;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const out = (delta(config, defaultConfig) ?? {}) as Record<string, unknown>;
  const full = config as unknown as Record<string, unknown>;
  for (const key of REQUIRED_CONFIG_KEYS) {
    if (out[key] === undefined) out[key] = isObject(full[key]) ? {} : full[key];
  }
  return out;
}

function isObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Upper bound of the deployed size: every `${...}` counted as the longest ARN it can become. */
export function estimatedEnvironmentBytes(env: Record<string, CfnValue>, refBounds: Record<string, number> = {}): number {
  let total = 0;
  for (const [key, value] of Object.entries(env)) {
    total += Buffer.byteLength(key);
    if (typeof value === 'string') total += Buffer.byteLength(value);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value['Fn::Sub'] === 'string') {
      const template = value['Fn::Sub'];
      const refs = [...template.matchAll(/\$\{([^!][^}]*)\}/g)].map((m) => m[1] ?? '');
      total += Buffer.byteLength(template.replace(/\$\{[^!][^}]*\}/g, ''));
      for (const name of refs) total += PSEUDO_PARAMETER_MAX[name] ?? refBounds[name] ?? SUBSTITUTED_REF_MAX;
    } else {
      const refName = value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.Ref === 'string' ? value.Ref : '';
      total += refBounds[refName] ?? SUBSTITUTED_REF_MAX;
    }
  }
  return total;
}
