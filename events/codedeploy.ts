/**
 * CodeDeploy Deployment State-change Notification.
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/monitoring-cloudwatch-events.html
 */
import type { Fields } from './fields';
import { CODEDEPLOY_STATES, type CodeDeployDetail } from './types';

export function readCodeDeployDetail(detail: Fields): CodeDeployDetail {
  const instanceGroupId = detail.optionalString('instanceGroupId');
  return {
    deploymentId: detail.matching('deploymentId', /^d-[A-Z0-9]+$/, 'a CodeDeploy deployment ID (d-XXXXXXXXX)'),
    application: detail.string('application'),
    deploymentGroup: detail.string('deploymentGroup'),
    state: detail.oneOf('state', CODEDEPLOY_STATES),
    region: detail.string('region'),
    ...(instanceGroupId !== undefined ? { instanceGroupId } : {}),
  };
}
