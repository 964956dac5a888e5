/**
 * DATABASE_URL of a task definition's container, read wherever it lives: the environment, or a
 * Secrets Manager / SSM reference (container `secrets`), in the Region the service runs in.
 * Read-only: the readiness check (adapters/aws/preflight.ts) imports this module alone, so its
 * role holds the reads and nothing that writes. The writer is database-url.ts.
 *
 * The value (it holds the password) never leaves this module and database-url.ts: results carry
 * hosts, ports, ARNs and names only. Errors name the reference and the AWS error, never the value.
 */
import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { AutopilotConfig } from '../../domain/config';
import { databaseHost, databasePort } from '../../domain/database-url';
import {
  endpointIn,
  parseDatabaseUrlReference,
  readableIn,
  withinPrefix,
  type DatabaseUrlReference,
} from '../../domain/database-url-reference';
import { redactSecrets } from '../../domain/redact';
import type { AwsRegions } from './clients';
import './sdk/secretsManager';
import './sdk/ssm';

export type ReferencePrefixes = AutopilotConfig['database']['urlReferences'];

/** Where a container's DATABASE_URL points, without its credentials. */
export interface DatabaseUrlEndpoint {
  /** The container has DATABASE_URL (environment value or secrets reference). */
  present: boolean;
  host?: string;
  port?: number;
  /** Environment value, password masked. */
  redacted?: string;
  /** The reference's valueFrom (an ARN or a parameter name). */
  from?: string;
  /** Present but unusable: why (reference unreadable, outside the configured prefixes, not a URL...). */
  problem?: string;
}

/** The reference cannot be followed: the runbook refuses instead of writing anything. */
export class DatabaseUrlReferenceUnusable extends Error {
  constructor(reason: string) {
    super(`DatabaseUrlReferenceUnusable: ${reason}`);
    this.name = 'DatabaseUrlReferenceUnusable';
  }
}

export const errName = (err: unknown): string => (err instanceof Error ? err.name : 'Error');
export const sameHost = (a: string | undefined, b: string | undefined): boolean => !!a && !!b && a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

/** A read reference: its value stays inside this module. */
export interface ReadReference {
  ref: DatabaseUrlReference;
  /** What was read (the secret or its replica in the service's Region, the parameter). */
  readId: string;
  value: string;
  /** The name AWS gave back (secret name, parameter name). */
  name: string;
  arn: string;
}

export function container(td: TaskDefinition | undefined, name: string): ContainerDefinition | undefined {
  return td?.containerDefinitions?.find((c) => c.name === name);
}

/** The container's DATABASE_URL source: its secrets entry, its environment value, or nothing. */
function sourceOf(c: ContainerDefinition | undefined): { valueFrom: string } | { url: string } | undefined {
  const secret = c?.secrets?.find((s) => s.name === 'DATABASE_URL');
  if (secret?.valueFrom) return { valueFrom: secret.valueFrom };
  const env = c?.environment?.find((e) => e.name === 'DATABASE_URL' && e.value);
  return env?.value ? { url: env.value } : undefined;
}

/**
 * Reads a reference in `region`, or says why it cannot be followed. Never throws for AWS's answers.
 * Its result holds the value: for database-url.ts only, never returned further.
 */
export async function readReference(aws: AwsRegions, region: string, valueFrom: string, prefixes: ReferencePrefixes): Promise<ReadReference | { problem: string }> {
  const ref = parseDatabaseUrlReference(valueFrom, region);
  if ('error' in ref) return { problem: ref.error };
  const label = ref.kind === 'secretsmanager' ? `Secrets Manager secret ${ref.secretArn}` : `SSM parameter ${ref.parameter}`;
  if (!withinPrefix(ref, prefixes)) {
    const prefix = ref.kind === 'secretsmanager' ? `secret names starting "${prefixes.secretNamePrefix}"` : `parameter names starting "${prefixes.parameterNamePrefix}"`;
    return { problem: `${label} is outside database.urlReferences (${prefix}): the autopilot's roles may not read it nor write a reference next to it` };
  }
  const where = readableIn(ref, region);
  if ('error' in where) return { problem: where.error };
  try {
    if (ref.kind === 'secretsmanager') {
      const out = await aws.in(region).secretsManager.send(
        new GetSecretValueCommand({ SecretId: where.id, ...(ref.versionStage ? { VersionStage: ref.versionStage } : {}), ...(ref.versionId ? { VersionId: ref.versionId } : {}) }),
      );
      if (out.SecretString === undefined) return { problem: `${label} holds binary data, not a DATABASE_URL` };
      return { ref, readId: where.id, value: out.SecretString, name: out.Name ?? ref.nameWithSuffix, arn: out.ARN ?? where.id };
    }
    const out = await aws.in(region).ssm.send(new GetParameterCommand({ Name: where.id, WithDecryption: true }));
    if (out.Parameter?.Value === undefined || !out.Parameter.Name) return { problem: `${label} answered no value` };
    return { ref, readId: where.id, value: out.Parameter.Value, name: out.Parameter.Name, arn: out.Parameter.ARN ?? where.id };
  } catch (err) {
    const name = errName(err);
    if (ref.kind === 'secretsmanager' && where.replica && name === 'ResourceNotFoundException') {
      return { problem: `${label} lives in ${ref.region} and has no replica in ${region}, where the service runs (replicate it there: aws secretsmanager replicate-secret-to-regions --secret-id ${ref.secretArn} --add-replica-regions Region=${region})` };
    }
    return { problem: `${label} cannot be read in ${region} (${name})` };
  }
}

/**
 * Where the container's DATABASE_URL points (host, port), read in `region`: the environment
 * value, or the reference's value. The credentials are never returned.
 */
export async function databaseUrlEndpoint(aws: AwsRegions, region: string, td: TaskDefinition | undefined, containerName: string, prefixes: ReferencePrefixes): Promise<DatabaseUrlEndpoint> {
  const source = sourceOf(container(td, containerName));
  if (!source) return { present: false };
  if ('url' in source) {
    const host = databaseHost(source.url);
    const port = databasePort(source.url);
    return { present: true, ...(host ? { host } : { problem: 'DATABASE_URL is not a URL of the form scheme://[user[:password]@]host[:port]/db' }), ...(port !== undefined ? { port } : {}), redacted: redactSecrets(source.url) };
  }
  const read = await readReference(aws, region, source.valueFrom, prefixes);
  if ('problem' in read) return { present: true, from: source.valueFrom, problem: read.problem };
  try {
    const at = endpointIn(read.value, read.ref.kind === 'secretsmanager' ? read.ref.jsonKey : undefined, source.valueFrom);
    return { present: true, from: source.valueFrom, host: at.host, ...(at.port !== undefined ? { port: at.port } : {}) };
  } catch (err) {
    return { present: true, from: source.valueFrom, problem: err instanceof Error ? err.message : 'unusable value' };
  }
}

/** True when the container's DATABASE_URL (environment or reference) points at `host`. */
export async function pointsAt(aws: AwsRegions, region: string, td: TaskDefinition | undefined, containerName: string, host: string, prefixes: ReferencePrefixes): Promise<boolean> {
  const at = await databaseUrlEndpoint(aws, region, td, containerName, prefixes);
  return !at.problem && sameHost(at.host, host);
}
