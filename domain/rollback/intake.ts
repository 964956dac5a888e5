/**
 * Which events start a rollback (pure). The loop guard (deployments the autopilot started
 * itself) and the dedupe need the state table and live in the handler.
 */
import type { AutopilotConfig } from '../config';
import { incidentKey } from '../incident';
import type { AutopilotEvent } from '../../events/types';
import type { RollbackTrigger } from './decide';
import { quoteUntrusted } from '../untrusted-text';

export type RollbackIntake =
  | { kind: 'ignore'; reason: string }
  | { kind: 'trigger'; trigger: RollbackTrigger; summary: string };

export function rollbackIntake(event: AutopilotEvent, config: AutopilotConfig): RollbackIntake {
  const svc = config.service;
  switch (event.kind) {
    case 'ecs-deployment': {
      const d = event.detail;
      if (d.eventName !== 'SERVICE_DEPLOYMENT_FAILED') return { kind: 'ignore', reason: `${d.eventName} is not a failure` };
      if (d.clusterName !== svc.clusterName || d.serviceName !== svc.serviceName) {
        return { kind: 'ignore', reason: `${d.clusterName}/${d.serviceName} is not the service this autopilot rolls back (${svc.clusterName}/${svc.serviceName})` };
      }
      return {
        kind: 'trigger',
        trigger: { kind: 'ecs-deployment-failed', deploymentId: d.deploymentId, reason: d.reason },
        summary: `ECS SERVICE_DEPLOYMENT_FAILED ${d.deploymentId} on ${d.clusterName}/${d.serviceName}: ${quoteUntrusted(d.reason)}`,
      };
    }
    case 'codedeploy': {
      const d = event.detail;
      if (d.state !== 'FAILURE') return { kind: 'ignore', reason: `CodeDeploy ${d.deploymentId} state ${d.state} is not a failure` };
      if (d.application !== config.codeDeploy.applicationName || d.deploymentGroup !== config.codeDeploy.deploymentGroupName) {
        return { kind: 'ignore', reason: `${d.application}/${d.deploymentGroup} is not the configured deployment group` };
      }
      return {
        kind: 'trigger',
        trigger: { kind: 'codedeploy-failure', deploymentId: d.deploymentId },
        summary: `CodeDeploy FAILURE ${d.deploymentId} in ${d.application}/${d.deploymentGroup}`,
      };
    }
    case 'rollback-request': {
      const d = event.detail;
      if (d.cluster !== svc.clusterName || d.service !== svc.serviceName) {
        return { kind: 'ignore', reason: `rollback requested for ${d.cluster}/${d.service}, not ${svc.clusterName}/${svc.serviceName}` };
      }
      return {
        kind: 'trigger',
        trigger: { kind: 'rollback-requested', reason: d.reason, requestedBy: d.requestedBy, evidence: d.evidence ?? [] },
        summary: `rollback of ${d.cluster}/${d.service} requested by ${quoteUntrusted(d.requestedBy, 120)}: ${quoteUntrusted(d.reason)}`,
      };
    }
    default:
      return { kind: 'ignore', reason: `${event.kind} events do not start a rollback` };
  }
}

/**
 * One incident (and one durable execution) per bad deployment: the ECS failure and the 5XX
 * hand-off for the same deployment join each other; the next bad deployment is a new one.
 */
export function rollbackIncidentKey(config: AutopilotConfig, deploymentId: string | undefined): string {
  return incidentKey('rollback-deployment', config.service.serviceName, deploymentId ?? 'unknown-deployment');
}
