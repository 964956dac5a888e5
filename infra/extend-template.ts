/**
 * Everything serverless@3 does not generate, added to its compiled template in one pass
 * (called by infra/autopilot-plugin.cjs after serverless compiled functions and events):
 * per-function roles, the state table, the paging topics, EventBridge rules with their
 * DLQ, async failure destinations, DLQ alarms, and durable workflows with their alias.
 */
import type { AutopilotConfig } from '../domain/config';
import type { RuleSpec } from '../domain/event-patterns';
import type { CfnResource, CfnTemplate } from './cfn';
import { deliveryResources } from './delivery';
import { durableConfigFor, makeDurable } from './durable';
import { privateBusResource } from './event-bus';
import { deployedFunctions, intakeOf, operatorFunction, preflightFunction, TIMEOUT_SECONDS, type DeployedFunction, type OperatorFunction } from './functions';
import { ENV } from '../handlers/shared/contract';
import { OPERATOR_ROLE_ID, PRIVATE_BUS_ID, STATE_TABLE_ID } from './logical-ids';
import { pagingResources, type PagingParams } from './paging-topics';
import { HAND_OFF_RUNBOOKS, humanOperatorRoleResource, operatorRoleResource, preflightRoleResource, roleResource, type PermissionParams } from './permissions';
import { PREFLIGHT_SCHEDULE_RULE_ID, preflightScheduleResources } from './preflight';
import { stateTableResource } from './state-table';
import { standbyResources } from './standby';

export type DeployParams = PermissionParams & PagingParams;

export interface ExtendInputs {
  stage: string;
  config: AutopilotConfig;
  rules: readonly RuleSpec[];
  params: DeployParams;
  /** serverless function key -> logical id of the AWS::Lambda::Version serverless compiled for it. */
  versionLogicalIds: Readonly<Record<string, string | undefined>>;
}

export interface ExtendResult {
  functions: DeployedFunction[];
  /** workflow key -> the version id its alias points at (after folding DurableConfig into the hash). */
  workflowVersions: Record<string, string>;
}

export function extendTemplate(template: CfnTemplate, inputs: ExtendInputs): ExtendResult {
  const { config, stage } = inputs;
  const fns = deployedFunctions(stage);
  const operator = operatorFunction(stage);
  const preflight = preflightFunction(stage);
  checkCompiledFunctions(template, fns, [operator, preflight]);

  // Only these roles may put events on the private bus: the hand-off intakes and the operator function.
  const busWriters = [...HAND_OFF_RUNBOOKS.filter((rb) => fns.some((f) => f.runbook === rb && f.kind === 'intake')).map((rb) => intakeOf(fns, rb).roleLogicalId), operator.roleLogicalId];
  const added: Record<string, CfnResource> = {
    [STATE_TABLE_ID]: stateTableResource(stage),
    [PRIVATE_BUS_ID]: privateBusResource(stage, busWriters),
    ...pagingResources(config, inputs.params),
    // Only the deployed runbooks' rules (a standby stage runs database-failover alone).
    ...deliveryResources(config, inputs.rules.filter((r) => config.deployment.runbooks.includes(r.runbook)), fns, [PREFLIGHT_SCHEDULE_RULE_ID]),
    // The scheduled readiness check: its schedule rule, its permission, its on-failure destination, its own role.
    ...preflightScheduleResources(config, preflight),
    [preflight.roleLogicalId]: preflightRoleResource(preflight, fns, operator, config),
    ...standbyResources(config),
    [operator.roleLogicalId]: operatorRoleResource(operator, fns, config),
    [OPERATOR_ROLE_ID]: humanOperatorRoleResource(stage, operator),
  };
  for (const fn of fns) added[fn.roleLogicalId] = roleResource(fn, fns, config, inputs.params);
  for (const [id, resource] of Object.entries(added)) {
    if (template.Resources[id] !== undefined) throw new Error(`logical id ${id} is already in the compiled template`);
    template.Resources[id] = resource;
  }

  const workflowVersions: Record<string, string> = {};
  for (const fn of fns.filter((f) => f.kind === 'workflow')) {
    const versionId = inputs.versionLogicalIds[fn.key];
    if (versionId === undefined) throw new Error(`workflow ${fn.key} has no published version: keep provider.versionFunctions on`);
    workflowVersions[fn.key] = makeDurable(template, fn, versionId, durableConfigFor(fn.runbook, config));
  }
  return { functions: fns, workflowVersions };
}

/** The functions serverless compiled are exactly the contract's, each on its own role, with our environment. */
function checkCompiledFunctions(template: CfnTemplate, fns: readonly DeployedFunction[], others: readonly OperatorFunction[]): void {
  const compiled = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([id]) => id);
  const expected = [...fns.map((f) => f.functionLogicalId), ...others.map((o) => o.functionLogicalId)];
  const missing = expected.filter((id) => !compiled.includes(id));
  const extra = compiled.filter((id) => !expected.includes(id));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`compiled functions differ from RUNBOOK_FUNCTIONS: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`);
  }
  if (template.Resources.IamRoleLambdaExecution !== undefined) {
    throw new Error('serverless generated its shared IamRoleLambdaExecution: every function must name its own role');
  }
  for (const fn of [...fns, ...others]) {
    const props = template.Resources[fn.functionLogicalId]?.Properties ?? {};
    const role = JSON.stringify(props.Role);
    if (role !== JSON.stringify({ 'Fn::GetAtt': [fn.roleLogicalId, 'Arn'] })) {
      throw new Error(`${fn.functionLogicalId} runs as ${role}, not its own role ${fn.roleLogicalId}`);
    }
    const timeout = 'kind' in fn ? TIMEOUT_SECONDS[fn.kind] : fn.timeoutSeconds;
    if (props.Timeout !== timeout) throw new Error(`${fn.functionLogicalId}: Timeout ${String(props.Timeout)} is not ${timeout}`);
    const variables = (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const absent = Object.values(ENV).filter((name) => variables[name] === undefined);
    if (absent.length > 0) throw new Error(`${fn.functionLogicalId} lacks environment ${absent.join(', ')} (provider.environment in serverless.yml)`);
  }
}
