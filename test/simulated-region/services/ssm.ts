/**
 * SSM Parameter Store: parameters a container's DATABASE_URL may reference (ECS `secrets`),
 * read and written by the failover and the restore (adapters/aws/database-url.ts).
 *
 * AWS's rules that matter here:
 *   - GetParameter takes a name or an ARN; an unknown one (or one of another Region) is
 *     ParameterNotFound. A SecureString's value is returned decrypted only WithDecryption,
 *     which needs kms:Decrypt on its key; the AWS managed key aws/ssm grants that to every
 *     principal of the account (Systems Manager User Guide, "Restricting decryption of
 *     SecureString parameter values"), a customer managed key only to whom its policies allow.
 *     Parameter Store calls KMS with the parameter's ARN as encryption context (PARAMETER_ARN);
 *   - PutParameter of an existing name without Overwrite is ParameterAlreadyExists; Tags cannot
 *     be combined with Overwrite; tags on create are authorised as ssm:AddTagsToResource; a
 *     standard SecureString with a customer managed key is encrypted with kms:Encrypt;
 *   - DescribeParameters (metadata: type, key, tier; never the value) has no resource type:
 *     only "*" authorises it (Service Authorization Reference, AWS Systems Manager).
 */
import * as ssmSdk from '@aws-sdk/client-ssm';
import type {
  DescribeParametersCommandInput,
  DescribeParametersCommandOutput,
  GetParameterCommandInput,
  GetParameterCommandOutput,
  PutParameterCommandInput,
  PutParameterCommandOutput,
} from '@aws-sdk/client-ssm';
import { awsError } from '../errors';
import type { AuthRequest } from '../iam';
import { arnIn, authReq, isArn } from '../iam-arns';
import type { SsmSpec } from '../spec';
import { obj, map, oneOf, str, stringMap, type Json, type Problems } from '../spec-checks';
import type { SimWorld } from '../world';
import type { IamCall, OpContext, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

export interface ParameterState {
  name: string;
  arn: string;
  value: string;
  type: 'String' | 'StringList' | 'SecureString';
  /** SecureString: its key (undefined: the AWS managed key alias/aws/ssm). */
  keyId?: string;
  tier: 'Standard' | 'Advanced';
  version: number;
  lastModified: number;
  tags: Record<string, string>;
}

export interface SsmState {
  parameters: Map<string, ParameterState>;
}

declare module '../state' {
  interface RegionState {
    ssm: SsmState;
  }
}

const AWS_MANAGED_KEY = 'alias/aws/ssm';
const NAME = /^[A-Za-z0-9_./-]{1,2048}$/;
const isCustomerKey = (keyId: string | undefined): keyId is string => !!keyId && keyId !== AWS_MANAGED_KEY;

/** A parameter's ARN: `parameter` + its name, with the name's leading '/' (added when it has none). */
export const parameterArn = (region: string, account: string, name: string): string => `arn:aws:ssm:${region}:${account}:parameter${name.startsWith('/') ? name : `/${name}`}`;

function initSsm(world: SimWorld, region: string, spec: SsmSpec | undefined): SsmState {
  const parameters = new Map<string, ParameterState>();
  for (const [name, s] of Object.entries(spec?.parameters ?? {})) {
    const type = s.type ?? 'SecureString';
    parameters.set(name, {
      name,
      arn: parameterArn(region, world.account, name),
      value: s.value,
      type,
      ...(type === 'SecureString' && isCustomerKey(s.keyId) ? { keyId: s.keyId } : {}),
      tier: s.tier ?? 'Standard',
      version: 1,
      lastModified: world.startMs - 60 * 86400_000,
      tags: { ...(s.tags ?? {}) },
    });
  }
  return { parameters };
}

/** The parameter a Name (name or ARN) names in this Region. */
export function findParameter(world: SimWorld, region: string, nameOrArn: unknown): ParameterState | undefined {
  if (typeof nameOrArn !== 'string' || nameOrArn === '') return undefined;
  const parameters = world.region(region).ssm.parameters;
  if (!isArn(nameOrArn)) return parameters.get(nameOrArn);
  const m = /^arn:aws[a-z-]*:ssm:([^:]+):(\d{12}):parameter(\/.+)$/.exec(nameOrArn);
  if (!m || m[1] !== region || m[2] !== world.account) return undefined;
  return parameters.get(m[3]!) ?? parameters.get(m[3]!.slice(1));
}

/** What GetParameter answers for a SecureString read without decryption (an opaque blob, never the value). */
function ciphertext(p: ParameterState): string {
  return `AQICAHg${Buffer.from(`${p.arn}#${p.version}`).toString('base64')}`;
}

function getParameter(ctx: OpContext, input: GetParameterCommandInput): Out<GetParameterCommandOutput> {
  const p = findParameter(ctx.world, ctx.region, input.Name);
  if (!p) throw awsError('ParameterNotFound', `Parameter ${String(input.Name)} not found.`, { status: 400, sdk: ssmSdk });
  const value = p.type === 'SecureString' && !input.WithDecryption ? ciphertext(p) : p.value;
  return { Parameter: { Name: p.name, Type: p.type, Value: value, Version: p.version, ARN: p.arn, LastModifiedDate: new Date(p.lastModified), DataType: 'text' } };
}

function describeParameters(ctx: OpContext, input: DescribeParametersCommandInput): Out<DescribeParametersCommandOutput> {
  let list = [...ctx.r.ssm.parameters.values()];
  for (const f of input.ParameterFilters ?? []) {
    if (f.Key !== 'Name' || (f.Option ?? 'Equals') !== 'Equals') throw awsError('InvalidFilterKey', `The simulated region filters DescribeParameters by Name Equals only, got ${f.Key} ${f.Option ?? ''}`, { status: 400, sdk: ssmSdk });
    const wanted = (f.Values ?? []).flatMap((v) => [v, v.startsWith('/') ? v.slice(1) : `/${v}`]);
    list = list.filter((p) => wanted.includes(p.name));
  }
  if ((input.Filters ?? []).length > 0) throw awsError('ValidationException', 'The simulated region supports ParameterFilters only.', { status: 400, sdk: ssmSdk });
  return {
    Parameters: list.map((p) => ({
      Name: p.name,
      ARN: p.arn,
      Type: p.type,
      ...(p.type === 'SecureString' ? { KeyId: p.keyId ?? AWS_MANAGED_KEY } : {}),
      Tier: p.tier,
      Version: p.version,
      LastModifiedDate: new Date(p.lastModified),
      DataType: 'text',
    })),
  };
}

function putParameter(ctx: OpContext, input: PutParameterCommandInput): Out<PutParameterCommandOutput> {
  const name = input.Name;
  if (!name || !NAME.test(name)) throw awsError('ValidationException', `Parameter name ${String(name)} is not valid: letters, digits and _.-/ only`, { status: 400, sdk: ssmSdk });
  if (name.includes('/') && !name.startsWith('/')) throw awsError('ValidationException', 'Parameter name: a name in a hierarchy must be fully qualified (start with /)', { status: 400, sdk: ssmSdk });
  if (name.split('/').length - 1 > 15) throw awsError('HierarchyLevelLimitExceededException', 'A hierarchy can have a maximum of 15 levels.', { status: 400, sdk: ssmSdk });
  if (input.Value === undefined || input.Value === '') throw awsError('ValidationException', 'Parameter value: must not be empty', { status: 400, sdk: ssmSdk });
  const tier = input.Tier === 'Advanced' ? 'Advanced' : 'Standard';
  if (tier === 'Standard' && input.Value.length > 4096) throw awsError('ValidationException', 'Standard tier parameters support a maximum parameter value of 4096 characters.', { status: 400, sdk: ssmSdk });
  if (input.Overwrite && (input.Tags ?? []).length > 0) throw awsError('ValidationException', 'Invalid request: tags and overwrite can\'t be used together.', { status: 400, sdk: ssmSdk });
  const parameters = ctx.r.ssm.parameters;
  const existing = parameters.get(name);
  if (existing && !input.Overwrite) throw awsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.', { status: 400, sdk: ssmSdk });
  const type = (input.Type ?? existing?.type ?? 'String') as ParameterState['type'];
  const next: ParameterState = {
    name,
    arn: parameterArn(ctx.region, ctx.world.account, name),
    value: input.Value,
    type,
    ...(type === 'SecureString' && isCustomerKey(input.KeyId) ? { keyId: input.KeyId } : {}),
    tier,
    version: (existing?.version ?? 0) + 1,
    lastModified: ctx.now,
    tags: existing?.tags ?? Object.fromEntries((input.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
  parameters.set(name, next);
  return { Version: next.version, Tier: tier };
}

// ---- IAM ----

const kmsKeyArn = (c: IamCall, keyId: string): string => (keyId.startsWith('arn:') ? keyId : arnIn('kms', c.region, c.account, keyId.startsWith('alias/') ? keyId : `key/${keyId}`));

function arnOf(c: IamCall, nameOrArn: unknown): string {
  const found = findParameter(c.world, c.region, nameOrArn);
  if (found) return found.arn;
  const id = String(nameOrArn ?? '');
  return isArn(id) ? id : parameterArn(c.region, c.account, id);
}

/** Parameter Store calls KMS on the caller's behalf with the parameter's ARN as encryption context. */
const viaSsm = (c: IamCall, arn: string): AuthRequest['context'] => ({ 'kms:ViaService': `ssm.${c.region}.amazonaws.com`, 'kms:EncryptionContext:PARAMETER_ARN': arn });

function getParameterAuth(c: IamCall): AuthRequest[] {
  const arn = arnOf(c, c.input.Name);
  const p = findParameter(c.world, c.region, c.input.Name);
  return [
    authReq('ssm:GetParameter', arn),
    ...(p?.type === 'SecureString' && c.input.WithDecryption && p.keyId ? [authReq('kms:Decrypt', kmsKeyArn(c, p.keyId), viaSsm(c, arn))] : []),
  ];
}

function putParameterAuth(c: IamCall): AuthRequest[] {
  const arn = arnOf(c, c.input.Name);
  const keyId = typeof c.input.KeyId === 'string' ? c.input.KeyId : undefined;
  const advanced = c.input.Tier === 'Advanced';
  return [
    // ssm:Overwrite: whether the request may replace an existing parameter (Service Authorization Reference).
    authReq('ssm:PutParameter', arn, { 'ssm:Overwrite': c.input.Overwrite ? 'true' : 'false' }),
    ...((c.input.Tags ?? []).length > 0 ? [authReq('ssm:AddTagsToResource', arn)] : []),
    // Standard parameters are encrypted with Encrypt, advanced ones with a data key (envelope encryption).
    ...(c.input.Type === 'SecureString' && isCustomerKey(keyId) ? [authReq(advanced ? 'kms:GenerateDataKey' : 'kms:Encrypt', kmsKeyArn(c, keyId), viaSsm(c, arn))] : []),
  ];
}

/** `regions.<r>.ssm` of a WorldSpec. */
function validateSsmSpec(p: Problems, path: string, spec: Json): void {
  const s = obj(p, path, spec, ['parameters']);
  map(p, `${path}.parameters`, s?.parameters, (at, name, x) => {
    if (!NAME.test(name) || (name.includes('/') && !name.startsWith('/'))) p.push(`${at}: not a parameter name (letters, digits and _.-/; a hierarchy starts with /)`);
    const par = obj(p, at, x, ['value', 'type', 'keyId', 'tier', 'tags'], ['value']);
    if (!par) return;
    if (typeof par.value !== 'string') p.push(`${at}.value: expected a string`);
    oneOf(p, `${at}.type`, par.type, ['String', 'StringList', 'SecureString']);
    str(p, `${at}.keyId`, par.keyId);
    oneOf(p, `${at}.tier`, par.tier, ['Standard', 'Advanced']);
    stringMap(p, `${at}.tags`, par.tags);
  });
}

export const service: ServiceSim = {
  name: 'SSM',
  sdk: ssmSdk,
  throttleError: 'ThrottlingException',
  ops: { GetParameter: getParameter, DescribeParameters: describeParameters, PutParameter: putParameter },
  iam: {
    GetParameter: getParameterAuth,
    DescribeParameters: () => [authReq('ssm:DescribeParameters', '*')],
    PutParameter: putParameterAuth,
  },
  region: { key: 'ssm', init: initSsm, validate: validateSsmSpec },
};
