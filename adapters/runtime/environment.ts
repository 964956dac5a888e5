/**
 * The deployed functions' runtime, read from their environment (ENV in handlers/shared/contract.ts):
 * built on first use in a container, then reused by every warm invocation.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AutopilotConfig, RunbookId } from '../../domain/config';
import { RUNBOOKS } from '../../domain/config';
import { configFromValue } from '../../config/load';
import { ENV, PREFLIGHT_ENV } from '../../handlers/shared/contract';
import type { WorkflowClock } from '../durable';
import { SystemClock } from '../system-clock';
import { createRuntime } from './create-runtime';
import { autopilotLogger, callLogger } from './logging';
import type { Runtime } from './runtime-types';

let production: Runtime | undefined;

/** The deployed functions' runtime: built on first use, then reused by every warm invocation. */
export function productionRuntime(): Runtime {
  production ??= runtimeFromEnv(process.env, new SystemClock(), autopilotLogger);
  return production;
}

/** Reads ENV.*; a missing or invalid variable is an error naming it. */
export function runtimeFromEnv(env: NodeJS.ProcessEnv, clock: WorkflowClock, logger: Logger): Runtime {
  const config = parseConfig(required(env, ENV.config));
  const tableName = required(env, ENV.table);
  const workflowArns = parseWorkflowArns(env[ENV.workflowArns]);
  return createRuntime({
    config,
    clock,
    tableName,
    logger,
    workflowArns,
    eventBusName: env[ENV.eventBus] || undefined,
    homeRegion: env.AWS_REGION || config.primaryRegion,
    clientSetup: { onCall: callLogger(logger) },
  });
}

/** What the preflight function knows of its stack (PREFLIGHT_ENV): the table and the paging key its IAM simulation names. */
export function preflightStackFromEnv(env: NodeJS.ProcessEnv): { tableName: string; pagingKeyArn?: string } {
  const pagingKeyArn = env[PREFLIGHT_ENV.pagingKeyArn];
  return { tableName: required(env, ENV.table), ...(pagingKeyArn ? { pagingKeyArn } : {}) };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** Shallow shape check: the full config is generated at deploy time from config/<stage>.json. */
export function parseConfig(json: string): AutopilotConfig {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`environment variable ${ENV.config} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const v = value as Partial<AutopilotConfig> | null;
  const missing = (['stage', 'accountIds', 'primaryRegion', 'service', 'database', 'guardrails', 'paging', 'alarms'] as const).filter(
    (k) => v === null || typeof v !== 'object' || v[k] === undefined,
  );
  if (missing.length > 0) throw new Error(`environment variable ${ENV.config} lacks ${missing.join(', ')}`);
  const topics = (v as AutopilotConfig).paging.topics;
  const noTopic = (['P1', 'P2', 'P3', 'P4'] as const).filter((s) => typeof topics?.[s] !== 'string');
  if (noTopic.length > 0) throw new Error(`environment variable ${ENV.config} lacks paging.topics.${noTopic.join(', ')}`);
  // Every nested value checked like a stage file: unknown keys, wrong types, non-positive windows.
  return configFromValue(v, `environment variable ${ENV.config}`);
}

function parseWorkflowArns(json: string | undefined): Partial<Record<RunbookId, string>> {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`environment variable ${ENV.workflowArns} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`environment variable ${ENV.workflowArns} must be a JSON object of runbook id -> workflow alias ARN`);
  }
  const arns: Partial<Record<RunbookId, string>> = {};
  for (const [k, arn] of Object.entries(value)) {
    if (!(RUNBOOKS as readonly string[]).includes(k)) throw new Error(`environment variable ${ENV.workflowArns}: unknown runbook ${k}`);
    if (typeof arn !== 'string' || !arn.startsWith('arn:')) throw new Error(`environment variable ${ENV.workflowArns}: ${k} is not an ARN`);
    arns[k as RunbookId] = arn;
  }
  return arns;
}
