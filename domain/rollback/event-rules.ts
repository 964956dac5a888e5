/**
 * rollback-deployment's triggers: the EventBridge rules that deliver its events (its registry
 * entry's `triggers`, runbooks/registry.ts; deployed and routed by runbooks/routing.ts).
 *
 * Pure: no AWS SDK, no environment, no clock.
 */
import { AUTOPILOT_DETAIL_TYPES, AWS_EVENT_TYPES } from '../../events/types';
import type { AutopilotConfig } from '../config';
import { autopilotPattern, ruleContext, type RuleSpec } from '../event-patterns';
import { codeDeployConfigured } from '../features';

/**
 * rollback-deployment: a failed ECS deployment (circuit breaker), a failed CodeDeploy
 * blue/green deployment, and rollback requests (operators, or investigate-5xx's hand-off).
 */
export function rollbackDeploymentRules(config: AutopilotConfig): RuleSpec[] {
  const ctx = ruleContext(config);
  const { accounts } = ctx;
  const { service, codeDeploy } = config;
  const rules: RuleSpec[] = [];
  rules.push({
    runbook: 'rollback-deployment',
    bus: 'default',
    name: 'rollback-ecs-deployment-failed',
    description: `SERVICE_DEPLOYMENT_FAILED on ${service.clusterName}/${service.serviceName}`,
    pattern: {
      account: accounts,
      source: [AWS_EVENT_TYPES.ecsDeployment.source],
      'detail-type': [AWS_EVENT_TYPES.ecsDeployment.detailType],
      resources: ctx.serviceArns,
      detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
    },
  });
  // Only where the adopter has CodeDeploy (issue 16: empty codeDeploy names turn it off).
  if (codeDeployConfigured(config)) rules.push({
    runbook: 'rollback-deployment',
    bus: 'default',
    name: 'rollback-codedeploy-failure',
    description: `CodeDeploy FAILURE in ${codeDeploy.applicationName}/${codeDeploy.deploymentGroupName}`,
    pattern: {
      account: accounts,
      source: [AWS_EVENT_TYPES.codeDeploy.source],
      'detail-type': [AWS_EVENT_TYPES.codeDeploy.detailType],
      detail: { state: ['FAILURE'], application: [codeDeploy.applicationName], deploymentGroup: [codeDeploy.deploymentGroupName] },
    },
  });
  rules.push({
    runbook: 'rollback-deployment',
    bus: 'private',
    name: 'rollback-requested',
    description: `'${AUTOPILOT_DETAIL_TYPES.rollbackRequested}' for ${service.clusterName}/${service.serviceName}`,
    pattern: autopilotPattern(accounts, AUTOPILOT_DETAIL_TYPES.rollbackRequested, ctx.ourService),
  });
  return rules;
}
