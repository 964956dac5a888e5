/**
 * The preflight's IAM policy simulation (issue 16 item 3, "each function's calls allowed"):
 * for each deployed function's role, iam:SimulatePrincipalPolicy of the calls that function
 * makes on the configured resources, so a role edited, detached, bounded (permissions
 * boundary) or denied by a service control policy after the deploy is NOT READY before the
 * incident that needs it, not an AccessDenied in the middle of it.
 *
 * The calls per function are its role's statements as the template builds them
 * (infra/iam-policy.ts functionPolicies): every grant there is used by some drill scenario and
 * nothing used is missing (infra/iam-usage.test.ts, infra/iam-coverage.test.ts), so the grants
 * are the calls. One simulation per statement: its actions on its resources (a wildcard in a
 * resource becomes a concrete name, `*` alone means all resources), with a context value for
 * each condition key the statement tests, as our requests carry it (a key of the controls
 * exclusion gets a key that is not "controls"). What the simulation does not prove: that a
 * live request carries those context values (the drill proves that, call by call).
 *
 * Request and response: https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 * (the decision per resource is in ResourceSpecificResults; the top-level result aggregates).
 */
import { SimulatePrincipalPolicyCommand, type ContextEntry, type EvaluationResult, type SimulatePrincipalPolicyCommandInput } from '@aws-sdk/client-iam';
import type { RunbookId } from '../../domain/config';
import type { AwsRegions } from './clients';
import './sdk/iam';

/** A role statement with every value resolved (infra/iam-policy.ts resolveStatements). */
export interface SimulatedStatement {
  Sid?: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface RoleToSimulate {
  /** Function key (databaseFailoverWorkflow): named in each denial. */
  key: string;
  roleArn: string;
  /** The runbooks a denial on this role makes NOT READY. */
  runbooks: RunbookId[];
  statements: readonly SimulatedStatement[];
}

/** What a wildcard in a resource stands for in the simulation: a name our calls could use. */
const PROBE = 'preflight';

/** The resource ARN simulated for a policy resource: its wildcards filled in. */
export function probeResource(resource: string): string {
  return resource === '*' ? '*' : resource.replace(/\*/g, PROBE).replace(/\?/g, 'x');
}

/** A context value per condition key, one the statement's condition accepts (as our requests present it). */
export function probeContext(condition: SimulatedStatement['Condition']): ContextEntry[] {
  const entries = new Map<string, ContextEntry>();
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    const [qualifier, base] = operator.includes(':') ? (operator.split(':') as [string, string]) : [undefined, operator];
    for (const [key, expected] of Object.entries(keys)) {
      if (entries.has(key.toLowerCase())) continue;
      const wanted = ([] as string[]).concat(expected);
      let value: string | undefined;
      if (/^(StringEquals|StringEqualsIgnoreCase|ArnEquals)$/.test(base)) value = wanted[0];
      else if (/^(StringLike|ArnLike)$/.test(base)) value = wanted[0] === undefined ? undefined : probeResource(wanted[0]);
      else if (/^(StringNotEquals|StringNotLike|ArnNotEquals|ArnNotLike)$/.test(base)) value = wanted.includes(PROBE) ? `${PROBE}-probe` : PROBE;
      if (value === undefined) continue;
      const list = qualifier === 'ForAllValues' || qualifier === 'ForAnyValue';
      entries.set(key.toLowerCase(), { ContextKeyName: key, ContextKeyValues: [value], ContextKeyType: list ? 'stringList' : 'string' });
    }
  }
  return [...entries.values()];
}

/** Each call a role's policy does not allow, named: `<function> <action> on <resource>: <decision> (why)`. */
function deniedOf(key: string, result: EvaluationResult): string[] {
  const action = result.EvalActionName ?? '?';
  const scp = result.OrganizationsDecisionDetail?.AllowedByOrganizations === false ? ['a service control policy denies it'] : [];
  const per = result.ResourceSpecificResults?.length
    ? result.ResourceSpecificResults.map((r) => ({ resource: r.EvalResourceName ?? '*', decision: r.EvalResourceDecision, missing: r.MissingContextValues ?? [], boundary: r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary }))
    : [{ resource: result.EvalResourceName ?? '*', decision: result.EvalDecision, missing: result.MissingContextValues ?? [], boundary: result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary }];
  return per
    .filter((p) => p.decision !== 'allowed')
    .map((p) => {
      const why = [...scp, ...(p.boundary === false ? ['the permissions boundary denies it'] : []), ...(p.missing.length ? [`context not given: ${p.missing.join(', ')}`] : [])];
      return `${key} ${action} on ${p.resource}: ${p.decision ?? 'no decision'}${why.length ? ` (${why.join('; ')})` : ''}`;
    });
}

async function simulateRole(aws: AwsRegions, region: string, role: RoleToSimulate): Promise<string[]> {
  const denied: string[] = [];
  for (const statement of role.statements) {
    const resources = statement.Resource.map(probeResource);
    const context = probeContext(statement.Condition);
    const input: SimulatePrincipalPolicyCommandInput = {
      PolicySourceArn: role.roleArn,
      ActionNames: statement.Action,
      ...(resources.includes('*') ? {} : { ResourceArns: resources }),
      ...(context.length ? { ContextEntries: context } : {}),
    };
    let marker: string | undefined;
    do {
      let out;
      try {
        out = await aws.in(region).iam.send(new SimulatePrincipalPolicyCommand({ ...input, ...(marker ? { Marker: marker } : {}) }));
      } catch (err) {
        // The role itself is gone: every call of the function is denied.
        if (err instanceof Error && err.name === 'NoSuchEntityException') return [`${role.key}: its role ${role.roleArn} does not exist (${err.message.slice(0, 160)})`];
        throw err;
      }
      for (const result of out.EvaluationResults ?? []) denied.push(...deniedOf(role.key, result));
      marker = out.IsTruncated ? out.Marker : undefined;
    } while (marker);
  }
  return [...new Set(denied)];
}

/**
 * The calls each role's policies deny, per runbook they block (facts.iamDenied of
 * domain/preflight.ts). Sequential: IAM's control plane throttles, and the SDK retries.
 * A failure other than a missing role throws: the fact is then unreadable and every
 * runbook fails its IAM check by name (fail closed).
 */
export async function simulateRoles(aws: AwsRegions, region: string, roles: readonly RoleToSimulate[]): Promise<Partial<Record<RunbookId, string[]>>> {
  const denied: Partial<Record<RunbookId, string[]>> = {};
  for (const role of roles) {
    const problems = await simulateRole(aws, region, role);
    for (const runbook of role.runbooks) denied[runbook] = [...(denied[runbook] ?? []), ...problems];
  }
  return denied;
}
