/**
 * DATABASE_URL of a task definition's container, wherever it lives: the environment, or a
 * Secrets Manager / SSM reference (container `secrets`). The one place that reads it and the
 * one place that registers a copy pointing at another endpoint: failover step 5 (runbook 1
 * "Update Application Configuration") and the restore switch (runbook 5 step 5) both call
 * registerWithDatabaseEndpoint.
 *
 * A reference is read in the Region the service runs in and rewritten into a NEW reference
 * (domain/database-url-reference.ts says why and how it is named); the registered task
 * definition points at it. The value (it holds the password) never leaves this module: results
 * carry hosts, ports, ARNs and names only, so nothing a step returns (checkpointed by the
 * durable runtime), records, logs or pages can hold it. Errors name the reference and the AWS
 * error, never the value.
 */
import { RegisterTaskDefinitionCommand, type ContainerDefinition, type ECSClient, type RegisterTaskDefinitionCommandInput, type Tag, type TaskDefinition } from '@aws-sdk/client-ecs';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { withDatabaseEndpoint } from '../../domain/database-url';
import {
  newParameterName,
  newSecretName,
  newValueFrom,
  rewriteSecretValue,
} from '../../domain/database-url-reference';
import type { AwsRegions } from './clients';
import './sdk/ecs';
import './sdk/secretsManager';
import './sdk/ssm';
import { container, DatabaseUrlReferenceUnusable, errName, readReference, type ReferencePrefixes } from './database-url-read';

export { databaseUrlEndpoint, DatabaseUrlReferenceUnusable, pointsAt, type DatabaseUrlEndpoint, type ReferencePrefixes } from './database-url-read';

export interface WrittenReference {
  kind: 'secretsmanager' | 'ssm';
  /** Name of the new secret / parameter. */
  name: string;
  arn: string;
  /** The valueFrom the registered task definition carries. */
  valueFrom: string;
  /** false: an earlier attempt of this step had written it already (same value). */
  created: boolean;
}

export interface RegisterWithEndpoint {
  /** Region of the service (and of the task definition and reference written). */
  region: string;
  source: TaskDefinition;
  containerName: string;
  endpoint: { address: string; port?: number };
  /** Names the new reference (domain/database-url-reference.ts). */
  incidentKey: string;
  /** Tags of the new revision. */
  tags: Tag[];
  prefixes: ReferencePrefixes;
}

export interface Registered {
  taskDefinition: TaskDefinition;
  /** Set when DATABASE_URL is a reference: the one written for this incident. */
  reference?: WrittenReference;
}

/**
 * Registers a copy of `source` whose container's DATABASE_URL points at `endpoint`: the
 * environment value rewritten in place (as before), or a new reference written (Secrets
 * Manager: CreateSecret; SSM: PutParameter) and the copy's `secrets` pointing at it. Every
 * other field of the task definition is carried over. Throws DatabaseUrlReferenceUnusable
 * (nothing written) when the reference cannot be followed.
 */
export async function registerWithDatabaseEndpoint(aws: AwsRegions, opts: RegisterWithEndpoint): Promise<Registered> {
  const td = opts.source;
  const label = `${td.family}:${td.revision}`;
  const c = container(td, opts.containerName);
  const envUrl = c?.environment?.find((e) => e.name === 'DATABASE_URL' && e.value);
  const secret = c?.secrets?.find((s) => s.name === 'DATABASE_URL');
  if (envUrl && secret) throw new Error(`container ${opts.containerName} of ${label} has DATABASE_URL both in environment and in secrets: refusing to guess which one it reads`);
  let reference: WrittenReference | undefined;
  let containerDefinitions: ContainerDefinition[];
  if (secret?.valueFrom) {
    reference = await writeReference(aws, opts, secret.valueFrom);
    const valueFrom = reference.valueFrom;
    containerDefinitions = (td.containerDefinitions ?? []).map((x) =>
      x.name !== opts.containerName ? x : { ...x, secrets: (x.secrets ?? []).map((s) => (s.name === 'DATABASE_URL' ? { name: s.name, valueFrom } : s)) },
    );
  } else if (envUrl) {
    containerDefinitions = (td.containerDefinitions ?? []).map((x) =>
      x.name !== opts.containerName ? x : { ...x, environment: (x.environment ?? []).map((e) => (e.name === 'DATABASE_URL' && e.value ? { name: e.name, value: withDatabaseEndpoint(e.value, opts.endpoint) } : e)) },
    );
  } else {
    throw new Error(`container ${opts.containerName} of ${label} has no DATABASE_URL to rewrite`);
  }
  const input: RegisterTaskDefinitionCommandInput = {
    family: td.family,
    containerDefinitions,
    ...(td.taskRoleArn ? { taskRoleArn: td.taskRoleArn } : {}),
    ...(td.executionRoleArn ? { executionRoleArn: td.executionRoleArn } : {}),
    ...(td.networkMode ? { networkMode: td.networkMode } : {}),
    ...(td.volumes ? { volumes: td.volumes } : {}),
    ...(td.placementConstraints ? { placementConstraints: td.placementConstraints } : {}),
    ...(td.requiresCompatibilities ? { requiresCompatibilities: td.requiresCompatibilities } : {}),
    ...(td.cpu ? { cpu: td.cpu } : {}),
    ...(td.memory ? { memory: td.memory } : {}),
    ...(td.runtimePlatform ? { runtimePlatform: td.runtimePlatform } : {}),
    ...(td.ephemeralStorage ? { ephemeralStorage: td.ephemeralStorage } : {}),
    ...(td.proxyConfiguration ? { proxyConfiguration: td.proxyConfiguration } : {}),
    ...(td.pidMode ? { pidMode: td.pidMode } : {}),
    ...(td.ipcMode ? { ipcMode: td.ipcMode } : {}),
    tags: opts.tags,
  };
  const ecs: ECSClient = aws.in(opts.region).ecs;
  const out = await ecs.send(new RegisterTaskDefinitionCommand(input));
  if (!out.taskDefinition?.taskDefinitionArn) throw new Error('RegisterTaskDefinition returned no task definition');
  if (reference) {
    const carried = container(out.taskDefinition, opts.containerName)?.secrets?.find((s) => s.name === 'DATABASE_URL')?.valueFrom;
    if (carried !== reference.valueFrom) throw new Error(`registered ${out.taskDefinition.taskDefinitionArn} does not read DATABASE_URL from ${reference.name}`);
  }
  return { taskDefinition: out.taskDefinition, ...(reference ? { reference } : {}) };
}

/** Reads the source reference, writes the new one (or finds the one an earlier attempt wrote) and reads it back. */
async function writeReference(aws: AwsRegions, opts: RegisterWithEndpoint, valueFrom: string): Promise<WrittenReference> {
  const { region } = opts;
  const read = await readReference(aws, region, valueFrom, opts.prefixes);
  if ('problem' in read) throw new DatabaseUrlReferenceUnusable(read.problem);
  const { ref } = read;
  let value: string;
  try {
    value = rewriteSecretValue(read.value, ref.kind === 'secretsmanager' ? ref.jsonKey : undefined, opts.endpoint, valueFrom);
  } catch (err) {
    throw new DatabaseUrlReferenceUnusable(err instanceof Error ? err.message : 'unusable value');
  }
  // Untagged (tagging needs its own grant): the name says the incident, the description the rest.
  const description = `DATABASE_URL of ${opts.source.family} pointed at ${opts.endpoint.address} by runbook-autopilot (incident ${opts.incidentKey}); copied from ${read.arn}`.slice(0, 2048);

  if (ref.kind === 'secretsmanager') {
    const sm = aws.in(region).secretsManager;
    // The key of the secret the service reads in this Region: a replica has its own, which
    // DescribeSecret in the replica's Region reports (the primary's key is of another Region).
    const described = await sm.send(new DescribeSecretCommand({ SecretId: read.readId }));
    const name = newSecretName(described.Name ?? read.name, opts.incidentKey, opts.endpoint.address);
    let created = true;
    let arn: string | undefined;
    try {
      const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: value, Description: description, ...(described.KmsKeyId ? { KmsKeyId: described.KmsKeyId } : {}) }));
      arn = out.ARN;
    } catch (err) {
      if (errName(err) !== 'ResourceExistsException') throw err;
      created = false;
    }
    // Read back: what the new task definition will read must be exactly what was meant.
    const back = await sm.send(new GetSecretValueCommand({ SecretId: arn ?? name }));
    if (back.SecretString !== value) throw new DatabaseUrlReferenceUnusable(`a secret named ${name} already exists with another value: the autopilot never overwrites a secret`);
    arn = back.ARN ?? arn;
    if (!arn) throw new Error(`CreateSecret of ${name} returned no ARN`);
    return { kind: 'secretsmanager', name, arn, valueFrom: newValueFrom(ref, arn), created };
  }

  const ssm = aws.in(region).ssm;
  // The source's type, key and tier: a SecureString stays under the same key.
  const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [read.name] }] }));
  const meta = described.Parameters?.find((p) => p.Name === read.name);
  const name = newParameterName(read.name, opts.incidentKey, opts.endpoint.address);
  const keyId = meta?.Type === 'SecureString' && meta.KeyId && meta.KeyId !== 'alias/aws/ssm' ? meta.KeyId : undefined;
  let created = true;
  try {
    await ssm.send(
      new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: false, Description: description.slice(0, 1024), ...(keyId ? { KeyId: keyId } : {}), ...(meta?.Tier === 'Advanced' ? { Tier: 'Advanced' } : {}) }),
    );
  } catch (err) {
    if (errName(err) !== 'ParameterAlreadyExists') throw err;
    created = false;
  }
  const back = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  if (back.Parameter?.Value !== value) throw new DatabaseUrlReferenceUnusable(`a parameter named ${name} already exists with another value: the autopilot never overwrites a parameter`);
  const arn = back.Parameter.ARN;
  if (!arn) throw new Error(`GetParameter of ${name} returned no ARN`);
  // ECS takes the ARN (the name works only in the task's Region; the ARN always does).
  return { kind: 'ssm', name, arn, valueFrom: newValueFrom(ref, arn), created };
}

