/**
 * Register a copy of a task definition whose DATABASE_URL points at another host: the
 * restore switch (runbook 5 step 5), through the same registerWithDatabaseEndpoint as the
 * failover's step 5 (adapters/aws/database-url.ts). Credentials inside the URL are carried
 * over untouched and never logged or returned; a DATABASE_URL that is a Secrets Manager / SSM
 * reference gets a new reference for the incident, never a plaintext value in its place.
 */
import { DescribeTaskDefinitionCommand, type Tag } from '@aws-sdk/client-ecs';
import './sdk/ecs';
import type { AwsRegions } from './clients';
import { pointsAt, registerWithDatabaseEndpoint, type ReferencePrefixes, type WrittenReference } from './database-url';

export interface CloneResult {
  taskDefinitionArn: string;
  revision: number;
  /** false: the source already pointed at the host (a retried step finding its own work done); nothing registered. */
  registered: boolean;
  /** DATABASE_URL is a reference: the one the copy reads (written for this incident). */
  reference?: WrittenReference;
}

/** Tag carried by every revision the autopilot registers (loop guard, audit). */
export const AUTOPILOT_TAG: Tag = { key: 'autopilot:registered-by', value: 'runbook-autopilot' };

export interface CloneOptions {
  /** Names a new DATABASE_URL reference (domain/database-url-reference.ts). */
  incidentKey: string;
  prefixes: ReferencePrefixes;
}

export async function cloneWithDatabaseHost(aws: AwsRegions, region: string, sourceTaskDefinition: string, containerName: string, newHost: string, reason: string, opts: CloneOptions): Promise<CloneResult> {
  const { taskDefinition: td, tags } = await aws.in(region).ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: sourceTaskDefinition, include: ['TAGS'] }));
  if (!td?.family || !td.containerDefinitions) throw new Error(`task definition ${sourceTaskDefinition} not found`);
  // Environment value or reference, read in the service's Region: already on the host, nothing to register.
  if (await pointsAt(aws, region, td, containerName, newHost, opts.prefixes)) {
    return { taskDefinitionArn: td.taskDefinitionArn ?? sourceTaskDefinition, revision: td.revision ?? 0, registered: false };
  }
  const { taskDefinition, reference } = await registerWithDatabaseEndpoint(aws, {
    region,
    source: td,
    containerName,
    endpoint: { address: newHost },
    incidentKey: opts.incidentKey,
    tags: [...(tags ?? []).filter((t) => t.key !== AUTOPILOT_TAG.key && t.key !== 'autopilot:reason'), AUTOPILOT_TAG, { key: 'autopilot:reason', value: reason.slice(0, 256) }],
    prefixes: opts.prefixes,
  });
  const arn = taskDefinition.taskDefinitionArn;
  if (!arn) throw new Error('RegisterTaskDefinition returned no ARN');
  return { taskDefinitionArn: arn, revision: taskDefinition.revision ?? 0, registered: true, ...(reference ? { reference } : {}) };
}
