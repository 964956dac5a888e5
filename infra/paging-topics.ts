/**
 * The escalation matrix as SNS topics: P1/P2 -> PagerDuty (HTTPS), P3 -> email, P4 -> chat.
 *
 * PagerDuty's CloudWatch integration reads the standard SNS envelope and parses the JSON in
 * `Message`, so raw message delivery stays OFF (../shared/reference/PAGERDUTY.md §2, from
 * https://support.pagerduty.com/docs/aws-cloudwatch-integration-guide).
 *
 * Topics are encrypted with a customer managed key rather than alias/aws/sns: the AWS
 * managed key's policy cannot be edited, so CloudWatch alarms (the DLQ alarms that page P2)
 * could not publish to the topic. The key policy grants cloudwatch.amazonaws.com use of
 * the key for this account only.
 */
import type { AutopilotConfig, Severity } from '../domain/config';
import { getAtt, ref, sub, type CfnResource } from './cfn';
import { SERVICE } from './functions';
import { chatbotConfigured } from '../domain/features';
import { PAGING_KEY_ALIAS_ID, PAGING_KEY_ID, topicId } from './logical-ids';

export interface PagingParams {
  /** PagerDuty "Amazon CloudWatch" integration URL (https://events.pagerduty.com/integration/<KEY>/enqueue). */
  pagerDutyEndpoint: string;
  opsEmail: string;
  /** HTTPS endpoint of the chat integration (P4). */
  chatWebhookUrl: string;
}

const SEVERITIES: readonly Severity[] = ['P1', 'P2', 'P3', 'P4'];

export function topicName(config: AutopilotConfig, severity: Severity): string {
  const name = config.paging.topics[severity].split(':').pop() ?? '';
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) throw new Error(`paging.topics.${severity}: "${name}" is not an SNS topic name`);
  return name;
}

export function pagingResources(config: AutopilotConfig, params: PagingParams): Record<string, CfnResource> {
  const resources: Record<string, CfnResource> = {
    [PAGING_KEY_ID]: {
      Type: 'AWS::KMS::Key',
      Properties: {
        Description: `${SERVICE}-${config.stage}: encrypts the paging topics`,
        EnableKeyRotation: true,
        KeyPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              // Key policies name the key itself as "*"; administration stays with the account's IAM.
              Sid: 'AccountAdministersKey',
              Effect: 'Allow',
              Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceAccount': sub('${AWS::AccountId}') } },
            },
          ],
        },
      },
    },
    [PAGING_KEY_ALIAS_ID]: {
      Type: 'AWS::KMS::Alias',
      Properties: { AliasName: `alias/${SERVICE}-${config.stage}-paging`, TargetKeyId: ref(PAGING_KEY_ID) },
    },
  };

  for (const severity of SEVERITIES) {
    resources[topicId(severity)] = {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: topicName(config, severity),
        DisplayName: `Autopilot ${severity}`,
        KmsMasterKeyId: getAtt(PAGING_KEY_ID, 'Arn'),
      },
    };
  }

  for (const severity of ['P1', 'P2'] as const) {
    resources[`${topicId(severity)}PagerDutySubscription`] = {
      Type: 'AWS::SNS::Subscription',
      Properties: {
        TopicArn: ref(topicId(severity)),
        Protocol: 'https',
        Endpoint: params.pagerDutyEndpoint,
        // PagerDuty parses the SNS envelope: never raw delivery.
        RawMessageDelivery: false,
      },
    };
  }
  resources[`${topicId('P3')}EmailSubscription`] = {
    Type: 'AWS::SNS::Subscription',
    Properties: { TopicArn: ref(topicId('P3')), Protocol: 'email', Endpoint: params.opsEmail },
  };
  if (chatbotConfigured(config)) {
    // P4 the ecosystem's way (issue 16): AWS Chatbot posts the topic's custom notifications
    // (domain/chatbot.ts) to the Slack channel; nothing has to confirm an HTTPS subscription.
    Object.assign(resources, chatbotResources(config));
  } else {
    resources[`${topicId('P4')}ChatSubscription`] = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: ref(topicId('P4')), Protocol: 'https', Endpoint: params.chatWebhookUrl, RawMessageDelivery: false },
    };
  }
  return resources;
}

export const CHATBOT_ROLE_ID = 'ChatbotChannelRole';
export const CHATBOT_CHANNEL_ID = 'ChatbotSlackChannelP4';

/** AWS::Chatbot::SlackChannelConfiguration on the P4 topic, with a role that can only read CloudWatch (what the notifications show). */
export function chatbotResources(config: AutopilotConfig): Record<string, CfnResource> {
  const readOnly = 'arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess';
  return {
    [CHATBOT_ROLE_ID]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `${SERVICE}-${config.stage}: AWS Chatbot channel role (P4)`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        ManagedPolicyArns: [readOnly],
      },
    },
    [CHATBOT_CHANNEL_ID]: {
      Type: 'AWS::Chatbot::SlackChannelConfiguration',
      Properties: {
        ConfigurationName: `${SERVICE}-${config.stage}-p4`,
        IamRoleArn: getAtt(CHATBOT_ROLE_ID, 'Arn'),
        SlackWorkspaceId: config.paging.chat.slackWorkspaceId,
        SlackChannelId: config.paging.chat.slackChannelId,
        SnsTopicArns: [ref(topicId('P4'))],
        // Whatever a channel member runs through Chatbot is capped by this, whatever the role allows.
        GuardrailPolicies: [readOnly],
        LoggingLevel: 'ERROR',
      },
    },
  };
}
