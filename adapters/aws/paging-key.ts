/**
 * The paging topics' KMS key ARN, for `autopilot preflight` outside Lambda (the preflight
 * function receives it in its environment, PREFLIGHT_ENV.pagingKeyArn): CloudFormation generates
 * the key's id, and the template sets each topic's KmsMasterKeyId to the key's ARN
 * (infra/paging-topics.ts), which SNS GetTopicAttributes returns as set
 * (https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html). A read.
 */
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import type { AutopilotConfig } from '../../domain/config';
import type { AwsRegions } from './clients';
import './sdk/sns';

export async function pagingKeyArnOf(aws: AwsRegions, config: AutopilotConfig): Promise<string> {
  const topic = config.paging.topics.P1;
  const region = topic.split(':')[3] || config.deployment.region;
  const out = await aws.in(region).sns.send(new GetTopicAttributesCommand({ TopicArn: topic }));
  const key = out.Attributes?.KmsMasterKeyId;
  if (!key?.startsWith('arn:')) throw new Error(`topic ${topic} names no KMS key ARN (KmsMasterKeyId ${key ?? 'not set'}): is the stack deployed?`);
  return key;
}
