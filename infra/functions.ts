/**
 * The deployed functions, derived from RUNBOOK_FUNCTIONS (handlers/shared/contract.ts):
 * serverless.yml's `functions:` is generated from this list (infra/serverless-vars.cjs), so
 * the contract, the template and the drill name the same nine functions.
 */
import { loadConfig } from '../config/load';
import { RUNBOOKS, type RunbookId } from '../domain/config';
import { OPERATOR_FUNCTION, RUNBOOK_FUNCTIONS, WORKFLOW_ALIAS } from '../handlers/shared/contract';
import { pascal, sub, type CfnValue } from './cfn';

export const SERVICE = 'runbook-autopilot';

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
  /** Logical id serverless gives the AWS::Lambda::Function (its naming: upper-first key + LambdaFunction). */
  functionLogicalId: string;
  description: string;
}

/** Per-invocation Lambda timeout. A durable workflow's whole run is bounded by DurableConfig instead. */
export const TIMEOUT_SECONDS: Record<FunctionKind, number> = { intake: 60, workflow: 900 };

export function deployedFunctions(stage: string): DeployedFunction[] {
  const out: DeployedFunction[] = [];
  // A standby stage (config deployment.runbooks) deploys only its runbooks' functions.
  const deployed = loadConfig(stage).deployment.runbooks;
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
  const name = `${SERVICE}-${stage}-${key}`;
  if (name.length > 64) throw new Error(`function name ${name} is longer than Lambda's 64 characters`);
  return {
    key,
    runbook,
    kind,
    handler,
    name,
    roleLogicalId: `${pascal(key)}Role`,
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
  functionLogicalId: string;
  description: string;
  timeoutSeconds: number;
}

export function operatorFunction(stage: string): OperatorFunction {
  const key = OPERATOR_FUNCTION.key;
  const name = `${SERVICE}-${stage}-${key}`;
  if (name.length > 64) throw new Error(`function name ${name} is longer than Lambda's 64 characters`);
  return {
    key,
    handler: OPERATOR_FUNCTION.handler,
    name,
    roleLogicalId: `${pascal(key)}Role`,
    functionLogicalId: `${key[0]!.toUpperCase()}${key.slice(1)}LambdaFunction`,
    description: 'Operator requests and approvals: verifies the caller with STS, checks config.operators, relays to the private bus or answers a human gate',
    timeoutSeconds: 30,
  };
}
