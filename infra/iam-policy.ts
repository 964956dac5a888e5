/**
 * The roles as IAM evaluates them: every CloudFormation value of a role's statements
 * (Fn::Sub with pseudo parameters, Ref and Fn::GetAtt of the stack's own resources) resolved
 * to the string it becomes once deployed. The simulated region authorises each drill call
 * against these (test/simulated-region/iam.ts), and the template tests read the packaged template
 * through the same resolver, so both check the policies CloudFormation would create.
 */
import type { AutopilotConfig, RunbookId, Severity } from '../domain/config';
import type { ResolvedStatement } from '../test/simulated-region/iam';
import type { CfnTemplate, CfnValue, PolicyStatement } from './cfn';
import { deployedFunctions, operatorFunction, preflightFunction, SERVICE } from './functions';
import { ASYNC_FAILURE_QUEUE_ID, PAGING_KEY_ID, STATE_TABLE_ID, topicId } from './logical-ids';
import { operatorStatements, preflightStatements, roleStatements, simulatedRoles, type PermissionParams } from './permissions';

export interface ResolveContext {
  partition: string;
  account: string;
  region: string;
  /** Logical id -> what Ref returns. */
  refs: Record<string, string>;
  /** `LogicalId.Attribute` -> what Fn::GetAtt returns. */
  atts: Record<string, string>;
}

export function resolveValue(value: CfnValue, ctx: ResolveContext): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') {
      return sub.replace(/\$\{(!?)([^}]*)\}/g, (_m, bang: string, name: string) => {
        if (bang === '!') return `\${${name}}`;
        if (name === 'AWS::Partition') return ctx.partition;
        if (name === 'AWS::AccountId') return ctx.account;
        if (name === 'AWS::Region') return ctx.region;
        const hit = name.includes('.') ? ctx.atts[name] : ctx.refs[name];
        if (hit === undefined) throw new Error(`Fn::Sub: cannot resolve \${${name}}`);
        return hit;
      });
    }
    if (typeof value.Ref === 'string') {
      const hit = ctx.refs[value.Ref];
      if (hit === undefined) throw new Error(`Ref: cannot resolve ${value.Ref}`);
      return hit;
    }
    const att = value['Fn::GetAtt'];
    if (Array.isArray(att)) {
      const key = `${String(att[0])}.${String(att[1])}`;
      const hit = ctx.atts[key];
      if (hit === undefined) throw new Error(`Fn::GetAtt: cannot resolve ${key}`);
      return hit;
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} in a policy`);
}

export function resolveStatements(statements: readonly PolicyStatement[] | readonly Record<string, CfnValue>[], ctx: ResolveContext): ResolvedStatement[] {
  return (statements as readonly Record<string, CfnValue>[]).map((s) => {
    const condition = s.Condition as Record<string, Record<string, CfnValue>> | undefined;
    const out: ResolvedStatement = {
      Sid: s.Sid as string | undefined,
      Effect: 'Allow',
      Action: ([] as CfnValue[]).concat(s.Action ?? []).map(String),
      Resource: ([] as CfnValue[]).concat(s.Resource ?? []).map((r) => resolveValue(r, ctx)),
    };
    if (s.Effect !== 'Allow') throw new Error(`statement ${String(s.Sid)}: only Allow statements are expected in the autopilot's roles`);
    if (condition) {
      out.Condition = Object.fromEntries(
        Object.entries(condition).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => resolveValue(x, ctx)) : resolveValue(v, ctx)]))]),
      );
    }
    return out;
  });
}

const SEVERITIES: readonly Severity[] = ['P1', 'P2', 'P3', 'P4'];

/** What the stack's own resources resolve to, in the account and region it is deployed to. */
export interface StackIdentity {
  account: string;
  region?: string;
  tableName: string;
  partition?: string;
  /** The paging key's ARN (CloudFormation generates its id); default a stand-in of the same shape. */
  pagingKeyArn?: string;
}

export function stackContext(config: AutopilotConfig, opts: StackIdentity): ResolveContext {
  const region = opts.region ?? config.primaryRegion;
  const partition = opts.partition ?? 'aws';
  const refs: Record<string, string> = {};
  for (const s of SEVERITIES) refs[topicId(s)] = config.paging.topics[s];
  return {
    partition,
    account: opts.account,
    region,
    refs,
    atts: {
      [`${STATE_TABLE_ID}.Arn`]: `arn:${partition}:dynamodb:${region}:${opts.account}:table/${opts.tableName}`,
      [`${PAGING_KEY_ID}.Arn`]: opts.pagingKeyArn ?? `arn:${partition}:kms:${region}:${opts.account}:key/${SERVICE}-${config.stage}-paging`,
      [`${ASYNC_FAILURE_QUEUE_ID}.Arn`]: `arn:${partition}:sqs:${region}:${opts.account}:${SERVICE}-${config.stage}-async-failures`,
    },
  };
}

/**
 * Function key (the runbook functions, the operator-request function and the scheduled
 * preflight) -> its role's statements, resolved: what the simulated region authorises drill
 * calls against, and, since every grant is used (infra/iam-usage.test.ts), the calls each
 * function makes on the configured resources: what the preflight's IAM policy simulation asks
 * IAM about (adapters/aws/iam-simulation.ts).
 */
export function functionPolicies(config: AutopilotConfig, opts: StackIdentity & { params?: PermissionParams }): Map<string, ResolvedStatement[]> {
  // The stage's own functions, from the config in hand (a deployed function has no config/<stage>.json).
  const fns = deployedFunctions(config.stage, config);
  const ctx = stackContext(config, opts);
  const policies = new Map(fns.map((fn) => [fn.key, resolveStatements(roleStatements(fn, fns, config, opts.params ?? {}), ctx)]));
  // The operator-request function has its own role (infra/permissions.ts operatorStatements), as in the template.
  const operator = operatorFunction(config.stage);
  policies.set(operator.key, resolveStatements(operatorStatements(operator, fns, config), ctx));
  const preflight = preflightFunction(config.stage);
  policies.set(preflight.key, resolveStatements(preflightStatements(preflight, simulatedRoles(fns, operator), config), ctx));
  return policies;
}

/** The functions whose roles the preflight simulates, each with its role name and the runbooks a denial there blocks. */
export function simulationTargets(config: AutopilotConfig): { key: string; roleName: string; runbooks: RunbookId[] }[] {
  const fns = deployedFunctions(config.stage, config);
  const operator = operatorFunction(config.stage);
  // The operator-request function answers the workflows' gates and relays requests: a denial there blocks every durable runbook.
  const durable = [...new Set(fns.filter((f) => f.kind === 'workflow').map((f) => f.runbook))];
  return simulatedRoles(fns, operator).map((r) => ({ ...r, runbooks: r.key === operator.key ? durable : [fns.find((f) => f.key === r.key)!.runbook] }));
}

/** Role logical id -> its statements, resolved, from a packaged template. */
export function templatePolicies(template: CfnTemplate, ctx: ResolveContext): Map<string, ResolvedStatement[]> {
  const out = new Map<string, ResolvedStatement[]>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const policies = (r.Properties?.Policies ?? []) as Array<{ PolicyDocument: { Statement: Array<Record<string, CfnValue>> } }>;
    out.set(id, policies.flatMap((p) => resolveStatements(p.PolicyDocument.Statement, ctx)));
  }
  return out;
}
