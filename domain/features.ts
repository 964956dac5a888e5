/**
 * Features an adopter may not have (issue 16): CodeDeploy blue/green, ElastiCache, S3 restore.
 * Each is off when its configuration is empty: no EventBridge rule, no IAM grant, no call.
 * (ElastiCache and S3 need no predicate: their lists are simply empty.)
 */
import type { AutopilotConfig } from './config';

/** A CodeDeploy application and deployment group are named (both, or neither: config/load.ts checks). */
export function codeDeployConfigured(config: Pick<AutopilotConfig, 'codeDeploy'>): boolean {
  return config.codeDeploy.applicationName !== '' && config.codeDeploy.deploymentGroupName !== '';
}

/** P4 goes to a Slack channel through AWS Chatbot (both ids set). */
export function chatbotConfigured(config: Pick<AutopilotConfig, 'paging'>): boolean {
  return config.paging.chat.slackWorkspaceId !== '' && config.paging.chat.slackChannelId !== '';
}

/** The ALB listener the blue/green emergency switch modifies is named. */
export function blueGreenConfigured(config: Pick<AutopilotConfig, 'service'>): boolean {
  return config.service.listenerArn !== '';
}
