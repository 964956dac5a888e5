/**
 * IAM: SimulatePrincipalPolicy, what the preflight asks about every function's role
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html).
 * It evaluates the very policies the simulated region enforces on each function's calls
 * (SimWorld.setIam: infra/iam-policy.ts functionPolicies, as in the template), with the same
 * evaluator (iam.ts evaluate): a role whose policy the simulator would deny a call is
 * reported denied here too. The answer has the current shape: one EvaluationResult per action,
 * its decision the most restrictive over the resources, the decision per resource in
 * ResourceSpecificResults when ResourceArns are given. Roles are found by RoleName
 * (SimIam.roleName); an unknown role (or IAM off) is NoSuchEntity, as AWS answers.
 */
import * as iamSdk from '@aws-sdk/client-iam';
import type { ContextEntry, EvaluationResult, ResourceSpecificResult, SimulatePrincipalPolicyCommandInput, SimulatePrincipalPolicyCommandOutput } from '@aws-sdk/client-iam';
import { awsError } from '../errors';
import { authReq } from '../iam-arns';
import { evaluate, type ResolvedStatement } from '../iam';
import type { OpContext, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

function contextOf(entries: readonly ContextEntry[] | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const e of entries ?? []) {
    if (!e.ContextKeyName) continue;
    const values = e.ContextKeyValues ?? [];
    out[e.ContextKeyName] = e.ContextKeyType?.endsWith('List') ? values : (values[0] ?? '');
  }
  return out;
}

/** Condition keys of the statements that name the action and the resource but that the request did not give. */
function missingContext(statements: readonly ResolvedStatement[], action: string, resource: string, context: Record<string, unknown>): string[] {
  const given = new Set(Object.keys(context).map((k) => k.toLowerCase()));
  const keys = new Set<string>();
  for (const s of statements) {
    if (!evaluate([{ ...s, Condition: undefined }], { action, resource }).allowed) continue;
    for (const byKey of Object.values(s.Condition ?? {})) for (const k of Object.keys(byKey)) if (!given.has(k.toLowerCase())) keys.add(k);
  }
  return [...keys];
}

function simulatePrincipalPolicy(ctx: OpContext, input: SimulatePrincipalPolicyCommandInput): Out<SimulatePrincipalPolicyCommandOutput> {
  const arn = input.PolicySourceArn ?? '';
  const m = ROLE_ARN.exec(arn);
  if (!m) throw awsError('InvalidInputException', `ARN ${arn} is not a role ARN the simulated region knows how to simulate (users and groups are not simulated).`, { status: 400, sdk: iamSdk });
  const statements = m[1] === ctx.world.account ? ctx.world.rolePolicy(m[2]!) : undefined;
  if (!statements) throw awsError('NoSuchEntityException', `The role with name ${m[2]} cannot be found.`, { status: 404, sdk: iamSdk });
  const actions = input.ActionNames ?? [];
  if (actions.length === 0) throw awsError('InvalidInputException', '1 validation error detected: Value null at \'actionNames\' failed to satisfy constraint: Member must not be null', { status: 400, sdk: iamSdk });
  const context = contextOf(input.ContextEntries);
  const given = input.ResourceArns !== undefined && input.ResourceArns.length > 0;
  const resources = given ? input.ResourceArns! : ['*'];
  const results: EvaluationResult[] = actions.map((action) => {
    const per: ResourceSpecificResult[] = resources.map((resource) => {
      const d = evaluate(statements, { action, resource, context });
      const missing = d.allowed ? [] : missingContext(statements, action, resource, context);
      return {
        EvalResourceName: resource,
        EvalResourceDecision: d.allowed ? 'allowed' : 'implicitDeny',
        MatchedStatements: d.allowed && d.by ? [{ SourcePolicyId: d.by, SourcePolicyType: 'role' }] : [],
        MissingContextValues: missing,
      };
    });
    const denied = per.some((r) => r.EvalResourceDecision !== 'allowed');
    return {
      EvalActionName: action,
      EvalResourceName: '*',
      EvalDecision: denied ? 'implicitDeny' : 'allowed',
      MatchedStatements: per.flatMap((r) => r.MatchedStatements ?? []),
      MissingContextValues: [...new Set(per.flatMap((r) => r.MissingContextValues ?? []))],
      ...(given ? { ResourceSpecificResults: per } : {}),
    };
  });
  return { EvaluationResults: results, IsTruncated: false };
}

export const service: ServiceSim = {
  name: 'IAM',
  sdk: iamSdk,
  throttleError: 'Throttling',
  ops: { SimulatePrincipalPolicy: simulatePrincipalPolicy },
  iam: {
    // Authorised against the simulated principal (resource types user, group, role).
    SimulatePrincipalPolicy: (c) => [authReq('iam:SimulatePrincipalPolicy', String(c.input.PolicySourceArn ?? ''))],
  },
};
