/**
 * The environment every function receives (names from ENV in handlers/shared/contract.ts).
 *
 * AUTOPILOT_CONFIG is the stage configuration's difference from the defaults (the function
 * merges it over the same defaults at cold start: config/load.ts configFromValue), with the
 * paging topic ARNs replaced by the topics this stack creates (Fn::Sub), so the code
 * publishes exactly where the template subscribed PagerDuty. Only the difference travels
 * because the whole configuration no longer fits Lambda's 4 KB environment. WORKFLOW_ARNS are alias ARNs built from names (not Refs): a
 * workflow's own environment cannot reference its alias without a dependency cycle.
 *
 * Set through serverless.yml (before serverless compiles the functions) so that a
 * change of configuration changes the version hash and publishes a new version behind
 * the workflow alias.
 */
import { defaultConfig, type AutopilotConfig, type RunbookId, type Severity } from '../domain/config';
import { ENV, PREFLIGHT_ENV } from '../handlers/shared/contract';
import { escapeSub, getAtt, ref, sub, type CfnValue } from './cfn';
import { privateBusName } from './event-bus';
import { SERVICE, workflowAliasArnTemplate, type DeployedFunction } from './functions';
import { PAGING_KEY_ID, PRIVATE_BUS_ID, STATE_TABLE_ID, topicId } from './logical-ids';

/** Lambda's limit on the total size of a function's environment variables (keys + values). */
export const ENVIRONMENT_LIMIT_BYTES = 4096;
/** Longest value an unknown Ref can become. */
const SUBSTITUTED_REF_MAX = 120;
const PSEUDO_PARAMETER_MAX: Record<string, number> = { 'AWS::Partition': 10, 'AWS::Region': 14, 'AWS::AccountId': 12 };

export const POWERTOOLS_SERVICE_NAME = SERVICE;

/**
 * Environment shared by every function (provider.environment). WORKFLOW_ARNS is per
 * function (workflowEnvironment): each function only ever starts its own runbook's
 * workflow, and Lambda's 4 KB budget is mostly taken by AUTOPILOT_CONFIG.
 */
export function functionEnvironment(config: AutopilotConfig, logLevel = 'INFO'): Record<string, CfnValue> {
  return {
    [ENV.config]: configWithDeployedTopics(config),
    [ENV.table]: ref(STATE_TABLE_ID),
    // Hand-offs and relayed requests go to the private bus (its Ref is its name).
    [ENV.eventBus]: ref(PRIVATE_BUS_ID),
    POWERTOOLS_SERVICE_NAME,
    POWERTOOLS_LOG_LEVEL: logLevel,
  };
}

/**
 * The configuration the runbook functions receive: without config.operators, which only the
 * operator-request function reads (its own AUTOPILOT_CONFIG carries the lists). The lists
 * grow with the team; Lambda's 4 KB environment does not. A function that parses this gets
 * the defaults for what is left out (empty lists: nobody may ask or approve there).
 */
export function runbookFunctionConfig(config: AutopilotConfig): AutopilotConfig {
  const { operators: _operatorsOnlyForTheOperatorFunction, ...rest } = config;
  return rest as AutopilotConfig;
}

/** The operator-request function's own environment: the whole config, no workflows to start. */
export function operatorEnvironment(config: AutopilotConfig): Record<string, CfnValue> {
  return { [ENV.config]: configWithDeployedTopics(config), [ENV.workflowArns]: '{}' };
}

/** The scheduled preflight's own environment: no workflow to start; the paging key it simulates its peers' KMS grant on. */
export function preflightEnvironment(): Record<string, CfnValue> {
  return { [ENV.workflowArns]: '{}', [PREFLIGHT_ENV.pagingKeyArn]: getAtt(PAGING_KEY_ID, 'Arn') };
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
  bounds[PRIVATE_BUS_ID] = privateBusName(config.stage).length; // its Ref is its name
  return bounds;
}

/** RunbookId -> alias ARN template (Fn::Sub syntax) for every runbook that has a workflow. */
export function workflowArnTemplates(fns: readonly DeployedFunction[]): Partial<Record<RunbookId, string>> {
  const out: Partial<Record<RunbookId, string>> = {};
  for (const fn of fns) if (fn.kind === 'workflow') out[fn.runbook] = workflowAliasArnTemplate(fn);
  return out;
}

/** The fields a deployed function's AUTOPILOT_CONFIG carries whole (parseConfig requires them). */
export const DEPLOYED_ESTATE_FIELDS = ['stage', 'accountIds', 'primaryRegion', 'service', 'database', 'alarms'] as const;

/**
 * What `config` sets differently from `base`: objects key by key, arrays and scalars whole
 * (a stage file's array replaces the default's, so a changed array travels whole).
 * Merging the result over `base` gives `config` back.
 */
export function configDifference(config: unknown, base: unknown): unknown {
  if (isObject(config) && isObject(base)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
      if (!(key in base)) {
        out[key] = value;
        continue;
      }
      const diff = configDifference(value, base[key]);
      if (diff !== undefined) out[key] = diff;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return JSON.stringify(config) === JSON.stringify(base) ? undefined : config;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The config's difference from the defaults as an Fn::Sub whose topic ARNs are the Refs of the stack's own topics. */
export function configWithDeployedTopics(config: AutopilotConfig): CfnValue {
  const placeholders: Record<Severity, string> = { P1: '', P2: '', P3: '', P4: '' };
  for (const severity of Object.keys(placeholders) as Severity[]) placeholders[severity] = `@@TOPIC_${severity}@@`;
  const difference = (configDifference(config, defaultConfig) ?? {}) as Record<string, unknown>;
  // The estate always travels whole, even where it equals the defaults: a function whose
  // environment does not name its account, region, service and database refuses to start
  // (adapters/runtime/environment.ts parseConfig) rather than act on the example estate.
  const estate = Object.fromEntries(DEPLOYED_ESTATE_FIELDS.map((k) => [k, config[k]]));
  const marked = {
    ...difference,
    ...estate,
    guardrails: difference.guardrails ?? {},
    // The topics always travel: they are the stack's own, substituted below.
    paging: { ...((difference.paging as Record<string, unknown> | undefined) ?? {}), topics: placeholders },
  };
  let json = escapeSub(JSON.stringify(marked));
  for (const severity of Object.keys(placeholders) as Severity[]) {
    json = json.replace(placeholders[severity], `\${${topicId(severity)}}`);
  }
  return sub(json);
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
