/** SNS: pages (Publish) land in world.snsOutbox; ListSubscriptionsByTopic answers the preflight. */
import * as snsSdk from '@aws-sdk/client-sns';
import type { ListSubscriptionsByTopicCommandInput, ListSubscriptionsByTopicCommandOutput, PublishCommandInput, PublishCommandOutput } from '@aws-sdk/client-sns';
import { awsError } from '../errors';
import type { SnsSpec } from '../spec';
import { authReq } from '../iam-arns';
import { obj, str, bool, strings, type Json, type Problems } from '../spec-checks';
import type { OpContext, ServiceSim } from './index';

type Out<T> = Omit<T, '$metadata'>;

export interface SnsState {
  topics: string[];
  subscriptions: NonNullable<SnsSpec['subscriptions']>;
}

declare module '../state' {
  interface RegionState {
    sns: SnsState;
  }
}

function initSns(spec: SnsSpec | undefined): SnsState {
  return { topics: spec?.topics ?? [], subscriptions: spec?.subscriptions ?? [] };
}

function publish(ctx: OpContext, input: PublishCommandInput): Out<PublishCommandOutput> {
  const topicArn = input.TopicArn ?? input.TargetArn;
  if (!topicArn) throw awsError('InvalidParameterException', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter', { status: 400, sdk: snsSdk });
  const m = /^arn:aws:sns:([^:]+):(\d+):([A-Za-z0-9_-]+(?:\.fifo)?)$/.exec(topicArn);
  if (!m) throw awsError('InvalidParameterException', `Invalid parameter: TopicArn Reason: ${topicArn} is not a valid topic ARN`, { status: 400, sdk: snsSdk });
  if (m[1] !== ctx.region) throw awsError('InvalidParameterException', `Invalid parameter: TopicArn Reason: A ARN must be in the same region as the client (${ctx.region}), got ${m[1]}`, { status: 400, sdk: snsSdk });
  const topics = ctx.r.sns.topics;
  if ((topics.length && !topics.includes(topicArn)) || m[2] !== ctx.world.account) throw awsError('NotFoundException', 'Topic does not exist', { status: 404, sdk: snsSdk });
  if (input.Message === undefined || input.Message === '') throw awsError('InvalidParameterException', 'Invalid parameter: Message Reason: Empty message', { status: 400, sdk: snsSdk });
  if (Buffer.byteLength(input.Message, 'utf8') > 262144) throw awsError('InvalidParameterException', 'Invalid parameter: Message too long', { status: 400, sdk: snsSdk });
  // SNS rejects subjects that are not ASCII, have line breaks or are 100 characters or more.
  if (input.Subject !== undefined && (input.Subject.length >= 100 || !/^[\x20-\x7e]+$/.test(input.Subject))) {
    throw awsError('InvalidParameterException', 'Invalid parameter: Subject', { status: 400, sdk: snsSdk });
  }
  const messageId = ctx.world.ids.uuid();
  const attributes = Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
  ctx.world.snsOutbox.push({ at: ctx.now, region: ctx.region, topicArn, subject: input.Subject, message: input.Message, messageId, ...(Object.keys(attributes).length ? { attributes } : {}) });
  return { MessageId: messageId };
}

/**
 * ListSubscriptionsByTopic (https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html):
 * NotFound for a topic that does not exist; a subscription not yet confirmed is listed with
 * SubscriptionArn "PendingConfirmation" (what the preflight's "subscriptions confirmed" check reads).
 */
function listSubscriptionsByTopic(ctx: OpContext, input: ListSubscriptionsByTopicCommandInput): Out<ListSubscriptionsByTopicCommandOutput> {
  const topicArn = input.TopicArn;
  if (!topicArn) throw awsError('InvalidParameterException', 'Invalid parameter: TopicArn', { status: 400, sdk: snsSdk });
  const m = /^arn:aws:sns:([^:]+):(\d+):([A-Za-z0-9_-]+(?:\.fifo)?)$/.exec(topicArn);
  const topics = ctx.r.sns.topics;
  if (!m || m[1] !== ctx.region || m[2] !== ctx.world.account || (topics.length && !topics.includes(topicArn))) throw awsError('NotFoundException', 'Topic does not exist', { status: 404, sdk: snsSdk });
  const subs = ctx.r.sns.subscriptions.filter((s) => s.topicArn === topicArn);
  return {
    Subscriptions: subs.map((s, i) => ({
      SubscriptionArn: s.pending ? 'PendingConfirmation' : `${topicArn}:${String(i).padStart(8, '0')}-0000-4000-a000-000000000000`,
      Owner: ctx.world.account,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: topicArn,
    })),
  };
}

/** `regions.<r>.sns` of a WorldSpec. */
function validateSnsSpec(p: Problems, path: string, spec: Json): void {
  const s = obj(p, path, spec, ['topics', 'subscriptions']);
  strings(p, `${path}.topics`, s?.topics);
  if (s?.subscriptions !== undefined) {
    if (!Array.isArray(s.subscriptions)) p.push(`${path}.subscriptions: must be an array`);
    else
      s.subscriptions.forEach((x, i) => {
        const at = `${path}.subscriptions[${i}]`;
        const sub = obj(p, at, x, ['topicArn', 'protocol', 'endpoint', 'pending'], ['topicArn', 'protocol', 'endpoint']);
        str(p, `${at}.topicArn`, sub?.topicArn, false);
        str(p, `${at}.protocol`, sub?.protocol, false);
        str(p, `${at}.endpoint`, sub?.endpoint, false);
        if (sub?.pending !== undefined) bool(p, `${at}.pending`, sub.pending);
      });
  }
}

export const service: ServiceSim = {
  name: 'SNS',
  sdk: snsSdk,
  throttleError: 'Throttling',
  ops: { Publish: publish, ListSubscriptionsByTopic: listSubscriptionsByTopic },
  iam: {
    Publish: (c) => [authReq('sns:Publish', String(c.input.TopicArn ?? c.input.TargetArn ?? ''))],
    ListSubscriptionsByTopic: (c) => [authReq('sns:ListSubscriptionsByTopic', String(c.input.TopicArn ?? ''))],
  },
  region: { key: 'sns', init: (_world, _region, spec) => initSns(spec), validate: validateSnsSpec },
};

