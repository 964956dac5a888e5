/**
 * Durable workflows: serverless@3 does not know them, so the compiled function gets its
 * DurableConfig here, plus the alias every start goes through.
 *
 * - DurableConfig (AWS::Lambda::Function, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-durableconfig.html):
 *   ExecutionTimeout bounds the whole execution (waits included), RetentionPeriodInDays
 *   keeps the history for the post-mortem.
 * - The alias points at the version serverless publishes (AWS::Lambda::Version with a hashed
 *   logical id). The hash covers the function's properties as serverless compiled them, so
 *   DurableConfig, added afterwards, is folded into a new version id: a change of it
 *   publishes a new version, like any other configuration change.
 */
import { createHash } from 'node:crypto';
import type { AutopilotConfig, RunbookId } from '../domain/config';
import { WORKFLOW_ALIAS } from '../handlers/shared/contract';
import { getAtt, ref, type CfnTemplate, type CfnValue } from './cfn';
import type { DeployedFunction } from './functions';
import { aliasId } from './logical-ids';

/** Longest execution Lambda allows (366 days). */
const MAX_EXECUTION_SECONDS = 31_622_400;
/** Room for steps, retries and hand-offs around the configured waits. */
const SLACK_SECONDS = 3_600;
/**
 * Each workflow bounds its own waits (every wait has a configured timeout and pages when it
 * expires), so DurableConfig is only the backstop and must never be what ends a
 * remediation mid-flight: at least a day, more when the configured waits add up to more.
 */
const MIN_EXECUTION_SECONDS = 86_400;
export const RETENTION_DAYS = 30;

export interface DurableConfig {
  ExecutionTimeout: number;
  RetentionPeriodInDays: number;
}

/** The backstop on a runbook's whole execution: its configured waits plus slack, at least a day. */
export function executionTimeoutSeconds(runbook: RunbookId, config: AutopilotConfig): number {
  const g = config.guardrails;
  let waits: number;
  switch (runbook) {
    case 'database-failover':
      waits = g.failover.confirmChecks * g.failover.confirmIntervalSeconds + g.failover.approvalTimeoutSeconds + g.failover.promotionTimeoutSeconds + g.failover.serviceStableTimeoutSeconds;
      break;
    case 'rollback-deployment':
      waits = g.rollback.approvalTimeoutSeconds + g.rollback.rolloutTimeoutSeconds + g.rollback.alarmOkTimeoutSeconds;
      break;
    case 'scale-ecs': {
      // Scale-in one step at a time, each after a cooldown and a stabilisation window.
      const steps = Math.ceil((g.scaling.maxTasks - g.scaling.minTasks) / Math.max(1, g.scaling.scaleDownStep));
      waits = g.scaling.stabilisationSeconds + steps * (g.scaling.cooldownSeconds + g.scaling.stabilisationSeconds);
      break;
    }
    case 'restore-from-backup':
      // Snapshot, restore, human verification, then the service roll-out.
      waits = 2 * g.restore.restoreTimeoutSeconds + g.restore.approvalTimeoutSeconds + g.rollback.rolloutTimeoutSeconds;
      break;
    case 'investigate-5xx':
      waits = 0;
      break;
  }
  return Math.min(MAX_EXECUTION_SECONDS, Math.max(MIN_EXECUTION_SECONDS, waits + SLACK_SECONDS));
}

export function durableConfigFor(runbook: RunbookId, config: AutopilotConfig): DurableConfig {
  return { ExecutionTimeout: executionTimeoutSeconds(runbook, config), RetentionPeriodInDays: RETENTION_DAYS };
}

/**
 * Adds DurableConfig and the alias for one workflow, in place. `versionLogicalId` is the
 * AWS::Lambda::Version serverless compiled for it; returns the (re-hashed) version id.
 */
export function makeDurable(template: CfnTemplate, fn: DeployedFunction, versionLogicalId: string, durable: DurableConfig): string {
  const fnResource = template.Resources[fn.functionLogicalId];
  if (fnResource?.Type !== 'AWS::Lambda::Function' || fnResource.Properties === undefined) {
    throw new Error(`workflow ${fn.key}: no AWS::Lambda::Function ${fn.functionLogicalId} in the compiled template`);
  }
  if (template.Resources[versionLogicalId]?.Type !== 'AWS::Lambda::Version') {
    throw new Error(`workflow ${fn.key}: no AWS::Lambda::Version ${versionLogicalId} (is versionFunctions off?)`);
  }
  fnResource.Properties.DurableConfig = { ...durable };

  const digest = createHash('sha256').update(versionLogicalId).update(JSON.stringify(durable)).digest('base64').replace(/[^A-Za-z0-9]/g, '');
  const newVersionId = `${fn.functionLogicalId.replace(/LambdaFunction$/, '')}LambdaVersion${digest}`;
  renameLogicalId(template, versionLogicalId, newVersionId);

  template.Resources[aliasId(fn.functionLogicalId)] = {
    Type: 'AWS::Lambda::Alias',
    Properties: {
      Name: WORKFLOW_ALIAS,
      Description: 'Every start of this durable workflow goes through this alias (never $LATEST)',
      FunctionName: ref(fn.functionLogicalId),
      FunctionVersion: getAtt(newVersionId, 'Version'),
    },
  };
  template.Outputs = template.Outputs ?? {};
  template.Outputs[`${aliasId(fn.functionLogicalId)}Arn`] = {
    Description: `Alias ARN to start ${fn.name} through`,
    Value: ref(aliasId(fn.functionLogicalId)),
  };
  return newVersionId;
}

/** Renames a resource and every Ref / GetAtt / DependsOn naming it. */
export function renameLogicalId(template: CfnTemplate, from: string, to: string): void {
  const resource = template.Resources[from];
  if (resource === undefined) throw new Error(`no resource ${from} to rename`);
  delete template.Resources[from];
  template.Resources[to] = resource;
  const rewrite = (value: CfnValue): CfnValue => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value !== null && typeof value === 'object') {
      const out: { [key: string]: CfnValue } = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === 'Ref' && v === from) out[k] = to;
        else if (k === 'Fn::GetAtt' && Array.isArray(v) && v[0] === from) out[k] = [to, ...v.slice(1)];
        else out[k] = rewrite(v);
      }
      return out;
    }
    return value;
  };
  for (const r of Object.values(template.Resources)) {
    if (r.Properties !== undefined) r.Properties = rewrite(r.Properties) as { [key: string]: CfnValue };
    if (r.DependsOn === from) r.DependsOn = to;
    else if (Array.isArray(r.DependsOn)) r.DependsOn = r.DependsOn.map((d) => (d === from ? to : d));
  }
  for (const output of Object.values(template.Outputs ?? {})) output.Value = rewrite(output.Value);
}
