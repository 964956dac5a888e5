/**
 * One ECS service as every runbook reads it: one DescribeServices call, normalised. Each
 * runbook adapter maps the reading to its own domain type and decides what a missing
 * service means for it (fail closed, a finding, or nothing to report).
 */
import { DescribeServicesCommand, type Deployment, type ECSClient, type Service, type TaskSet } from '@aws-sdk/client-ecs';
import './sdk/ecs';
import { epochMs } from './epoch-ms';

/** What a deployment and a task set both say: a task definition rolled out, and how far. */
interface EcsRolloutReading {
  id?: string;
  /** Deployments: PRIMARY, ACTIVE or INACTIVE; task sets: PRIMARY, ACTIVE or DRAINING. */
  status?: string;
  taskDefinition?: string;
  running: number;
  createdAt?: number;
}

export interface EcsDeploymentReading extends EcsRolloutReading {
  rolloutState?: string;
  rolloutStateReason?: string;
  updatedAt?: number;
  desired: number;
  failedTasks?: number;
}

/** A task set (blue/green services; CodeDeploy sets externalId to its deployment id). */
export interface EcsTaskSetReading extends EcsRolloutReading {
  externalId?: string;
  targetGroupArns: string[];
}

export interface EcsServiceReading {
  /** serviceName as ECS returned it, else the name asked for. */
  name: string;
  /** ACTIVE, DRAINING or INACTIVE. */
  status?: string;
  taskDefinition?: string;
  desired: number;
  running: number;
  pending: number;
  /** ECS, CODE_DEPLOY or EXTERNAL (absent from the answer: ECS). */
  deploymentController: string;
  deployments: EcsDeploymentReading[];
  taskSets: EcsTaskSetReading[];
  /** Service events, newest first as ECS lists them. */
  events: { at?: number; message: string }[];
}

/** What one DescribeServices said: the service, or none and the API's failure reason when it gave one. */
export type EcsServiceLookup = { service: EcsServiceReading; failure?: undefined } | { service?: undefined; failure?: string };

/** DescribeServices for one service. SDK errors (throttling, access denied...) are thrown as they come. */
export async function readEcsService(ecs: ECSClient, cluster: string, service: string): Promise<EcsServiceLookup> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = out.services?.find((s) => s.serviceName === service) ?? out.services?.[0];
  if (found) return { service: ecsServiceReading(found, service) };
  const reason = out.failures?.[0]?.reason;
  return reason ? { failure: reason } : {};
}

export function ecsServiceReading(s: Service, requestedName: string): EcsServiceReading {
  return {
    name: s.serviceName ?? requestedName,
    status: s.status,
    taskDefinition: s.taskDefinition,
    desired: s.desiredCount ?? 0,
    running: s.runningCount ?? 0,
    pending: s.pendingCount ?? 0,
    deploymentController: s.deploymentController?.type ?? 'ECS',
    deployments: (s.deployments ?? []).map(deploymentReading),
    taskSets: (s.taskSets ?? []).map(taskSetReading),
    events: (s.events ?? []).map((e) => ({ at: epochMs(e.createdAt), message: e.message ?? '' })),
  };
}

function rolloutReading(r: Deployment | TaskSet): EcsRolloutReading {
  return { id: r.id, status: r.status, taskDefinition: r.taskDefinition, running: r.runningCount ?? 0, createdAt: epochMs(r.createdAt) };
}

function deploymentReading(d: Deployment): EcsDeploymentReading {
  return {
    ...rolloutReading(d),
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
    updatedAt: epochMs(d.updatedAt),
    desired: d.desiredCount ?? 0,
    failedTasks: d.failedTasks,
  };
}

function taskSetReading(t: TaskSet): EcsTaskSetReading {
  return {
    ...rolloutReading(t),
    externalId: t.externalId,
    targetGroupArns: (t.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter((arn): arn is string => !!arn),
  };
}
