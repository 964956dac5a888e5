/**
 * What serverless.yml reads through infra/serverless-vars.cjs: the `functions:` block and
 * the provider environment, both generated from the contract and the stage configuration.
 */
import { loadConfig } from '../config/load';
import type { CfnValue } from './cfn';
import { checkEnvironmentSize, functionEnvironment, operatorEnvironment, preflightEnvironment, runbookFunctionConfig, workflowEnvironment } from './environment';
import { deployedFunctions, operatorFunction, preflightFunction, TIMEOUT_SECONDS } from './functions';

export interface ServerlessFunction {
  handler: string;
  description: string;
  /** Logical id of the function's own role (serverless then skips its shared role). */
  role: string;
  timeout: number;
  memorySize: number;
  /** Merged over provider.environment by serverless. */
  environment: Record<string, CfnValue>;
}

export function serverlessFunctions(stage: string): Record<string, ServerlessFunction> {
  const config = loadConfig(stage);
  const shared = functionEnvironment(runbookFunctionConfig(config));
  const fns = deployedFunctions(stage);
  const out: Record<string, ServerlessFunction> = {};
  for (const fn of fns) {
    const environment = workflowEnvironment(fn, fns);
    checkEnvironmentSize(config, { ...shared, ...environment }, fn.key);
    out[fn.key] = {
      handler: fn.handler,
      description: fn.description,
      role: fn.roleLogicalId,
      timeout: TIMEOUT_SECONDS[fn.kind],
      memorySize: 512,
      environment,
    };
  }
  // The operator-request function starts no workflow: it answers gates through callbacks.
  const operator = operatorFunction(stage);
  const operatorEnv = operatorEnvironment(config);
  checkEnvironmentSize(config, { ...shared, ...operatorEnv }, operator.key);
  out[operator.key] = {
    handler: operator.handler,
    description: operator.description,
    role: operator.roleLogicalId,
    timeout: operator.timeoutSeconds,
    memorySize: 256,
    environment: operatorEnv,
  };
  // The scheduled readiness check: invoked by its schedule rule (infra/preflight.ts), never by an event of the estate.
  const preflight = preflightFunction(stage);
  const preflightEnv = preflightEnvironment();
  checkEnvironmentSize(config, { ...shared, ...preflightEnv }, preflight.key);
  out[preflight.key] = {
    handler: preflight.handler,
    description: preflight.description,
    role: preflight.roleLogicalId,
    timeout: preflight.timeoutSeconds,
    memorySize: 512,
    environment: preflightEnv,
  };
  return out;
}

export function environmentFor(stage: string, logLevel?: string): Record<string, CfnValue> {
  return functionEnvironment(runbookFunctionConfig(loadConfig(stage)), logLevel);
}

/** provider.region: where the stage's functions, state table and topics live (config deployment.region). */
export function regionFor(stage: string): string {
  return loadConfig(stage).deployment.region;
}
