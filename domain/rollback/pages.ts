/**
 * Runbook 2's pages and the manual commands they carry. The commands are the runbook's own,
 * filled in with the service, revision and deployment at hand, so a human can paste them.
 */
import type { AutopilotConfig, Severity } from '../config';
import type { Page, RefusedAction } from '../paging';
import type { Verdict } from '../guardrails';
import { familyRevision } from './revisions';

export interface ManualCommands {
  listRevisions: string;
  rollBack: (taskDefinition?: string) => string;
  watchRollout: string;
  listTasks: string;
  findCodeDeploy: string;
  stopCodeDeploy: (deploymentId?: string) => string;
  watchCodeDeploy: (deploymentId?: string) => string;
  /** Forward all traffic to `targetGroupArn` (the original task set's target group). */
  switchListener: (targetGroupArn?: string) => string;
}

export function manualCommands(config: AutopilotConfig): ManualCommands {
  const s = config.service;
  const r = `--region ${s.region}`;
  return {
    listRevisions: `aws ecs list-task-definitions --family-prefix ${s.taskFamily} --sort DESC --max-results 5 ${r}`,
    rollBack: (td) =>
      `aws ecs update-service --cluster ${s.clusterName} --service ${s.serviceName} --task-definition ${td ? familyRevision(td) : `${s.taskFamily}:<known-good revision>`} --force-new-deployment ${r}`,
    watchRollout: `aws ecs describe-services --cluster ${s.clusterName} --services ${s.serviceName} ${r} --query "services[0].[deployments,events[0:3]]"`,
    listTasks: `aws ecs list-tasks --cluster ${s.clusterName} --service-name ${s.serviceName} ${r}`,
    findCodeDeploy: `aws deploy list-deployments --application-name ${config.codeDeploy.applicationName} --deployment-group-name ${config.codeDeploy.deploymentGroupName} --include-only-statuses Created Queued InProgress Ready Baking ${r}`,
    stopCodeDeploy: (id) => `aws deploy stop-deployment --deployment-id ${id ?? 'd-XXXXXXXXX'} --auto-rollback-enabled ${r}`,
    watchCodeDeploy: (id) => `aws deploy get-deployment --deployment-id ${id ?? 'd-XXXXXXXXX'} ${r} --query 'deploymentInfo.[status,creator,description]'`,
    switchListener: (tg) => `aws elbv2 modify-listener --listener-arn ${s.listenerArn} --default-actions Type=forward,TargetGroupArn=${tg ?? '<original task set target group>'} ${r}`,
  };
}

export interface RollbackPageInput {
  config: AutopilotConfig;
  incidentKey: string;
  severity: Severity;
  title: string;
  at: number;
  diagnosis: string[];
  done?: string[];
  refused?: RefusedAction[];
  nextStep: string;
  action?: 'trigger' | 'resolve';
}

/** The service ARN-ish identifier used as the page's resource. */
/** The title of a bad deployment's incident (its intake opens it, its workflow may). */
export function rollbackIncidentTitle(config: AutopilotConfig): string {
  return `Bad deployment of ${config.service.clusterName}/${config.service.serviceName}`;
}

export function serviceResource(config: AutopilotConfig): string {
  return `ecs:${config.service.region}:${config.service.clusterName}/${config.service.serviceName}`;
}

export function rollbackPage(p: RollbackPageInput): Page {
  return {
    incidentKey: p.incidentKey,
    action: p.action ?? 'trigger',
    severity: p.severity,
    runbook: 'rollback-deployment',
    title: p.title,
    resource: serviceResource(p.config),
    at: p.at,
    diagnosis: p.diagnosis,
    done: p.done ?? [],
    refused: p.refused ?? [],
    nextStep: p.nextStep,
  };
}

export function refusedAction(action: string, v: Verdict): RefusedAction {
  return { action, guardrail: v.guardrail, reason: v.reason };
}

/**
 * The autopilot stopped midway (a step ran out of retries): how to find where the service is
 * and finish the runbook by hand, for either path (the page's timeline says which one ran).
 */
export function stoppedMidwayNextStep(config: AutopilotConfig): string {
  const cmd = manualCommands(config);
  return [
    `Check where the rollback stands: ${cmd.watchRollout} ; ${cmd.findCodeDeploy}`,
    `ECS path, finish by hand: ${cmd.listRevisions} ; ${cmd.rollBack()} ; then ${cmd.listTasks}`,
    `Blue/green path: ${cmd.stopCodeDeploy()} ; ${cmd.watchCodeDeploy()} ; emergency only, to the ORIGINAL task set's target group: ${cmd.switchListener()}`,
  ].join(' | ');
}

/** The runbook step a workflow step belongs to (for "where it stopped"). */
export function runbookStepOf(stepName: string): string {
  const steps: [RegExp, string][] = [
    [/^identify-previous-task-definition/, '1. Identify previous task definition'],
    [/^(decide-rollback|rollback-to-previous-version)/, '2. Rollback to previous version'],
    [/^monitor-rollback/, '2. Monitor rollback progress'],
    [/^(verify-rollback-tasks|verify-alarm-ok)/, '3. Verify rollback'],
    [/^(find-codedeploy-deployment|decide-blue-green|stop-deployment)/, 'Blue/green: Stop Deployment'],
    [/^monitor-codedeploy-rollback/, 'Blue/green: monitor the CodeDeploy rollback'],
    [/^(find-original-target-group|switch-target-refused|approve-listener-switch|approval-outcome|switch-listener)/, 'Emergency Rollback (ALB Listener)'],
    [/^(page-|resolve-)/, 'paging the outcome'],
  ];
  return steps.find(([re]) => re.test(stepName))?.[1] ?? 'unknown step';
}

/** What the on-call still owes after a successful automatic rollback (runbook: Post-Rollback). */
export const POST_ROLLBACK_STEPS =
  'Post-rollback: block the bad revision from redeploying, identify the root cause, fix and test in staging, write the post-mortem (the P2 stays open until someone owns this).';
