/**
 * Secrets Manager: secrets a container's DATABASE_URL may reference (ECS `secrets`), read and
 * written by the failover and the restore (adapters/aws/database-url.ts).
 *
 * AWS's rules that matter here:
 *   - a secret's ARN is `...:secret:<name>-<6 characters>`; a replica's ARN is the primary's
 *     with its Region (User Guide, "Replicate AWS Secrets Manager secrets across Regions"), its
 *     value the primary's, its KMS key its own;
 *   - GetSecretValue returns the value (AWSCURRENT unless a VersionId / VersionStage is named);
 *     it is authorised as secretsmanager:GetSecretValue on the secret, and a secret encrypted
 *     with a customer managed key also needs kms:Decrypt on that key through Secrets Manager
 *     (API reference GetSecretValue, "Required permissions"; User Guide, "Secret encryption
 *     and decryption": encryption context SecretARN);
 *   - names are unique per Region: CreateSecret of an existing name is ResourceExistsException;
 *     tags on create need secretsmanager:TagResource, a customer managed key kms:GenerateDataKey
 *     and kms:Decrypt (API reference CreateSecret, "Required permissions");
 *   - an unknown secret, or an ARN of another Region or account, is ResourceNotFoundException.
 */
import * as smSdk from '@aws-sdk/client-secrets-manager';
import type {
  CreateSecretCommandInput,
  CreateSecretCommandOutput,
  DescribeSecretCommandInput,
  DescribeSecretCommandOutput,
  GetSecretValueCommandInput,
  GetSecretValueCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { awsError } from '../errors';
import type { AuthRequest } from '../iam';
import { arnIn, authReq, isArn } from '../iam-arns';
import type { SecretsManagerSpec } from '../spec';
import { obj, map, str, stringMap, isObj, type Json, type Problems } from '../spec-checks';
import type { SimWorld } from '../world';
import type { IamCall, OpContext, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

export interface SecretState {
  name: string;
  arn: string;
  value: string;
  /** Customer managed key (ARN); undefined: the AWS managed key aws/secretsmanager. */
  kmsKeyId?: string;
  versionId: string;
  createdAt: number;
  tags: Record<string, string>;
  /** Set on a replica: the Region of its primary. */
  primaryRegion?: string;
  /** Set on a primary: the Regions it is replicated to. */
  replicaRegions: string[];
}

export interface SecretsManagerState {
  /** By name (unique per Region). */
  secrets: Map<string, SecretState>;
}

declare module '../state' {
  interface RegionState {
    secretsmanager: SecretsManagerState;
  }
}

const AWS_MANAGED_KEY = 'alias/aws/secretsmanager';
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The six characters Secrets Manager appends to a secret's ARN: derived from the name here (deterministic, and the same for a replica). */
export function secretArnSuffix(name: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  let s = '';
  for (let i = 0; i < 6; i++) {
    s += SUFFIX_ALPHABET[h % SUFFIX_ALPHABET.length];
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  return s;
}

const secretArn = (region: string, account: string, name: string, suffix = secretArnSuffix(name)): string => `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${suffix}`;

const isCustomerKey = (keyId: string | undefined): keyId is string => !!keyId && keyId !== AWS_MANAGED_KEY && keyId !== 'aws/secretsmanager';

function initSecretsManager(world: SimWorld, region: string, spec: SecretsManagerSpec | undefined): SecretsManagerState {
  const secrets = new Map<string, SecretState>();
  const createdAt = world.startMs - 90 * 86400_000;
  for (const [name, s] of Object.entries(spec?.secrets ?? {})) {
    secrets.set(name, {
      name,
      arn: secretArn(region, world.account, name, s.arnSuffix),
      value: s.value,
      ...(isCustomerKey(s.kmsKeyId) ? { kmsKeyId: s.kmsKeyId } : {}),
      versionId: `${secretArnSuffix(name + region)}-0000-4000-a000-000000000001`,
      createdAt,
      tags: { ...(s.tags ?? {}) },
      replicaRegions: Object.keys(s.replicas ?? {}),
    });
  }
  // Replicas of other Regions' secrets: same name and ARN suffix, same value, their own key.
  for (const [other, otherSpec] of Object.entries(world.spec.regions)) {
    if (other === region) continue;
    for (const [name, s] of Object.entries(otherSpec.secretsmanager?.secrets ?? {})) {
      const replica = s.replicas?.[region];
      if (!replica) continue;
      secrets.set(name, {
        name,
        arn: secretArn(region, world.account, name, s.arnSuffix),
        value: s.value,
        ...(isCustomerKey(replica.kmsKeyId) ? { kmsKeyId: replica.kmsKeyId } : {}),
        versionId: `${secretArnSuffix(name + other)}-0000-4000-a000-000000000001`,
        createdAt,
        tags: { ...(s.tags ?? {}) },
        primaryRegion: other,
        replicaRegions: [],
      });
    }
  }
  return { secrets };
}

/** The secret a SecretId names in this Region: its name, its full ARN, or its ARN without the suffix. */
export function findSecret(world: SimWorld, region: string, secretId: unknown): SecretState | undefined {
  if (typeof secretId !== 'string' || secretId === '') return undefined;
  const secrets = world.region(region).secretsmanager.secrets;
  if (!isArn(secretId)) return secrets.get(secretId);
  const m = /^arn:aws[a-z-]*:secretsmanager:([^:]+):(\d{12}):secret:(.+)$/.exec(secretId);
  if (!m || m[1] !== region || m[2] !== world.account) return undefined;
  const tail = m[3]!;
  for (const s of secrets.values()) if (s.arn === secretId || s.name === tail) return s;
  return undefined;
}

function notFound(detail = "Secrets Manager can't find the specified secret."): Error {
  return awsError('ResourceNotFoundException', detail, { status: 400, sdk: smSdk });
}

function getSecretValue(ctx: OpContext, input: GetSecretValueCommandInput): Out<GetSecretValueCommandOutput> {
  const s = findSecret(ctx.world, ctx.region, input.SecretId);
  if (!s) throw notFound();
  if (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${input.VersionStage}`);
  if (input.VersionId !== undefined && input.VersionId !== s.versionId) throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`);
  return { ARN: s.arn, Name: s.name, VersionId: s.versionId, SecretString: s.value, VersionStages: ['AWSCURRENT'], CreatedDate: new Date(s.createdAt) };
}

function describeSecret(ctx: OpContext, input: DescribeSecretCommandInput): Out<DescribeSecretCommandOutput> {
  const s = findSecret(ctx.world, ctx.region, input.SecretId);
  if (!s) throw notFound();
  const tags = Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value }));
  return {
    ARN: s.arn,
    Name: s.name,
    ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
    CreatedDate: new Date(s.createdAt),
    ...(tags.length ? { Tags: tags } : {}),
    VersionIdsToStages: { [s.versionId]: ['AWSCURRENT'] },
    ...(s.primaryRegion ? { PrimaryRegion: s.primaryRegion } : {}),
    ...(s.replicaRegions.length
      ? {
          PrimaryRegion: ctx.region,
          ReplicationStatus: s.replicaRegions.map((Region) => ({ Region, KmsKeyId: ctx.world.region(Region).secretsmanager.secrets.get(s.name)?.kmsKeyId ?? AWS_MANAGED_KEY, Status: 'InSync' as const })),
        }
      : {}),
  };
}

function createSecret(ctx: OpContext, input: CreateSecretCommandInput): Out<CreateSecretCommandOutput> {
  const name = input.Name;
  if (!name || !NAME.test(name)) throw awsError('InvalidParameterException', `Invalid name: ${String(name)}. Must be 1-512 characters of letters, digits and /_+=.@-`, { status: 400, sdk: smSdk });
  if (input.SecretString === undefined && input.SecretBinary === undefined) throw awsError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.', { status: 400, sdk: smSdk });
  if (input.SecretBinary !== undefined) throw awsError('InvalidParameterException', 'The simulated region stores SecretString only.', { status: 400, sdk: smSdk });
  const secrets = ctx.r.secretsmanager.secrets;
  if (secrets.has(name)) throw awsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`, { status: 400, sdk: smSdk });
  const secret: SecretState = {
    name,
    arn: secretArn(ctx.region, ctx.world.account, name),
    value: input.SecretString!,
    ...(isCustomerKey(input.KmsKeyId) ? { kmsKeyId: input.KmsKeyId } : {}),
    versionId: input.ClientRequestToken ?? ctx.world.ids.uuid(),
    createdAt: ctx.now,
    tags: Object.fromEntries((input.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    replicaRegions: [],
  };
  secrets.set(name, secret);
  return { ARN: secret.arn, Name: name, VersionId: secret.versionId };
}

// ---- IAM (Service Authorization Reference, AWS Secrets Manager; API reference "Required permissions") ----

const kmsKeyArn = (c: IamCall, keyId: string): string => (isArn(keyId) ? keyId : arnIn('kms', c.region, c.account, `key/${keyId}`));

/** The ARN a request is authorised against: the secret's when it exists, else what the SecretId names. */
function resourceOf(c: IamCall, secretId: unknown): { arn: string; secret?: SecretState } {
  const secret = findSecret(c.world, c.region, secretId);
  if (secret) return { arn: secret.arn, secret };
  const id = String(secretId ?? '');
  return { arn: isArn(id) ? id : arnIn('secretsmanager', c.region, c.account, `secret:${id}`) };
}

/** Secrets Manager calls KMS on the caller's behalf (kms:ViaService) with the secret's ARN as encryption context. */
function viaSecretsManager(c: IamCall, arn: string): AuthRequest['context'] {
  return { 'kms:ViaService': `secretsmanager.${c.region}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': arn };
}

function getSecretValueAuth(c: IamCall): AuthRequest[] {
  const { arn, secret } = resourceOf(c, c.input.SecretId);
  return [
    authReq('secretsmanager:GetSecretValue', arn),
    ...(secret?.kmsKeyId ? [authReq('kms:Decrypt', kmsKeyArn(c, secret.kmsKeyId), viaSecretsManager(c, arn))] : []),
  ];
}

function createSecretAuth(c: IamCall): AuthRequest[] {
  const name = String(c.input.Name ?? '');
  const arn = secretArn(c.region, c.account, name);
  const keyId = typeof c.input.KmsKeyId === 'string' ? c.input.KmsKeyId : undefined;
  return [
    authReq('secretsmanager:CreateSecret', arn, { 'secretsmanager:Name': name }),
    ...((c.input.Tags ?? []).length > 0 ? [authReq('secretsmanager:TagResource', arn)] : []),
    ...(isCustomerKey(keyId) ? [authReq('kms:GenerateDataKey', kmsKeyArn(c, keyId), viaSecretsManager(c, arn)), authReq('kms:Decrypt', kmsKeyArn(c, keyId), viaSecretsManager(c, arn))] : []),
  ];
}

/** `regions.<r>.secretsmanager` of a WorldSpec. */
function validateSecretsManagerSpec(p: Problems, path: string, spec: Json): void {
  const sm = obj(p, path, spec, ['secrets']);
  map(p, `${path}.secrets`, sm?.secrets, (at, name, x) => {
    if (!NAME.test(name)) p.push(`${at}: not a secret name (1-512 characters of letters, digits and /_+=.@-)`);
    const s = obj(p, at, x, ['value', 'kmsKeyId', 'arnSuffix', 'replicas', 'tags'], ['value']);
    if (!s) return;
    if (typeof s.value !== 'string') p.push(`${at}.value: expected a string`);
    str(p, `${at}.kmsKeyId`, s.kmsKeyId);
    if (s.arnSuffix !== undefined && (typeof s.arnSuffix !== 'string' || !/^[A-Za-z0-9]{6}$/.test(s.arnSuffix))) p.push(`${at}.arnSuffix: expected six letters or digits`);
    stringMap(p, `${at}.tags`, s.tags);
    map(p, `${at}.replicas`, s.replicas, (rat, _region, r) => {
      if (!isObj(r)) p.push(`${rat}: expected an object ({ kmsKeyId? })`);
      else {
        obj(p, rat, r, ['kmsKeyId']);
        str(p, `${rat}.kmsKeyId`, r.kmsKeyId);
      }
    });
  });
}

export const service: ServiceSim = {
  name: 'SecretsManager',
  sdk: smSdk,
  throttleError: 'ThrottlingException',
  ops: { GetSecretValue: getSecretValue, DescribeSecret: describeSecret, CreateSecret: createSecret },
  iam: {
    GetSecretValue: getSecretValueAuth,
    DescribeSecret: (c) => [authReq('secretsmanager:DescribeSecret', resourceOf(c, c.input.SecretId).arn)],
    CreateSecret: createSecretAuth,
  },
  region: { key: 'secretsmanager', init: initSecretsManager, validate: validateSecretsManagerSpec },
};
