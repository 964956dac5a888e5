/**
 * DATABASE_URL as a reference (ECS container `secrets`: name + valueFrom) instead of a
 * plaintext environment value. Pure: parsing a valueFrom, where it can be read from, what the
 * new reference is called and what its valueFrom is, and the rewrite of the secret's value.
 * The adapter (adapters/aws/database-url.ts) does the reading and writing.
 *
 * valueFrom forms ECS accepts (Amazon ECS Developer Guide, "Pass Secrets Manager secrets
 * through Amazon ECS environment variables" and the Secret.valueFrom API reference):
 *   - a Secrets Manager secret: its full ARN, optionally followed by
 *     `:json-key:version-stage:version-id` (each may be empty) to inject one key of a JSON
 *     secret, or one version of it;
 *   - an SSM Parameter Store parameter: its full ARN, or its name when the parameter is in the
 *     task's Region.
 *
 * The design, per source kind: the autopilot never changes the reference a running service
 * reads. A new version of the same secret (PutSecretValue) or an overwrite of the same
 * parameter would change what every task of every service reading it gets on its next start:
 * the primary region's service restarting after a failover, or a service still on the old
 * database after a restore, would silently connect to the new endpoint. So both kinds get a
 * NEW reference named after the incident (`<source name>/<incident key>/<instance>`), written once, and
 * only the task definition the runbook registers points at it:
 *   - Secrets Manager: CreateSecret of a new secret, same KMS key as the source's copy in the
 *     Region the service runs in, the whole secret copied with only the URL rewritten (a JSON
 *     secret keeps its other keys, the valueFrom keeps its json-key);
 *   - SSM: PutParameter of a new SecureString (Overwrite false), same KMS key and tier as the
 *     source.
 *
 * Regions: a reference is read in the Region the service runs in, never elsewhere. A failover
 * runs because the primary Region's database failed, perhaps the whole Region: a secret there
 * may not be readable. A Secrets Manager secret of another Region is read from its replica in
 * the service's Region (a replica's ARN is the primary's with the Region changed: Secrets
 * Manager User Guide, "Replicate AWS Secrets Manager secrets across Regions"); without one the
 * runbook refuses before any change. SSM parameters are not replicated: a parameter of another
 * Region is refused the same way.
 */
import { databaseHost, databasePort, withDatabaseEndpoint } from './database-url';

export type DatabaseUrlReference =
  | {
      kind: 'secretsmanager';
      /** The valueFrom as the task definition has it. */
      valueFrom: string;
      /** The secret's ARN without the json-key / version suffix. */
      secretArn: string;
      region: string;
      account: string;
      /** Secret name as the ARN shows it (with Secrets Manager's six-character suffix). */
      nameWithSuffix: string;
      jsonKey?: string;
      versionStage?: string;
      versionId?: string;
    }
  | {
      kind: 'ssm';
      valueFrom: string;
      /** What GetParameter is called with: the ARN, or the name for a same-Region parameter. */
      parameter: string;
      /** The Region the parameter lives in (the task's for a bare name). */
      region: string;
    };

const SECRET_ARN = /^arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:([^:]+)(?::([^:]*):([^:]*):([^:]*))?$/;
const PARAMETER_ARN = /^arn:(aws[a-z-]*):ssm:([a-z0-9-]+):(\d{12}):parameter(\/.+)$/;
/** SSM parameter names: letters, digits, `_.-/`; a hierarchy starts with '/'. */
const PARAMETER_NAME = /^[A-Za-z0-9_./-]{1,2048}$/;

/** A valueFrom as the reference it names, or why it is not one the autopilot can follow. */
export function parseDatabaseUrlReference(valueFrom: string, taskRegion: string): DatabaseUrlReference | { error: string } {
  const sm = SECRET_ARN.exec(valueFrom);
  if (sm) {
    const [, partition, region, account, name, jsonKey, versionStage, versionId] = sm;
    return {
      kind: 'secretsmanager',
      valueFrom,
      secretArn: `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}`,
      region: region!,
      account: account!,
      nameWithSuffix: name!,
      ...(jsonKey ? { jsonKey } : {}),
      ...(versionStage ? { versionStage } : {}),
      ...(versionId ? { versionId } : {}),
    };
  }
  const pa = PARAMETER_ARN.exec(valueFrom);
  if (pa) return { kind: 'ssm', valueFrom, parameter: valueFrom, region: pa[2]! };
  if (valueFrom.startsWith('arn:')) return { error: `valueFrom ${valueFrom} is neither a Secrets Manager secret ARN nor an SSM parameter ARN` };
  if (!PARAMETER_NAME.test(valueFrom)) return { error: `valueFrom ${valueFrom} is not an SSM parameter name` };
  return { kind: 'ssm', valueFrom, parameter: valueFrom, region: taskRegion };
}

/**
 * What to read in `region` (the service's): the secret itself there, its replica there (same
 * ARN, Region changed), or a refusal for a parameter of another Region.
 */
export function readableIn(ref: DatabaseUrlReference, region: string): { id: string; replica: boolean } | { error: string } {
  if (ref.kind === 'secretsmanager') {
    if (ref.region === region) return { id: ref.secretArn, replica: false };
    return { id: ref.secretArn.replace(`:secretsmanager:${ref.region}:`, `:secretsmanager:${region}:`), replica: true };
  }
  if (ref.region === region) return { id: ref.parameter, replica: false };
  return { error: `SSM parameter ${ref.parameter} is in ${ref.region}; parameters are not replicated, so the service in ${region} cannot be pointed at a copy read from there` };
}

/** A name segment from the incident key (Secrets Manager and SSM both accept [A-Za-z0-9_-]). */
function segment(incidentKey: string): string {
  return incidentKey.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 64);
}

/** The instance part of an RDS endpoint (`regami-db-replica` of regami-db-replica.c9akciq32.us-west-2.rds.amazonaws.com). */
function endpointSegment(address: string): string {
  return segment(address.split('.')[0] ?? address) || 'endpoint';
}

/**
 * Name of the new secret: `<source name>/<incident key>/<instance>`. One per incident and
 * endpoint: a retried step finds its own, and a second endpoint in the same incident (the
 * promoted endpoint differing from the replica's) gets its own instead of a conflict.
 */
export function newSecretName(sourceName: string, incidentKey: string, endpointAddress: string): string {
  return `${sourceName}/${segment(incidentKey)}/${endpointSegment(endpointAddress)}`;
}

/** Name of the new parameter, likewise; always fully qualified (a name in a hierarchy starts with '/'). */
export function newParameterName(sourceName: string, incidentKey: string, endpointAddress: string): string {
  const base = sourceName.startsWith('/') ? sourceName : `/${sourceName}`;
  return `${base}/${segment(incidentKey)}/${endpointSegment(endpointAddress)}`;
}

/** The valueFrom of the new reference: a JSON secret keeps its json-key (the new secret has one version: AWSCURRENT). */
export function newValueFrom(ref: DatabaseUrlReference, newArn: string): string {
  return ref.kind === 'secretsmanager' && ref.jsonKey ? `${newArn}:${ref.jsonKey}::` : newArn;
}

/** Why a secret's value cannot be rewritten: never carries the value itself. */
export class UnusableSecretValue extends Error {
  constructor(reference: string, detail: string) {
    super(`${reference}: ${detail}`);
    this.name = 'UnusableSecretValue';
  }
}

/** The DATABASE_URL a secret's value holds: the whole value, or one key of a JSON object. */
export function databaseUrlIn(value: string, jsonKey: string | undefined, reference: string): string {
  let url = value;
  if (jsonKey !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new UnusableSecretValue(reference, `valueFrom names the JSON key "${jsonKey}" but the secret is not JSON`);
    }
    const v = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)[jsonKey] : undefined;
    if (typeof v !== 'string') throw new UnusableSecretValue(reference, `the secret has no string at JSON key "${jsonKey}"`);
    url = v;
  }
  if (databaseHost(url) === undefined) throw new UnusableSecretValue(reference, 'the value is not a URL of the form scheme://[user[:password]@]host[:port]/db');
  return url;
}

/** Where a reference's DATABASE_URL points: host and port only (never the credentials). */
export function endpointIn(value: string, jsonKey: string | undefined, reference: string): { host: string; port?: number } {
  const url = databaseUrlIn(value, jsonKey, reference);
  const port = databasePort(url);
  return { host: databaseHost(url)!, ...(port !== undefined ? { port } : {}) };
}

/**
 * The secret's value with its DATABASE_URL pointed at `endpoint`: the whole value, or only
 * the one JSON key (the other keys, their order and types kept).
 */
export function rewriteSecretValue(value: string, jsonKey: string | undefined, endpoint: { address: string; port?: number }, reference: string): string {
  const url = databaseUrlIn(value, jsonKey, reference);
  const rewritten = withDatabaseEndpoint(url, endpoint);
  if (jsonKey === undefined) return rewritten;
  const parsed = JSON.parse(value) as Record<string, unknown>;
  return JSON.stringify({ ...parsed, [jsonKey]: rewritten });
}

/** A reference's name inside the configured prefix: the roles may read and write only there (infra/permissions.ts). */
export function withinPrefix(ref: DatabaseUrlReference, prefixes: { secretNamePrefix: string; parameterNamePrefix: string }): boolean {
  if (ref.kind === 'secretsmanager') return prefixes.secretNamePrefix !== '' && ref.nameWithSuffix.startsWith(prefixes.secretNamePrefix);
  const name = PARAMETER_ARN.exec(ref.parameter)?.[4] ?? (ref.parameter.startsWith('/') ? ref.parameter : `/${ref.parameter}`);
  const prefix = prefixes.parameterNamePrefix.startsWith('/') ? prefixes.parameterNamePrefix : `/${prefixes.parameterNamePrefix}`;
  return prefixes.parameterNamePrefix !== '' && name.startsWith(prefix);
}
