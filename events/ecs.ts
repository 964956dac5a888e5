/**
 * ECS Deployment State Change and ECS Task State Change.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_deployment_events.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
 */
import { Fields, reject } from './fields';
import { ECS_DEPLOYMENT_EVENT_NAMES, type EcsContainerState, type EcsDeploymentDetail, type EcsTaskDetail } from './types';

// Long ARN format (the default since 2021): the service ARN carries its cluster.
const SERVICE_ARN = /^arn:[^:]+:ecs:[^:]+:\d+:service\/([^/]+)\/([^/]+)$/;

/** A deployment event names its service only in `resources`; it must name exactly one. */
export function readEcsDeploymentDetail(detail: Fields, resources: string[]): EcsDeploymentDetail {
  const services = resources.filter((r) => SERVICE_ARN.test(r));
  if (services.length !== 1) {
    reject('bad-value', 'resources', `expected exactly one ECS service ARN (arn:aws:ecs:region:account:service/cluster/service), got ${services.length}`);
  }
  const serviceArn = services[0] as string;
  const [, clusterName, serviceName] = SERVICE_ARN.exec(serviceArn) as RegExpExecArray;
  return {
    eventType: detail.oneOf('eventType', ['INFO', 'WARN', 'ERROR'] as const),
    eventName: detail.oneOf('eventName', ECS_DEPLOYMENT_EVENT_NAMES),
    deploymentId: detail.string('deploymentId'),
    updatedAt: detail.isoTime('updatedAt'),
    reason: detail.text('reason'),
    serviceArn,
    clusterName: clusterName as string,
    serviceName: serviceName as string,
  };
}

function readContainer(f: Fields): EcsContainerState {
  const lastStatus = f.optionalString('lastStatus');
  const exitCode = f.optionalNumber('exitCode');
  const reason = f.optionalText('reason');
  return {
    name: f.string('name'),
    ...(lastStatus !== undefined ? { lastStatus } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...(reason !== undefined ? { reason } : {}),
  };
}

export function readEcsTaskDetail(detail: Fields): EcsTaskDetail {
  const group = detail.optionalString('group');
  const stopCode = detail.optionalString('stopCode');
  const stoppedReason = detail.optionalText('stoppedReason');
  const stoppedAt = detail.optionalIsoTime('stoppedAt');
  const startedBy = detail.optionalString('startedBy');
  const serviceName = group?.startsWith('service:') ? group.slice('service:'.length) : undefined;
  return {
    clusterArn: detail.string('clusterArn'),
    taskArn: detail.string('taskArn'),
    taskDefinitionArn: detail.string('taskDefinitionArn'),
    lastStatus: detail.string('lastStatus'),
    desiredStatus: detail.string('desiredStatus'),
    containers: detail.objectArray('containers').map(readContainer),
    ...(group !== undefined ? { group } : {}),
    ...(serviceName ? { serviceName } : {}),
    ...(stopCode !== undefined ? { stopCode } : {}),
    ...(stoppedReason !== undefined ? { stoppedReason } : {}),
    ...(stoppedAt !== undefined ? { stoppedAt } : {}),
    ...(startedBy !== undefined ? { startedBy } : {}),
  };
}
