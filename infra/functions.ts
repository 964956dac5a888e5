/**
 * The deployed functions, derived from RUNBOOK_FUNCTIONS (handlers/shared/contract.ts):
 * serverless.yml's `functions:` is generated from this list (infra/serverless-vars.cjs), so
 * the contract, the template and the drill name the same nine runbook functions (plus the
 * operator-request function and the scheduled preflight, below).
 */
import { loadConfig } from '../config/load';
import { RUNBOOKS, type AutopilotConfig, type RunbookId } from '../domain/config';
import { deployedName, OPERATOR_FUNCTION, PREFLIGHT_FUNCTION, RUNBOOK_FUNCTIONS, SERVICE_NAME, WORKFLOW_ALIAS } from '../handlers/shared/contract';
import { pascal, sub, type CfnValue } from './cfn';

export const SERVICE = SERVICE_NAME;

export type FunctionKind = 'intake' | 'workflow';

export interface DeployedFunction {
  /** serverless function key (RUNBOOK_FUNCTIONS[runbook].intake / .workflow). */
  key: string;
  runbook: RunbookId;
  kind: FunctionKind;
  /** serverless `handler:` (module path + export). */
  handler: string;
  /** Physical Lambda name: serverless' default `${service}-${stage}-${key}`. */
  name: string;
  /** Logical id of the function's own IAM role. */
  roleLogicalId: string;
  /** Its role's RoleName: the function's name (the preflight's IAM simulation names each role by it). */
  roleName: string;
  /** Logical id serverless gives the AWS::Lambda::Function (its naming: upper-first key + LambdaFunction). */
  functionLogicalId: string;
  description: string;
}

/** Per-invocation Lambda timeout. A durable workflow's whole run is bounded by DurableConfig instead. */
export const TIMEOUT_SECONDS: Record<FunctionKind, number> = { intake: 60, workflow: 900 };

/**
 * `config`: the stage's configuration when the caller has it (a deployed function reads its own
 * from the environment: config/<stage>.json is not in its bundle); else config/<stage>.json.
 */
export function deployedFunctions(stage: string, config?: Pick<AutopilotConfig, 'deployment'>): DeployedFunction[] {
  const out: DeployedFunction[] = [];
  // A standby stage (config deployment.runbooks) deploys only its runbooks' functions.
  const deployed = (config ?? loadConfig(stage)).deployment.runbooks;
  for (const runbook of RUNBOOKS.filter((r) => deployed.includes(r))) {
    const spec = RUNBOOK_FUNCTIONS[runbook];
    out.push(describeFunction(stage, runbook, 'intake', spec.intake, spec.intakeHandler));
    if (spec.workflow !== undefined) {
      if (spec.workflowHandler === undefined) {
        throw new Error(`RUNBOOK_FUNCTIONS['${runbook}'] names workflow '${spec.workflow}' without a workflowHandler`);
      }
      out.push(describeFunction(stage, runbook, 'workflow', spec.workflow, spec.workflowHandler));
    }
  }
  return out;
}

function describeFunction(stage: string, runbook: RunbookId, kind: FunctionKind, key: string, handler: string): DeployedFunction {
  const name = nameOf(stage, key);
  return {
    key,
    runbook,
    kind,
    handler,
    name,
    roleLogicalId: `${pascal(key)}Role`,
    roleName: name,
    functionLogicalId: `${key[0]!.toUpperCase()}${key.slice(1)}LambdaFunction`,
    description:
      kind === 'intake'
        ? `Runbook ${runbook}: intake (EventBridge target: parse, filter, decide, act or start the workflow)`
        : `Runbook ${runbook}: durable workflow (invoked through alias '${WORKFLOW_ALIAS}')`,
  };
}

export function workflowOf(fns: readonly DeployedFunction[], runbook: RunbookId): DeployedFunction | undefined {
  return fns.find((f) => f.runbook === runbook && f.kind === 'workflow');
}

export function intakeOf(fns: readonly DeployedFunction[], runbook: RunbookId): DeployedFunction {
  const intake = fns.find((f) => f.runbook === runbook && f.kind === 'intake');
  if (intake === undefined) throw new Error(`no intake function for runbook ${runbook}`);
  return intake;
}

/** Function ARN in the deploying account and region, unqualified or with a qualifier/pattern. */
export function functionArn(fn: DeployedFunction, qualifier?: string): CfnValue {
  const base = `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${fn.name}`;
  return sub(qualifier === undefined ? base : `${base}:${qualifier}`);
}

/** The alias ARN a workflow is invoked through (durable functions refuse unqualified invocations). */
export function workflowAliasArnTemplate(fn: DeployedFunction): string {
  return `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${fn.name}:${WORKFLOW_ALIAS}`;
}

/** The operator-request function (not a runbook): its own role, invoked synchronously by the CLI. */
export interface OperatorFunction {
  key: string;
  handler: string;
  name: string;
  roleLogicalId: string;
  roleName: string;
  functionLogicalId: string;
  description: string;
  timeoutSeconds: number;
}

export function operatorFunction(stage: string): OperatorFunction {
  const key = OPERATOR_FUNCTION.key;
  const name = nameOf(stage, key);
  return {
    key,
    handler: OPERATOR_FUNCTION.handler,
    name,
    roleLogicalId: `${pascal(key)}Role`,
    roleName: name,
    functionLogicalId: `${key[0]!.toUpperCase()}${key.slice(1)}LambdaFunction`,
    description: 'Operator requests and approvals: verifies the caller with STS, checks config.operators, relays to the private bus or answers a human gate',
    timeoutSeconds: 30,
  };
}

/**
 * The scheduled readiness check (PREFLIGHT_FUNCTION): not a runbook, its own read-only role
 * (infra/permissions.ts preflightStatements), invoked by its schedule rule (infra/preflight.ts).
 */
export type PreflightFunction = OperatorFunction;

export function preflightFunction(stage: string): PreflightFunction {
  const key = PREFLIGHT_FUNCTION.key;
  const name = nameOf(stage, key);
  return {
    key,
    handler: PREFLIGHT_FUNCTION.handler,
    name,
    roleLogicalId: `${pascal(key)}Role`,
    roleName: name,
    functionLogicalId: `${key[0]!.toUpperCase()}${key.slice(1)}LambdaFunction`,
    description: 'Readiness check on a schedule: the preflight checks and an IAM policy simulation of every role, RunbookReady per runbook, P3 on NOT READY; read-only towards the estate',
    // About 20 reads and one IAM simulation per role statement (~130 calls, sequential: IAM throttles).
    timeoutSeconds: 300,
  };
}

/** Deployed name of a function (and of its role): Lambda and IAM both allow 64 characters. */
function nameOf(stage: string, key: string): string {
  const name = deployedName(stage, key);
  if (name.length > 64) throw new Error(`function name ${name} is longer than Lambda's 64 characters`);
  return name;
}
