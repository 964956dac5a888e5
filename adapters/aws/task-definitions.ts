/**
 * Register a copy of a task definition whose DATABASE_URL points at another host: the
 * runbooks' "Update Application Configuration" (failover step 5, restore step 5).
 * Credentials inside the URL are carried over untouched and never logged or returned.
 */
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, type ECSClient, type RegisterTaskDefinitionRequest, type Tag } from '@aws-sdk/client-ecs';
import './sdk/ecs';
import { databaseHost, withDatabaseHost } from '../../domain/database-url';

export interface CloneResult {
  taskDefinitionArn: string;
  revision: number;
  /** false: the source already pointed at the host (a retried step finding its own work done); nothing registered. */
  registered: boolean;
}

/** Tag carried by every revision the autopilot registers (loop guard, audit). */
export const AUTOPILOT_TAG: Tag = { key: 'autopilot:registered-by', value: 'runbook-autopilot' };

/** DATABASE_URL is a `secrets` reference: the autopilot will not write a plaintext URL in its place. */
export class DatabaseUrlIsSecretReference extends Error {
  constructor(taskDefinition: string, container: string) {
    super(
      `DatabaseUrlIsSecretReference: container ${container} of ${taskDefinition} reads DATABASE_URL from a Secrets Manager / SSM reference; ` +
        'the autopilot does not write a plaintext URL in its place: create a reference for the new host and register the task definition by hand',
    );
    this.name = 'DatabaseUrlIsSecretReference';
  }
}

export async function cloneWithDatabaseHost(ecs: ECSClient, sourceTaskDefinition: string, containerName: string, newHost: string, reason: string): Promise<CloneResult> {
  const { taskDefinition: td, tags } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: sourceTaskDefinition, include: ['TAGS'] }));
  if (!td?.family || !td.containerDefinitions) throw new Error(`task definition ${sourceTaskDefinition} not found`);
  const urls = td.containerDefinitions.find((c) => c.name === containerName)?.environment?.filter((e) => e.name === 'DATABASE_URL' && e.value) ?? [];
  if (urls.length > 0 && urls.every((e) => databaseHost(e.value ?? '')?.toLowerCase() === newHost.toLowerCase())) {
    return { taskDefinitionArn: td.taskDefinitionArn ?? sourceTaskDefinition, revision: td.revision ?? 0, registered: false };
  }
  const container = td.containerDefinitions.find((c) => c.name === containerName);
  const reference = container?.secrets?.find((s) => s.name === 'DATABASE_URL');
  if (reference) {
    // The URL lives in Secrets Manager / SSM: pointing it at another host means a new
    // reference, never a plaintext copy in the environment. Refused until that exists.
    throw new DatabaseUrlIsSecretReference(`${td.family}:${td.revision}`, containerName);
  }
  let rewritten = false;
  const containerDefinitions = td.containerDefinitions.map((c) => {
    if (c.name !== containerName) return c;
    const environment = (c.environment ?? []).map((e) => {
      if (e.name !== 'DATABASE_URL' || !e.value) return e;
      rewritten = true;
      return { ...e, value: withDatabaseHost(e.value, newHost) };
    });
    return { ...c, environment };
  });
  if (!rewritten) throw new Error(`container ${containerName} of ${td.family}:${td.revision} has no DATABASE_URL to rewrite`);
  const request: RegisterTaskDefinitionRequest = {
    family: td.family,
    taskRoleArn: td.taskRoleArn,
    executionRoleArn: td.executionRoleArn,
    networkMode: td.networkMode,
    containerDefinitions,
    volumes: td.volumes,
    placementConstraints: td.placementConstraints,
    requiresCompatibilities: td.requiresCompatibilities,
    cpu: td.cpu,
    memory: td.memory,
    runtimePlatform: td.runtimePlatform,
    ephemeralStorage: td.ephemeralStorage,
    tags: [...(tags ?? []).filter((t) => t.key !== AUTOPILOT_TAG.key && t.key !== 'autopilot:reason'), AUTOPILOT_TAG, { key: 'autopilot:reason', value: reason.slice(0, 256) }],
  };
  const out = await ecs.send(new RegisterTaskDefinitionCommand(request));
  const arn = out.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error('RegisterTaskDefinition returned no ARN');
  return { taskDefinitionArn: arn, revision: out.taskDefinition?.revision ?? 0, registered: true };
}
