/**
 * IAM in the simulated region: every simulated call is authorised against the identity
 * policy of the function that makes it, the way AWS evaluates an identity-based policy
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * a request is allowed only if some Allow statement matches its action, its resource and
 * all of its conditions; otherwise it is an implicit deny, answered with the service's
 * AccessDenied error. There are no Deny statements in our roles, so none are evaluated.
 *
 * What is authorised per operation (action, resource ARN, request context keys) follows the
 * Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):
 * one request may need several actions (RegisterTaskDefinition with roles and tags needs
 * ecs:RegisterTaskDefinition, iam:PassRole per role and ecs:TagResource; CopyObject needs
 * the source read, the destination write, tags and KMS).
 */
import { awsError, type SdkLikeError } from './errors';

/** A policy statement with every CloudFormation value resolved to a string. */
export interface ResolvedStatement {
  Sid?: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** One authorisation AWS makes for a request. */
export interface AuthRequest {
  action: string;
  resource: string;
  /** Request context keys (iam:PassedToService, route53:ChangeResourceRecordSetsNormalizedRecordNames...). */
  context?: Record<string, string | string[]>;
}

export interface AuthDecision extends AuthRequest {
  allowed: boolean;
  /** Sid of the statement that allowed it. */
  by?: string;
}

/** Who is calling, and the policy of each caller (function key -> statements). */
export interface SimIam {
  policies: ReadonlyMap<string, readonly ResolvedStatement[]>;
  /** The function whose code makes the current call; undefined outside any function. */
  caller(): string | undefined;
  /** The role name of a function, for the error message (`assumed-role/<role>/<function>`). */
  roleName?(fn: string): string;
}

/** IAM wildcards: `*` any run of characters, `?` one character. */
function wildcard(pattern: string, flags = ''): RegExp {
  return new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`, flags);
}

/** Action names are case-insensitive; resource ARNs are case-sensitive. */
const actionMatches = (pattern: string, action: string): boolean => wildcard(pattern, 'i').test(action);
const resourceMatches = (pattern: string, resource: string): boolean => pattern === '*' || wildcard(pattern).test(resource);

/**
 * Condition operators our roles use
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
 * a missing key fails every plain operator; `ForAllValues:` is true for a missing or empty key
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
 * An operator we do not know fails: the simulator never allows what it cannot evaluate.
 */
function conditionHolds(operator: string, key: string, expected: string | string[], context: Record<string, string | string[]>): boolean {
  const wanted = ([] as string[]).concat(expected);
  const raw = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  const values = raw === undefined ? [] : ([] as string[]).concat(raw);
  const [qualifier, base] = operator.includes(':') ? (operator.split(':') as [string, string]) : [undefined, operator];
  const test = (value: string): boolean => {
    switch (base) {
      case 'StringNotEquals':
        return !wanted.includes(value);
      case 'StringEquals':
      case 'ArnEquals':
        return wanted.includes(value);
      case 'StringEqualsIgnoreCase':
        return wanted.some((w) => w.toLowerCase() === value.toLowerCase());
      case 'StringLike':
      case 'ArnLike':
        return wanted.some((w) => wildcard(w).test(value));
      default:
        return false;
    }
  };
  if (qualifier === 'ForAllValues') return values.every(test);
  if (qualifier === 'ForAnyValue') return values.some(test);
  if (qualifier !== undefined) return false;
  return values.length > 0 && values.some(test);
}

export function evaluate(statements: readonly ResolvedStatement[], request: AuthRequest): AuthDecision {
  const context = request.context ?? {};
  for (const s of statements) {
    if (s.Effect !== 'Allow') continue;
    if (!s.Action.some((a) => actionMatches(a, request.action))) continue;
    if (!s.Resource.some((r) => resourceMatches(r, request.resource))) continue;
    const conditions = Object.entries(s.Condition ?? {});
    if (!conditions.every(([op, keys]) => Object.entries(keys).every(([key, expected]) => conditionHolds(op, key, expected, context)))) continue;
    return { ...request, allowed: true, by: s.Sid };
  }
  return { ...request, allowed: false };
}

/**
 * The error each protocol answers an implicit deny with: query protocols (RDS, CloudWatch,
 * ELB, SNS, ElastiCache, Route 53, S3) say `AccessDenied` (403), JSON protocols (ECS,
 * CodeDeploy, Logs, Application Auto Scaling, EventBridge, Lambda, Secrets Manager, SSM) `AccessDeniedException`.
 * The message is the one IAM writes for an identity-based implicit deny
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
 */
const ACCESS_DENIED_EXCEPTION = new Set(['ECS', 'CodeDeploy', 'CloudWatchLogs', 'ApplicationAutoScaling', 'EventBridge', 'Lambda', 'DynamoDB', 'SecretsManager', 'SSM']);

export function accessDenied(service: string, principal: string, denied: AuthRequest, sdk?: Record<string, unknown>): SdkLikeError {
  const message = `User: ${principal} is not authorized to perform: ${denied.action} on resource: ${denied.resource} because no identity-based policy allows the ${denied.action} action`;
  if (ACCESS_DENIED_EXCEPTION.has(service)) return awsError('AccessDeniedException', message, { status: service === 'Lambda' ? 403 : 400, sdk });
  return awsError('AccessDenied', message, { status: 403, sdk });
}

export function principalArn(account: string, roleName: string, fn: string): string {
  return `arn:aws:sts::${account}:assumed-role/${roleName}/${fn}`;
}
